"""The workbench's pages moved here from accounts and procurement with their
paths and URL names unchanged."""

import pytest
from django.urls import resolve, reverse

from govbuy.workbench import views


@pytest.mark.parametrize(
    ("name", "path", "view"),
    [
        ("accounts:workbench", "/workbench/", views.workbench),
        ("procurement:inbox", "/procurement/inbox/", views.inbox),
        ("procurement:inbox_below", "/procurement/inbox/below/", views.inbox_below),
    ],
)
def test_same_path_and_name(name, path, view):
    assert reverse(name) == path
    assert resolve(path).func is view


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/workbench/", "/procurement/inbox/", "/procurement/inbox/below/"]
)
def test_anonymous_users_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
