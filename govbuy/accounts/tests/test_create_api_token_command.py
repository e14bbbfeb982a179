"""manage.py create_api_token: the printed secret authenticates as the user."""

import io

import pytest
from django.core.management import CommandError, call_command


def test_the_printed_token_authenticates_as_the_user(client, make_user):
    user = make_user(username="scripted")
    out = io.StringIO()
    call_command("create_api_token", "scripted", "--name", "fuzz", stdout=out)
    secret = out.getvalue().strip()
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200 and r.json()["id"] == user.pk


@pytest.mark.django_db
def test_an_unknown_user_is_an_error():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
