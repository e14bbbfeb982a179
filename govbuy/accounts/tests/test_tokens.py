"""Personal API tokens: created on the page, shown once, stored hashed, used as Bearer."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from govbuy.accounts import services
from govbuy.accounts.models import ApiToken
from govbuy.core.api_auth import TokenAuth, VerifiedSessionAuth
from govbuy.core.errors import ApplicationError
from govbuy.core.models import AuditEvent

TOKENS = "/accounts/tokens/"


@pytest.fixture
def purchaser(make_org, make_user):
    org = make_org("郑州市民政局（测试）", "410100", is_purchaser=True)
    return make_user("purchaser", org)


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def create_on_page(client, name="数据对接", days=30):
    response = client.post(TOKENS, {"name": name, "days": days})
    assert response.status_code == 200
    return response


def test_create_on_the_page_shows_the_key_once_and_stores_only_its_hash(client, purchaser):
    client.force_login(purchaser)

    response = create_on_page(client)

    key = response.context["new_key"]
    assert key.startswith("gb_") and len(key) > 40
    html = response.content.decode()
    assert f'<code id="new-token" class="user-select-all">{key}</code>' in html
    token = ApiToken.objects.get(user=purchaser)
    assert token.name == "数据对接"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:10]
    assert key[10:] not in token.key_hash + token.key_prefix + token.name
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    # Shown once: the next visit lists the token by its prefix only.
    again = client.get(TOKENS)
    assert again.context["new_key"] is None
    assert key not in again.content.decode()
    assert f"{token.key_prefix}…" in again.content.decode()


def test_creating_is_audited(client, purchaser):
    client.force_login(purchaser)

    create_on_page(client, name="审计测试")

    event = AuditEvent.objects.get(action="accounts.api_token.create")
    token = ApiToken.objects.get(user=purchaser)
    assert event.actor_id == purchaser.pk
    assert event.object_type == "accounts.apitoken"
    assert event.object_id == str(token.pk)
    assert event.data == {"name": "审计测试", "days": 30}  # never the key


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_a_field_error_and_creates_nothing(client, purchaser, name):
    client.force_login(purchaser)

    response = create_on_page(client, name=name)

    assert response.context["form"].errors["name"]
    assert response.context["new_key"] is None
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.api_token.create").exists()


@pytest.mark.parametrize("days", [0, 3651, "abc"])
def test_days_out_of_range_is_a_field_error(client, purchaser, days):
    client.force_login(purchaser)

    response = create_on_page(client, days=days)

    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()


def test_token_authenticates_the_api(client, purchaser):
    client.force_login(purchaser)
    key = create_on_page(client).context["new_key"]
    fresh = Client()  # no session: only the token speaks

    response = fresh.get("/api/v1/me", **bearer(key))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == purchaser.username
    assert body["is_recipient"] is False
    membership = purchaser.memberships.get()
    assert body["memberships"] == [
        {
            "id": membership.pk,
            "organization_id": membership.organization_id,
            "organization_name": "郑州市民政局（测试）",
            "region_code": "410100",
            "role": "purchaser",
        }
    ]
    token = ApiToken.objects.get(user=purchaser)
    assert token.last_used_at is not None


def test_token_of_a_recipient(client, make_user):
    user = make_user()
    _token, key = services.create_api_token(actor=user, name="app")

    body = client.get("/api/v1/me", **bearer(key)).json()

    assert body["username"] == user.username
    assert body["is_recipient"] is True
    assert body["memberships"] == []


def test_token_reaches_scoped_endpoints_with_the_users_scope(client, purchaser, make_org):
    other = make_org("郑州市司法局（测试）", "410100", is_purchaser=True)
    _token, key = services.create_api_token(actor=purchaser, name="t")

    own = purchaser.memberships.get().organization_id
    assert client.get(f"/api/v1/organizations/{own}", **bearer(key)).status_code == 200
    assert client.get(f"/api/v1/organizations/{other.pk}", **bearer(key)).status_code == 404


def assert_unauthenticated(response):
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_revoked_token_is_401(client, purchaser):
    client.force_login(purchaser)
    key = create_on_page(client).context["new_key"]
    token = ApiToken.objects.get(user=purchaser)

    response = client.post(f"{TOKENS}{token.pk}/revoke/")

    assert response.status_code == 302
    assert response.url == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(
        action="accounts.api_token.revoke", object_id=str(token.pk)
    ).exists()
    assert_unauthenticated(Client().get("/api/v1/me", **bearer(key)))


def test_revoking_twice_is_harmless_and_audited_once(client, purchaser):
    token, _key = services.create_api_token(actor=purchaser, name="t")
    client.force_login(purchaser)

    client.post(f"{TOKENS}{token.pk}/revoke/")
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    client.post(f"{TOKENS}{token.pk}/revoke/")

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="accounts.api_token.revoke").count() == 1


def test_expired_token_is_401(client, purchaser):
    token, key = services.create_api_token(actor=purchaser, name="t", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_unauthenticated(client.get("/api/v1/me", **bearer(key)))


def test_token_of_a_deactivated_user_is_401(client, purchaser):
    _token, key = services.create_api_token(actor=purchaser, name="t")
    purchaser.is_active = False
    purchaser.save(update_fields=["is_active"])

    assert_unauthenticated(client.get("/api/v1/me", **bearer(key)))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gb_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Token gb_abc",
        "gb_abc",
    ],
)
def test_garbage_tokens_are_401(client, purchaser, header):
    services.create_api_token(actor=purchaser, name="t")

    assert_unauthenticated(client.get("/api/v1/me", HTTP_AUTHORIZATION=header))


def test_a_key_differing_in_one_character_is_refused(client, purchaser):
    _token, key = services.create_api_token(actor=purchaser, name="t")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")

    assert_unauthenticated(client.get("/api/v1/me", **bearer(tampered)))


def test_no_credentials_is_401(client, db):
    assert_unauthenticated(client.get("/api/v1/me"))


def test_tokens_page_needs_login(client, db):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={TOKENS}"


# --- CSRF -------------------------------------------------------------------------------


def test_page_post_without_csrf_token_is_refused(purchaser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(purchaser)

    response = client.post(TOKENS, {"name": "csrf", "days": 30})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_page_post_with_csrf_token_is_accepted(purchaser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(purchaser)
    page = client.get(TOKENS).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(TOKENS, {"name": "csrf", "days": 30, "csrfmiddlewaretoken": csrf})

    assert response.status_code == 200
    assert ApiToken.objects.filter(user=purchaser, name="csrf").count() == 1


def test_revoke_without_csrf_token_is_refused(purchaser):
    token, _key = services.create_api_token(actor=purchaser, name="t")
    client = Client(enforce_csrf_checks=True)
    client.force_login(purchaser)

    response = client.post(f"{TOKENS}{token.pk}/revoke/")

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_login_post_without_csrf_token_is_refused(purchaser):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/",
        {"username": purchaser.username, "password": "correct-horse-battery-9"},
    )

    assert response.status_code == 403


# No unsafe /api/v1 operation uses session auth yet, so the CSRF guard of the
# session authenticator is exercised directly on real requests.


def _api_post(purchaser, **extra):
    request = RequestFactory().post(
        "/api/v1/anything", data="{}", content_type="application/json", **extra
    )
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session-key"
    request.user = purchaser
    return request


def test_api_session_auth_refuses_unsafe_methods_without_csrf(purchaser):
    with pytest.raises(ApplicationError) as refused:
        VerifiedSessionAuth()(_api_post(purchaser))

    assert refused.value.status == 403 and refused.value.code == "csrf_failed"


def test_api_session_auth_accepts_unsafe_methods_with_csrf(purchaser):
    page = RequestFactory().get("/")  # the page that handed out the token and cookie
    token = get_token(page)
    request = _api_post(purchaser, HTTP_X_CSRFTOKEN=token)
    request.COOKIES[settings.CSRF_COOKIE_NAME] = page.META["CSRF_COOKIE"]

    assert VerifiedSessionAuth()(request) == purchaser


def test_api_token_auth_needs_no_csrf(purchaser):
    _token, key = services.create_api_token(actor=purchaser, name="t")
    request = _api_post(purchaser, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert TokenAuth()(request) == purchaser


# --- expiry: a bounded lifetime, 90 days unless asked otherwise ----------------------------


def days_left(token) -> float:
    return (token.expires_at - timezone.now()) / timedelta(days=1)


def test_the_default_lifetime_is_90_days(purchaser):
    token, _key = services.create_api_token(actor=purchaser, name="t")

    assert 89.9 < days_left(token) <= 90


def test_no_token_lives_for_ever(purchaser):
    token, _key = services.create_api_token(actor=purchaser, name="t", days=None)

    assert token.expires_at is not None
    assert 89.9 < days_left(token) <= 90


def test_the_page_offers_the_default_lifetime(client, purchaser):
    client.force_login(purchaser)

    form = client.get(TOKENS).context["form"]

    assert form["days"].value() == 90
    assert form.fields["days"].max_value == 365


@pytest.mark.parametrize("days", [366, 3650])
def test_a_lifetime_over_the_maximum_is_a_field_error(client, purchaser, days):
    client.force_login(purchaser)

    response = create_on_page(client, days=days)

    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        services.create_api_token(actor=purchaser, name="t", days=days)
    assert refused.value.field == "days"


def test_the_lifetimes_are_settings(client, purchaser, settings):
    settings.GOVBUY_API_TOKEN_DAYS = 7
    settings.GOVBUY_API_TOKEN_MAX_DAYS = 30
    client.force_login(purchaser)

    assert client.get(TOKENS).context["form"]["days"].value() == 7
    assert create_on_page(client, days=31).context["form"].errors["days"]
    token, _key = services.create_api_token(actor=purchaser, name="t")
    assert 6.9 < days_left(token) <= 7


def test_the_page_that_shows_the_key_is_never_cached(client, purchaser):
    client.force_login(purchaser)

    response = create_on_page(client)

    assert response.context["new_key"]
    assert "no-store" in response["Cache-Control"]


# --- MFA-bound staff create tokens only after the second factor -------------------------------


def pass_mfa(client, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits))
    response = client.post("/accounts/mfa/", {"token": code.zfill(device.digits)})
    assert response.status_code == 302


def test_mfa_bound_staff_cannot_create_a_token_before_mfa(client, purchaser, settings):
    settings.GOVBUY_REQUIRE_MFA = True
    assert purchaser.requires_mfa
    client.force_login(purchaser)

    page = client.post(TOKENS, {"name": "before-mfa", "days": 30})
    with pytest.raises(ApplicationError) as refused:
        services.create_api_token(actor=purchaser, name="before-mfa")

    assert page.status_code == 302
    assert page.url.startswith("/accounts/mfa/")
    assert refused.value.status == 403
    assert not ApiToken.objects.exists()


def test_mfa_bound_staff_create_a_token_after_mfa(client, purchaser, settings):
    settings.GOVBUY_REQUIRE_MFA = True
    client.force_login(purchaser)
    pass_mfa(client, purchaser)

    response = create_on_page(client, name="after-mfa")

    assert response.context["new_key"]
    assert ApiToken.objects.filter(user=purchaser, name="after-mfa").count() == 1


def test_a_provider_needs_no_mfa_for_a_token(make_org, make_user, settings):
    settings.GOVBUY_REQUIRE_MFA = True
    org = make_org("郑州测试养老服务有限公司", "410100", org_type="enterprise", is_provider=True)
    provider = make_user("provider", org)

    token, _key = services.create_api_token(actor=provider, name="t")

    assert token.pk


def test_without_required_mfa_staff_create_tokens(purchaser, settings):
    settings.GOVBUY_REQUIRE_MFA = False

    token, _key = services.create_api_token(actor=purchaser, name="t")

    assert token.pk
