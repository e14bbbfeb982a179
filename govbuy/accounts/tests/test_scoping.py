"""Scoped lookups, per role: others' objects answer 404 (page and API), never their data."""

import pytest

from govbuy.accounts import services
from govbuy.accounts.models import ApiToken

# The target: a purchasing department of 中牟县 (410122), under 郑州市 (410100), in 河南 (410000).
# Sibling: 洛阳市 (410300) and its county 嵩县 (410325).


@pytest.fixture
def world(make_org, make_user):
    target = make_org("中牟县民政局（测试）", "410122", is_purchaser=True)
    orgs = {
        "target": target,
        "fin_zz": make_org("郑州市财政局（测试）", "410100", is_finance_bureau=True),
        "fin_ly": make_org("洛阳市财政局（测试）", "410300", is_finance_bureau=True),
        "fin_zm": make_org("中牟县财政局（测试）", "410122", is_finance_bureau=True),
        "aud_hn": make_org("河南省审计厅（测试）", "410000", is_audit_office=True),
        "aud_ly": make_org("洛阳市审计局（测试）", "410300", is_audit_office=True),
        "provider": make_org("中牟县测试服务有限公司", "410122", "enterprise", is_provider=True),
        "pur_sx": make_org("嵩县民政局（测试）", "410325", is_purchaser=True),
    }
    users = {
        "anonymous": None,
        "owner": make_user("purchaser", target),
        "colleague": make_user("purchaser", target),
        "finance_same_region": make_user("finance", orgs["fin_zz"]),
        "finance_county": make_user("finance", orgs["fin_zm"]),
        "finance_sibling_region": make_user("finance", orgs["fin_ly"]),
        "auditor_province": make_user("auditor", orgs["aud_hn"]),
        "auditor_sibling_region": make_user("auditor", orgs["aud_ly"]),
        "provider_same_county": make_user("provider", orgs["provider"]),
        "purchaser_other_county": make_user("purchaser", orgs["pur_sx"]),
        "recipient": make_user(),
        "platform_admin": make_user("platform_admin", orgs["aud_ly"]),
    }
    return orgs, users


SEES_TARGET = {
    "owner": True,
    "colleague": True,
    "finance_same_region": True,  # 郑州市 sees its whole subtree
    "finance_county": True,  # 中牟县's own finance bureau
    "finance_sibling_region": False,
    "auditor_province": True,
    "auditor_sibling_region": False,
    "provider_same_county": False,  # same county, but a provider supervises nothing
    "purchaser_other_county": False,
    "recipient": False,
    "platform_admin": True,
}


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", sorted(SEES_TARGET))
def test_organization_page_per_role(client, world, who):
    orgs, users = world
    as_user(client, users[who])

    response = client.get(f"/orgs/{orgs['target'].pk}/")

    if SEES_TARGET[who]:
        assert response.status_code == 200
        assert response.context["org"] == orgs["target"]
        assert "中牟县民政局（测试）" in response.content.decode()
    else:
        assert response.status_code == 404
        assert "中牟县民政局（测试）" not in response.content.decode()


@pytest.mark.parametrize("who", sorted(SEES_TARGET))
def test_organization_api_per_role(client, world, who):
    orgs, users = world
    as_user(client, users[who])

    response = client.get(f"/api/v1/organizations/{orgs['target'].pk}")

    if SEES_TARGET[who]:
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == orgs["target"].pk
        assert body["region_code"] == "410122"
        assert body["roles"] == ["purchaser"]
    else:
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found"
        assert set(body) == {"code", "message"}  # nothing of the organization


def test_anonymous_page_redirects_to_login(client, world):
    orgs, _ = world

    response = client.get(f"/orgs/{orgs['target'].pk}/")

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/orgs/{orgs['target'].pk}/"


def test_anonymous_api_is_401(client, world):
    orgs, _ = world

    response = client.get(f"/api/v1/organizations/{orgs['target'].pk}")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_inactive_membership_sees_nothing(client, world):
    orgs, users = world
    owner = users["owner"]
    owner.memberships.update(is_active=False)
    client.force_login(owner)

    assert client.get(f"/orgs/{orgs['target'].pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{orgs['target'].pk}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/orgs/0/", "/orgs/999999999/", "/orgs/99999999999999999999999/", "/orgs/abc/"]
)
def test_absent_or_malformed_ids_on_pages_are_404(client, world, path):
    _, users = world
    client.force_login(users["platform_admin"])  # sees everything: only absence can 404

    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "org_id, status, code",
    [
        ("999999999", 404, "not_found"),
        ("9223372036854775807", 404, "not_found"),
        # No id can be 0, negative or beyond the database's 64-bit key: the schema
        # refuses it (the same for everyone, so it tells nothing about the data).
        ("0", 422, "invalid_input"),
        ("-1", 422, "invalid_input"),
        ("99999999999999999999999", 422, "invalid_input"),
    ],
)
def test_absent_or_absurd_ids_on_the_api_are_404_or_422(client, world, org_id, status, code):
    _, users = world
    client.force_login(users["platform_admin"])

    response = client.get(f"/api/v1/organizations/{org_id}")

    assert response.status_code == status
    assert response.json()["code"] == code


def test_non_integer_id_on_the_api_is_invalid_input_not_500(client, world):
    _, users = world
    client.force_login(users["platform_admin"])

    response = client.get("/api/v1/organizations/abc")

    # The API's documented body for bad input (govbuy/api.py), not a crash.
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


# --- list endpoints -----------------------------------------------------------------


def visible_names_api(client):
    response = client.get("/api/v1/organizations?page=1")
    assert response.status_code == 200
    return {o["name"] for o in response.json()["items"]}


def visible_names_page(client):
    response = client.get("/orgs/")
    assert response.status_code == 200
    return {o.name for o in response.context["page"]}


@pytest.mark.parametrize("read", [visible_names_api, visible_names_page], ids=["api", "page"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", {"target"}),
        ("finance_same_region", {"target", "fin_zz", "fin_zm", "provider"}),
        ("finance_county", {"target", "fin_zm", "provider"}),
        ("finance_sibling_region", {"fin_ly", "aud_ly", "pur_sx"}),
        ("auditor_province", "all"),
        ("provider_same_county", {"provider"}),
        ("recipient", set()),
    ],
)
def test_organization_lists_contain_only_visible_orgs(client, world, read, who, expected):
    orgs, users = world
    client.force_login(users[who])
    if expected == "all":
        expected = set(orgs)

    assert read(client) == {orgs[k].name for k in expected}


def test_anonymous_lists(client, world):
    page = client.get("/orgs/")
    assert page.status_code == 302
    assert page.url.startswith("/accounts/login/")

    api = client.get("/api/v1/organizations")
    assert api.status_code == 401
    assert api.json()["code"] == "not_authenticated"


def test_region_filter_cannot_widen_the_scope(client, world):
    orgs, users = world
    client.force_login(users["finance_sibling_region"])

    response = client.get("/api/v1/organizations?region=410122")

    assert response.status_code == 200
    assert response.json()["items"] == []


# --- regions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "visible"),
    [
        ("410122", True),  # own county
        ("410100", True),  # its city
        ("410000", True),  # its province
        ("410185", False),  # another county of the same city
        ("410325", False),  # a county of another city
        ("410300", False),  # another city
        ("110000", False),  # another province
        ("999999", False),  # no such code
        ("abc", False),
        ("4101220000000000000000", False),
    ],
)
def test_region_api_for_a_county_finance_user(client, world, code, visible):
    _, users = world
    client.force_login(users["finance_county"])

    response = client.get(f"/api/v1/regions/{code}")

    if visible:
        assert response.status_code == 200
        assert response.json()["code"] == code
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_region_api_parent_codes(client, world):
    _, users = world
    client.force_login(users["finance_county"])

    assert client.get("/api/v1/regions/410122").json()["parent_code"] == "410100"
    assert client.get("/api/v1/regions/410000").json()["parent_code"] is None


def test_region_list_for_a_county_finance_user(client, world):
    _, users = world
    client.force_login(users["finance_county"])

    response = client.get("/api/v1/regions")

    assert response.status_code == 200
    assert {r["code"] for r in response.json()["items"]} == {"410000", "410100", "410122"}


def test_region_api_anonymous_and_recipient(client, world):
    _, users = world
    assert client.get("/api/v1/regions/410122").status_code == 401

    client.force_login(users["recipient"])
    assert client.get("/api/v1/regions/410122").status_code == 404


# --- API tokens ---------------------------------------------------------------------


def test_revoking_someone_elses_token_is_404_and_it_stays_active(client, world):
    _, users = world
    token, key = services.create_api_token(actor=users["owner"], name="owner's script")
    client.force_login(users["colleague"])

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_even_a_platform_admin_cannot_revoke_someone_elses_token(client, world):
    _, users = world
    token, _key = services.create_api_token(actor=users["owner"], name="owner's script")
    client.force_login(users["platform_admin"])

    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_lists_only_own_tokens(client, world):
    _, users = world
    services.create_api_token(actor=users["owner"], name="owner-token")
    services.create_api_token(actor=users["colleague"], name="colleague-token")
    client.force_login(users["colleague"])

    response = client.get("/accounts/tokens/")

    assert [t.name for t in response.context["tokens"]] == ["colleague-token"]
    assert "owner-token" not in response.content.decode()


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999"])
def test_revoking_an_absent_token_is_404(client, world, pk):
    _, users = world
    client.force_login(users["owner"])

    assert client.post(f"/accounts/tokens/{pk}/revoke/").status_code == 404


def test_revoke_anonymous_goes_to_login(client, world):
    _, users = world
    token, _key = services.create_api_token(actor=users["owner"], name="t")

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
