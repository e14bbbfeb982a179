"""The catalog API over the real HTTP stack: public screening (C2, C3, C4, C7,
C8, C9), catalog and search, and scoped department catalogs and adjustments."""

import json

import pytest

from govbuy.catalog import department, services
from govbuy.catalog.models import CatalogAdjustment, PublicUnitService
from govbuy.catalog.tests.conftest import YEAR

SCREEN = "/api/v1/rules/screen"


def screen(client, **body):
    return client.post(SCREEN, data=json.dumps(body), content_type="application/json")


def rules_of(response):
    return [(v["rule"], v["severity"]) for v in response.json()["violations"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title,rule",
    [
        ("道路建设工程", {"C2", "C3"}),
        ("为本单位招聘编外人员", {"C2"}),
        ("劳务派遣服务", {"C2"}),
        ("行政处罚案件办理", {"C2"}),
        ("以政府购买服务名义融资建设安置房", {"C2", "C3"}),
    ],
)
def test_screen_refuses_barred_content_naming_rule_phrase_and_basis(client, title, rule):
    r = screen(client, title=title, description="")
    assert r.status_code == 200
    hard = [v for v in r.json()["violations"] if v["severity"] == "hard"]
    assert hard, r.json()
    assert {v["rule"] for v in hard} & rule
    for v in hard:
        assert v["match"] and v["match"] in title
        assert v["basis"] and v["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title", ["工程造价咨询服务", "招聘会组织服务", "居家养老服务", "城市供水水质检测"]
)
def test_screen_passes_legitimate_services(client, title):
    r = screen(client, title=title, description="")
    assert r.status_code == 200
    assert [v for v in r.json()["violations"] if v["severity"] == "hard"] == []


@pytest.mark.django_db
def test_screen_c9_warns_on_suspicious_text_under_a_harmless_item(client, world):
    r = screen(
        client,
        title="社区养老服务",
        description="含养老服务中心配套道路及停车场工程",
        catalog_item="A0502",
        region="410100",
    )
    found = rules_of(r)
    assert ("C9", "warn") in found or any(s == "hard" for _, s in found), found


@pytest.mark.django_db
def test_screen_c7_applies_the_local_negative_list_of_the_region_only(client):
    body = {"title": "代发城乡低保金服务", "description": "委托机构代为发放最低生活保障金"}
    shenzhen = screen(client, region="440300", **body)
    assert ("C7", "hard") in rules_of(shenzhen)
    elsewhere = screen(client, region="410100", **body)
    assert ("C7", "hard") not in rules_of(elsewhere)


@pytest.mark.django_db
def test_screen_c4_refuses_an_item_outside_the_catalog_in_force(client, world):
    r = screen(client, title="居家养老服务", catalog_item="Z9999", region="410100")
    assert ("C4", "hard") in rules_of(r)
    r = screen(client, title="居家养老服务", catalog_item="A0501", region="410100")
    assert rules_of(r) == []


@pytest.mark.django_db
def test_screen_c8_warns_about_a_public_welfare_class_1_units_service(client, world, make_org):
    cdc = make_org(
        "中牟县疾控中心（测试）",
        "410122",
        org_type="public_institution",
        institution_class="public_welfare_1",
    )
    PublicUnitService.objects.create(organization=cdc, item_code="A0702", name="核酸检测")
    r = screen(client, title="核酸检测服务", catalog_item="A0702", region="410122")
    assert ("C8", "warn") in rules_of(r)
    other = screen(client, title="核酸检测服务", catalog_item="A0702", region="410300")
    assert ("C8", "warn") not in rules_of(other)


@pytest.mark.django_db
def test_screen_bad_input_answers_422_with_field_messages(client):
    r = screen(client, title="", description="")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert r.json()["errors"][0]["field"] == "title"
    r = screen(client, title="养老", description="养" * 350_000)  # 1 MB of UTF-8 text
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "description"
    r = screen(client, title="养老", region="999999")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "region"
    r = client.post(SCREEN, data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = screen(client, title=["a"], description=1)
    assert r.status_code == 422


@pytest.mark.django_db
def test_screen_a_huge_body_is_refused_cleanly(client):
    r = client.post(
        SCREEN,
        data=json.dumps({"title": "x", "description": "工" * 3_000_000}),
        content_type="application/json",
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"


@pytest.mark.django_db
def test_screen_non_chinese_input_gets_a_sound_answer(client):
    r = screen(client, title="Home care for the elderly", description="meals, bathing, cleaning")
    assert r.status_code == 200 and rules_of(r) == []
    r = screen(client, title="Labour dispatch of clerks", description="staff for our office")
    assert r.status_code == 200
    r = screen(client, title="🙂🙂🙂", description="\u200b")
    assert r.status_code == 200
    # The NUL character is no text (PostgreSQL cannot store it): a field error.
    r = screen(client, title="🙂", description="\u0000\u200b")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "description"


@pytest.mark.django_db
def test_screen_answers_in_english_when_asked(client):
    r = client.post(
        SCREEN,
        data=json.dumps({"title": "劳务派遣服务"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    v = r.json()["violations"][0]
    assert v["rule"] == "C2" and "cannot be bought" in v["message"]


# --- public catalog ---------------------------------------------------------------------


def test_public_catalog_items_search_and_export(client, world):
    r = client.get("/api/v1/catalogs")
    assert r.status_code == 200 and r.json()["count"] == 1
    cid = world.catalog.pk
    r = client.get(f"/api/v1/catalogs/{cid}/items?page_size=500")
    assert r.status_code == 200 and r.json()["count"] >= 170
    r = client.get(f"/api/v1/catalogs/{cid}/search", {"q": "yl", "page_size": 10})
    assert r.status_code == 200
    assert sum("养老" in i["name"] for i in r.json()["items"]) >= 3
    r = client.get(f"/api/v1/catalogs/{cid}/items/A0501")
    assert r.status_code == 200 and r.json()["children"]
    assert r.json()["history"][0]["action"] == "imported"
    r = client.get(f"/api/v1/catalogs/{cid}/items/NOPE")
    assert r.status_code == 404
    r = client.get(f"/api/v1/catalogs/{cid}/export")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_draft_catalogs_are_not_public(client, world):
    draft = services.copy_catalog(actor=world.finance_hn, source=world.catalog, year=YEAR + 1)
    assert client.get(f"/api/v1/catalogs/{draft.pk}/items").status_code == 404
    client.force_login(world.finance_hn)
    r = client.get("/api/v1/catalog/catalogs")
    assert {c["id"] for c in r.json()["items"]} == {world.catalog.pk, draft.pk}
    client.force_login(world.finance_zz)
    r = client.get("/api/v1/catalog/catalogs")
    assert {c["id"] for c in r.json()["items"]} == {world.catalog.pk}


@pytest.mark.django_db
def test_public_negative_list(client):
    national = client.get("/api/v1/negative-list").json()
    assert national and all(i["region_code"] is None for i in national)
    chengdu = client.get("/api/v1/negative-list", {"region": "510104"}).json()  # a 成都 district
    assert len(chengdu) > len(national)
    assert client.get("/api/v1/negative-list", {"region": "x"}).status_code == 422


# --- scoped -----------------------------------------------------------------------------------


def test_department_catalogs_are_scoped_and_others_answer_404(client, world):
    dc = department.create_department_catalog(
        actor=world.purchaser, organization=world.dept, year=YEAR
    )
    client.force_login(world.purchaser_ly)
    assert client.get(f"/api/v1/catalog/department-catalogs/{dc.pk}").status_code == 404
    r = client.post(
        f"/api/v1/catalog/department-catalogs/{dc.pk}/items",
        data=json.dumps({"parent_code": "A05", "code": "A0501", "name": "居家养老服务"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert dc.items.filter(code="A0501").count() == 0
    # the 郑州 finance bureau and auditor see it; the 洛阳 one does not
    client.force_login(world.finance_zz)
    assert client.get(f"/api/v1/catalog/department-catalogs/{dc.pk}").status_code == 200
    client.force_login(world.auditor)
    assert client.get(f"/api/v1/catalog/department-catalogs/{dc.pk}").status_code == 200
    client.force_login(world.finance_ly)
    assert client.get(f"/api/v1/catalog/department-catalogs/{dc.pk}").status_code == 404


def test_department_catalog_flow_over_the_api(client, world):
    client.force_login(world.purchaser)
    r = client.post(
        "/api/v1/catalog/department-catalogs",
        data=json.dumps({"organization_id": world.dept.pk, "year": YEAR}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(
        f"/api/v1/catalog/department-catalogs/{pk}/items",
        data=json.dumps({"parent_code": "A05", "code": "B0401", "name": "法律援助"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "C5"
    r = client.post(
        f"/api/v1/catalog/department-catalogs/{pk}/items",
        data=json.dumps({"parent_code": "A05", "code": "A0501", "name": "居家养老服务"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    assert client.post(f"/api/v1/catalog/department-catalogs/{pk}/submit").status_code == 200
    # the auditor reads but cannot approve
    client.force_login(world.auditor)
    r = client.post(
        f"/api/v1/catalog/department-catalogs/{pk}/approve",
        data="{}",
        content_type="application/json",
    )
    assert r.status_code == 403
    client.force_login(world.finance_zz)
    inbox = client.get("/api/v1/catalog/inbox").json()
    assert [d["id"] for d in inbox["department_catalogs"]] == [pk]
    r = client.post(
        f"/api/v1/catalog/department-catalogs/{pk}/approve",
        data=json.dumps({"note": "同意"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"


def test_adjustment_flow_over_the_api(client, world):
    client.force_login(world.purchaser)
    body = {
        "organization_id": world.dept.pk,
        "action": "add",
        "parent_code": "A05",
        "name": "老年人助行服务",
        "reason": "需要",
    }
    r = client.post(
        "/api/v1/catalog/adjustments", data=json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(
        f"/api/v1/catalog/adjustments/{pk}/approve", data="{}", content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "C6"
    client.force_login(world.finance_zz)
    assert client.get(f"/api/v1/catalog/adjustments/{pk}").status_code == 200  # supervises 郑州
    client.force_login(world.finance_ly)
    assert client.get(f"/api/v1/catalog/adjustments/{pk}").status_code == 404
    client.force_login(world.finance_hn)
    assert [a["id"] for a in client.get("/api/v1/catalog/inbox").json()["adjustments"]] == [pk]
    r = client.post(
        f"/api/v1/catalog/adjustments/{pk}/approve",
        data=json.dumps({"note": "同意"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert CatalogAdjustment.objects.get(pk=pk).status == "approved"


def test_anonymous_users_cannot_use_scoped_endpoints(client, world):
    assert client.get("/api/v1/catalog/adjustments").status_code == 401
    assert client.get("/api/v1/catalog/inbox").status_code == 401
