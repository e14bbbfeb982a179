"""Login through the real stack: django-axes lockout and the audited login."""

import pytest
from axes.models import AccessAttempt

from govbuy.core.models import AuditEvent

PASSWORD = "correct-horse-battery-9"
LOGIN = "/accounts/login/"


@pytest.fixture
def provider_org(make_org):
    return make_org("郑州测试养老服务有限公司", "410100", org_type="enterprise", is_provider=True)


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def is_logged_in(client) -> bool:
    response = client.get("/workbench/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    return False


def test_login_page_renders(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_correct_password_logs_in_and_is_audited(client, make_user, provider_org):
    user = make_user("provider", provider_org)
    before = AuditEvent.objects.filter(action="accounts.login").count()

    response = post_login(client, user.username, PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302
    assert response.url == "/workbench/"
    assert is_logged_in(client)
    events = AuditEvent.objects.filter(action="accounts.login")
    assert events.count() == before + 1
    event = events.order_by("-seq").first()
    assert event.actor_id == user.pk
    assert event.object_id == str(user.pk)
    assert event.data == {"ip": "10.1.2.3"}


def test_wrong_password_is_refused_with_form_error(client, make_user, provider_org):
    user = make_user("provider", provider_org)

    response = post_login(client, user.username, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not is_logged_in(client)
    assert not AuditEvent.objects.filter(action="accounts.login", actor=user).exists()


def test_five_failures_lock_the_account_even_for_the_right_password(
    client, make_user, provider_org
):
    user = make_user("provider", provider_org)
    for _ in range(4):
        assert post_login(client, user.username, "wrong-password").status_code == 200
    fifth = post_login(client, user.username, "wrong-password")
    assert fifth.status_code == 429  # the limit is reached on the fifth failure

    response = post_login(client, user.username, PASSWORD)

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not is_logged_in(client)
    assert not AuditEvent.objects.filter(action="accounts.login", actor=user).exists()
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start >= 5


def test_four_failures_do_not_lock_and_success_resets_the_counter(client, make_user, provider_org):
    user = make_user("provider", provider_org)
    for _ in range(4):
        post_login(client, user.username, "wrong-password")

    response = post_login(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
    # AXES_RESET_ON_SUCCESS: the failures are forgotten after a good login.
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_lockout_is_per_user_so_a_colleague_on_the_same_address_still_logs_in(
    client, make_user, provider_org
):
    victim = make_user("provider", provider_org)
    colleague = make_user("provider", provider_org)
    for _ in range(5):
        post_login(client, victim.username, "wrong-password")
    assert post_login(client, victim.username, PASSWORD).status_code == 429

    response = post_login(client, colleague.username, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(action="accounts.login", actor=colleague).count() == 1
    assert not AuditEvent.objects.filter(action="accounts.login", actor=victim).exists()


def test_lockout_is_per_address_too(client, make_user, provider_org):
    """Lockout by username *and* address: the same user from another address is not locked."""
    user = make_user("provider", provider_org)
    for _ in range(5):
        post_login(client, user.username, "wrong-password", REMOTE_ADDR="10.0.0.1")
    assert post_login(client, user.username, PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429

    response = post_login(client, user.username, PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_logged_in_user_visiting_login_goes_to_workbench(client, make_user, provider_org):
    user = make_user("provider", provider_org)
    client.force_login(user)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response.url == "/workbench/"


def test_login_next_is_followed_only_on_this_host(client, make_user, provider_org):
    user = make_user("provider", provider_org)

    evil = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert evil.status_code == 302
    assert evil.url == "/workbench/"

    client.logout()
    good = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": "/accounts/tokens/"}
    )
    assert good.status_code == 302
    assert good.url == "/accounts/tokens/"


def test_logout_ends_the_session(client, make_user, provider_org):
    client.force_login(make_user("provider", provider_org))

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not is_logged_in(client)


# --- per username across addresses (password spraying from many addresses) ---------------


def test_failures_from_many_addresses_lock_the_username_everywhere(
    client, make_user, provider_org, settings
):
    user = make_user("provider", provider_org)
    for n in range(20):  # one failure per address: the per-address limit never trips
        post_login(client, user.username, "wrong-password", REMOTE_ADDR=f"10.9.{n}.1")

    response = post_login(client, user.username, PASSWORD, REMOTE_ADDR="10.200.0.1")

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not is_logged_in(client)
    assert settings.GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT == 20  # the documented default


def test_fewer_failures_than_the_username_limit_spread_over_addresses_do_not_lock(
    client, make_user, provider_org, settings
):
    user = make_user("provider", provider_org)
    # Four failures from each of four addresses: under both limits (5 per address, 20 in all).
    for n in range(4):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            post_login(client, user.username, "wrong-password", REMOTE_ADDR=f"10.8.{n}.1")

    response = post_login(client, user.username, PASSWORD, REMOTE_ADDR="10.200.0.2")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_username_limit_does_not_lock_a_colleague(client, make_user, provider_org):
    victim = make_user("provider", provider_org)
    colleague = make_user("provider", provider_org)
    for n in range(20):
        post_login(client, victim.username, "wrong-password", REMOTE_ADDR=f"10.7.{n}.1")

    assert (
        post_login(client, colleague.username, PASSWORD, REMOTE_ADDR="10.7.0.1").status_code == 302
    )


def test_the_locked_out_page_says_how_long_and_who_can_unlock(client, make_user, provider_org):
    user = make_user("provider", provider_org)
    for _ in range(5):
        post_login(client, user.username, "wrong-password")

    response = post_login(client, user.username, PASSWORD)

    html = response.content.decode()
    assert response.status_code == 429
    assert "30 分钟" in html
    assert "平台管理员" in html
