"""TOTP second factor (django-otp) for staff roles, on pages and on the API."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from govbuy.accounts import services
from govbuy.core.models import AuditEvent

MFA = "/accounts/mfa/"


@pytest.fixture(autouse=True)
def require_mfa(settings):
    settings.GOVBUY_REQUIRE_MFA = True


@pytest.fixture
def orgs(make_org):
    return {
        "finance": make_org("郑州市财政局（测试）", "410100", is_finance_bureau=True),
        "purchaser": make_org("郑州市民政局（测试）", "410100", is_purchaser=True),
        "auditor": make_org("郑州市审计局（测试）", "410100", is_audit_office=True),
        "platform_admin": make_org("河南省财政厅（测试）", "410000", is_finance_bureau=True),
        "provider": make_org("郑州测试家政有限公司", "410100", "enterprise", is_provider=True),
        "evaluator": make_org("郑州测试评价有限公司", "410100", "enterprise", is_evaluator=True),
    }


@pytest.fixture
def user_of(orgs, make_user):
    def make(role):
        return make_user(role, orgs[role]) if role != "recipient" else make_user()

    return make


def code_for(device, offset_steps: int = 0) -> str:
    t = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - offset_steps * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return str(t).zfill(device.digits)


def wrong_code_for(device) -> str:
    """A code that matches no step inside the verification tolerance."""
    near = {code_for(device, k) for k in range(-3, 4)}
    return next(c for c in (str(n).zfill(6) for n in range(1000000)) if c not in near)


@pytest.mark.parametrize("role", ["finance", "purchaser", "auditor", "platform_admin"])
def test_staff_roles_are_sent_to_mfa(client, user_of, role):
    client.force_login(user_of(role))

    response = client.get("/workbench/")

    assert response.status_code == 302
    assert response.url == f"{MFA}?next=%2Fworkbench%2F"


@pytest.mark.parametrize("path", ["/orgs/", "/parameters/"])
def test_every_staff_page_needs_mfa_not_only_the_workbench(client, user_of, path):
    client.force_login(user_of("finance"))

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(f"{MFA}?next=")


def test_next_keeps_the_whole_query_string(client, user_of):
    client.force_login(user_of("finance"))

    wanted = "/orgs/?q=%E6%B0%91%E6%94%BF&role=purchaser"  # as a browser sends ?q=民政&…

    response = client.get(wanted)

    assert response.status_code == 302
    assert response.url.startswith(MFA)
    assert parse_qs(urlsplit(response.url).query)["next"] == [wanted]
    # …and the MFA page hands it on unchanged.
    page = client.get(response.url)
    assert page.context["next"] == wanted


@pytest.mark.parametrize("role", ["provider", "evaluator", "recipient"])
def test_other_roles_need_no_second_factor(client, user_of, role):
    client.force_login(user_of(role))

    response = client.get("/workbench/")

    assert response.status_code == 200
    assert f"workbench/{role}.html" in [t.name for t in response.templates]


def test_mfa_off_lets_staff_in(client, user_of, settings):
    settings.GOVBUY_REQUIRE_MFA = False
    client.force_login(user_of("finance"))

    assert client.get("/workbench/").status_code == 200


def test_public_pages_stay_open_to_unverified_staff(client, user_of):
    client.force_login(user_of("finance"))

    assert client.get("/").status_code == 200
    assert client.get("/rules/").status_code == 200
    assert client.get(MFA).status_code == 200


def test_first_visit_creates_an_unconfirmed_device_and_shows_qr_and_secret(client, user_of):
    user = user_of("finance")
    client.force_login(user)

    response = client.get(f"{MFA}?next=/workbench/")

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    html = response.content.decode()
    assert "<svg" in html
    assert response.context["setup"] is True
    secret = response.context["secret"]
    assert len(secret) >= 16
    assert f'id="totp-secret">{secret}<' in html
    # A second visit reuses the same unconfirmed device instead of piling up new ones.
    client.get(MFA)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_wrong_code_is_a_field_error_and_leaves_the_user_unverified(client, user_of):
    user = user_of("purchaser")
    client.force_login(user)
    client.get(MFA)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(MFA, {"token": wrong_code_for(device), "next": "/workbench/"})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    device.refresh_from_db()
    assert device.confirmed is False
    assert not AuditEvent.objects.filter(action="accounts.mfa.enrol").exists()
    assert client.get("/workbench/").status_code == 302


def test_malformed_code_is_a_field_error(client, user_of):
    client.force_login(user_of("purchaser"))

    response = client.post(MFA, {"token": "12"})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]


def test_right_code_confirms_the_device_audits_and_opens_the_workbench(client, user_of):
    user = user_of("finance")
    client.force_login(user)
    client.get(f"{MFA}?next=/workbench/")
    device = TOTPDevice.objects.get(user=user)

    response = client.post(MFA, {"token": code_for(device), "next": "/workbench/"})

    assert response.status_code == 302
    assert response.url == "/workbench/"
    device.refresh_from_db()
    assert device.confirmed is True
    event = AuditEvent.objects.get(action="accounts.mfa.enrol")
    assert event.actor_id == user.pk
    assert event.data == {"device": device.name}
    workbench = client.get("/workbench/")
    assert workbench.status_code == 200
    assert "workbench/finance.html" in [t.name for t in workbench.templates]


def test_mfa_next_refuses_other_hosts(client, user_of):
    user = user_of("finance")
    client.force_login(user)
    client.get(MFA)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(MFA, {"token": code_for(device), "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == "/workbench/"


def test_confirmed_device_is_asked_again_in_a_new_session_without_new_secret(
    client, user_of, django_user_model
):
    user = user_of("auditor")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)

    page = client.get(MFA)
    assert page.status_code == 200
    assert page.context["setup"] is False
    assert "secret" not in page.context
    assert "totp-secret" not in page.content.decode()

    response = client.post(MFA, {"token": code_for(device), "next": "/workbench/"})
    assert response.status_code == 302
    assert client.get("/workbench/").status_code == 200
    # Passing the check with a confirmed device is not a new enrolment.
    assert not AuditEvent.objects.filter(action="accounts.mfa.enrol").exists()
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_wrong_guess_throttles_the_next_try(client, user_of, settings):
    """django-otp throttling: right after a wrong code even the right one is refused."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 600
    user = user_of("finance")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post(MFA, {"token": wrong_code_for(device)})

    response = client.post(MFA, {"token": code_for(device)})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert client.get("/workbench/").status_code == 302


def test_api_refuses_an_unverified_staff_session(client, user_of):
    client.force_login(user_of("finance"))

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_accepts_a_verified_staff_session(client, user_of):
    user = user_of("finance")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post(MFA, {"token": code_for(device)})

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_api_session_of_a_provider_needs_no_mfa(client, user_of):
    user = user_of("provider")
    client.force_login(user)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def token_made_after_mfa(settings, user, name):
    """A token the user made in an earlier, verified session."""
    settings.GOVBUY_REQUIRE_MFA = False
    try:
        return services.create_api_token(actor=user, name=name)
    finally:
        settings.GOVBUY_REQUIRE_MFA = True


def test_api_token_works_for_staff_without_a_session(client, user_of, settings):
    user = user_of("finance")
    _token, key = token_made_after_mfa(settings, user, "对接脚本")

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == user.username
    assert [m["role"] for m in body["memberships"]] == ["finance"]


def test_unverified_staff_cannot_create_an_api_token(client, user_of):
    """Otherwise a password alone would mint a token that skips the second factor."""
    user = user_of("finance")
    client.force_login(user)

    page = client.get("/accounts/tokens/")
    post = client.post("/accounts/tokens/", {"name": "bypass", "days": 30})

    assert page.status_code == 302
    assert page.url.startswith(MFA)
    assert post.status_code == 302
    assert post.url.startswith(MFA)
    assert not user.api_tokens.exists()


def test_unverified_staff_cannot_revoke_tokens_either(client, user_of, settings):
    user = user_of("finance")
    token, _key = token_made_after_mfa(settings, user, "t")
    client.force_login(user)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response.url.startswith(MFA)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_verified_staff_can_create_an_api_token(client, user_of):
    user = user_of("finance")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post(MFA, {"token": code_for(device)})

    response = client.post("/accounts/tokens/", {"name": "ok", "days": 30})

    assert response.status_code == 200
    assert user.api_tokens.count() == 1


@pytest.mark.parametrize("role", ["provider", "recipient"])
def test_roles_without_mfa_manage_tokens_directly(client, user_of, role):
    user = user_of(role)
    client.force_login(user)

    response = client.post("/accounts/tokens/", {"name": "ok", "days": 30})

    assert response.status_code == 200
    assert user.api_tokens.count() == 1


def test_unverified_staff_can_still_log_out(client, user_of):
    client.force_login(user_of("finance"))

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/workbench/").url.startswith("/accounts/login/")


def test_mfa_page_needs_a_login(client, db):
    response = client.get(MFA)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not TOTPDevice.objects.exists()
