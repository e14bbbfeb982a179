"""Catalog pages with the Django test client: public pages for anyone, the
purchaser's department catalog and adjustments, the finance bureau's inbox,
catalog keeping and negative list; scoping (404 for others' objects), refused
actions that change nothing, Excel download and upload, query counts."""

import datetime as dt
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.html import escape

from govbuy.catalog import department, seed, services
from govbuy.catalog.models import (
    AdjustmentStatus,
    Catalog,
    CatalogAdjustment,
    CatalogItem,
    CatalogItemChange,
    CatalogStatus,
    DepartmentCatalog,
    DepartmentCatalogItem,
    DepartmentCatalogStatus,
    NegativeListItem,
)
from govbuy.catalog.tests.conftest import YEAR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# After the yearly adjustment closed (30 September): proposals go to next year (C6).
AFTER_CLOSING = dt.date(YEAR, 11, 21)
HEADER = ["编码", "一级", "二级", "三级", "四级", "类型", "说明", "品目编码", "关键词"]


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English (the language switch's cookie): assert on the English
    source text whatever translations are compiled."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def logout(client):
    """Log out (which drops every cookie) and keep the pages in English."""
    client.logout()
    client.cookies["govbuy_language"] = "en"


@pytest.fixture
def fixed_today(clock):
    """The clock on 21 November: YEAR's catalog is in force and closed for adjustments."""
    clock.at(f"{AFTER_CLOSING} 10:00")
    return AFTER_CLOSING


@pytest.fixture
def site(db, clock, standard, make_org, make_user, region, settings, tmp_path):
    """河南's finance bureau keeps the published catalog of YEAR (the shipped model,
    seeded once per database); 郑州 and 洛阳 each have a finance bureau and a
    purchasing department. The site is of YEAR: its clock is on 21 November unless
    a test moves it."""
    settings.MEDIA_ROOT = tmp_path
    if not clock.is_set:
        clock.at(f"{AFTER_CLOSING} 10:00")
    hn = standard.hn
    zz = make_org("郑州市财政局（页面）", "410100", is_finance_bureau=True, is_purchaser=True)
    ly = make_org("洛阳市财政局（页面）", "410300", is_finance_bureau=True, is_purchaser=True)
    dept = make_org("郑州市民政局（页面）", "410100", is_purchaser=True)
    dept_ly = make_org("洛阳市民政局（页面）", "410300", is_purchaser=True)
    audit = make_org("郑州市审计局（页面）", "410100", is_audit_office=True)
    provider = make_org("郑州某养老服务有限公司", "410100", "enterprise", is_provider=True)
    catalog = seed.load_guidance_catalog(year=YEAR, region=region("410000"), owner=hn, publish=True)
    return SimpleNamespace(
        hn=hn,
        zz=zz,
        ly=ly,
        dept=dept,
        dept_ly=dept_ly,
        catalog=catalog,
        finance_hn=make_user("finance", hn),
        finance_zz=make_user("finance", zz),
        finance_ly=make_user("finance", ly),
        purchaser=make_user("purchaser", dept),
        purchaser_ly=make_user("purchaser", dept_ly),
        auditor=make_user("auditor", audit),
        provider=make_user("provider", provider),
    )


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def xlsx(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name="catalog.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def dept_catalog(site):
    """郑州市民政局's department catalog of YEAR with one level-3 item of its own."""
    dc = department.create_department_catalog(
        actor=site.purchaser, organization=site.dept, year=YEAR
    )
    department.add_department_item(
        actor=site.purchaser,
        department_catalog=dc,
        parent_code="A05",
        code="A0501",
        name="居家养老服务",
    )
    return dc


@pytest.fixture
def adjustment(site, fixed_today):
    return services.propose_adjustment(
        actor=site.purchaser,
        proposer=site.dept,
        action="add",
        reason="老年人助浴需求大，目录中没有对应事项。",
        parent_code="A05",
        fields={"name": "老年人助浴服务"},
    )


# --- public pages -----------------------------------------------------------------


def test_public_pages_answer_anonymous_users(client, site):
    for url in (
        "/catalog/",
        f"/catalog/{site.catalog.pk}/items/A0501/",
        "/catalog/negative-list/",
        "/catalog/screen/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_browser_shows_the_whole_tree_in_a_handful_of_queries(
    client, site, django_assert_max_num_queries
):
    count = site.catalog.items.filter(is_active=True).count()
    assert count > 350
    client.get("/catalog/")  # warm-up: first-request caches
    with django_assert_max_num_queries(5):
        response = client.get("/catalog/")
    assert response.context["catalog"] == site.catalog
    tree = response.context["tree"]
    assert sum(1 for e in tree if e["kind"] != "close") == count
    assert sum(1 for e in tree if e["kind"] == "open") == sum(
        1 for e in tree if e["kind"] == "close"
    )
    body = text(response)
    assert body.count("<details") == body.count("</details>") > 60
    assert "居家养老服务" in body and "养老机构等级评定服务" in body
    assert "Public service" in body and "Auxiliary service" in body
    assert f"/catalog/{site.catalog.pk}/export.xlsx" in body


def test_browser_with_a_session_stays_a_handful_of_queries(
    client, site, django_assert_max_num_queries
):
    login(client, site.purchaser)
    client.get("/catalog/")
    with django_assert_max_num_queries(12):
        response = client.get("/catalog/")
    assert response.context["catalog"] == site.catalog  # the catalog in force for 郑州


@pytest.mark.parametrize("q", ["养老", "yanglao", "yl"])
def test_search_finds_elderly_care_by_chinese_and_pinyin(
    client, site, q, django_assert_max_num_queries
):
    client.get("/catalog/", {"q": q})
    with django_assert_max_num_queries(6):
        response = client.get("/catalog/", {"q": q})
    assert response.status_code == 200
    page = response.context["page"]
    names = [item.name for item in page]
    assert any("养老" in n for n in names), names
    assert len(names) <= 25
    body = text(response)
    assert "居家养老服务" in body
    assert "基本公共服务 › 基本养老服务" in body  # the item's path


def test_search_results_are_paginated(client, site):
    response = client.get("/catalog/", {"q": "服务"})
    page = response.context["page"]
    assert page.paginator.count > 25 and len(page.object_list) == 25
    assert "page=2" in text(response)
    second = client.get("/catalog/", {"q": "服务", "page": 2})
    assert second.context["page"].number == 2


def test_search_without_a_match_says_so(client, site):
    response = client.get("/catalog/", {"q": "量子纠缠"})
    assert response.context["page"].paginator.count == 0
    assert "Nothing in this catalog matches" in text(response)


def test_live_search_answers_htmx_with_the_results_only(client, site):
    response = client.get("/catalog/", {"q": "yl"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "居家养老服务" in body
    assert "HX-Request" in response["Vary"]


def test_browser_chooses_a_catalog_and_404s_for_a_hidden_one(client, site, region):
    draft = services.copy_catalog(actor=site.finance_hn, source=site.catalog, year=YEAR + 1)
    assert client.get("/catalog/", {"catalog": site.catalog.pk}).status_code == 200
    assert client.get("/catalog/", {"catalog": draft.pk}).status_code == 404
    assert client.get(f"/catalog/{draft.pk}/items/A0501/").status_code == 404
    assert client.get(f"/catalog/{draft.pk}/export.xlsx").status_code == 404
    # the keeping bureau sees its draft
    login(client, site.finance_hn)
    response = client.get("/catalog/", {"catalog": draft.pk})
    assert response.status_code == 200 and response.context["catalog"] == draft
    # no catalog for a year: an empty state, not an error
    logout(client)
    response = client.get("/catalog/", {"year": 2030})
    assert response.status_code == 200 and "No guidance catalog is published" in text(response)


def test_item_page_shows_path_children_and_history(client, site):
    response = client.get(f"/catalog/{site.catalog.pk}/items/A0501/")
    body = text(response)
    assert [a.code for a in response.context["ancestors"]] == ["A", "A05"]
    assert "基本公共服务" in body and "基本养老服务" in body
    children = list(response.context["children"])
    assert len(children) == 5 and all(c.code.startswith("A0501") for c in children)
    assert "Imported" in body and "govbuy seed" in body
    assert response.context["show_actor"] is False
    assert client.get(f"/catalog/{site.catalog.pk}/items/NOPE/").status_code == 404


def test_item_history_shows_a_change_with_its_reason_and_actor_to_finance(client, site):
    services.edit_catalog(
        actor=site.finance_hn,
        catalog=site.catalog,
        action="change",
        reason="名称规范化（测试）",
        item_code="A0502",
        fields={"name": "社区养老服务（含日间照料）"},
    )
    url = f"/catalog/{site.catalog.pk}/items/A0502/"
    body = text(client.get(url))
    assert "名称规范化（测试）" in body and "社区养老服务（含日间照料）" in body
    assert site.finance_hn.display_name not in body  # the public sees date, change, reason
    login(client, site.auditor)
    response = client.get(url)
    assert response.context["show_actor"] is True
    assert site.finance_hn.display_name in text(response)


def test_negative_list_national_and_by_region(client, site):
    national = client.get("/catalog/negative-list/")
    body = text(national)
    assert (
        national.context["count"]
        == NegativeListItem.objects.filter(region__isnull=True, is_active=True).count()
    )
    assert "Labour dispatch" in body or "劳务派遣" in body
    zz_only = NegativeListItem.objects.get(key="zhengzhou-personnel-decisions")
    hn_only = NegativeListItem.objects.get(key="henan-village-cadre-pay")
    assert zz_only.title not in body
    regional = client.get("/catalog/negative-list/", {"region": "410100"})
    titles = [i.title for g in regional.context["groups"] for i in g["items"]]
    assert zz_only.title in titles and hn_only.title in titles
    assert regional.context["count"] == national.context["count"] + 2
    # grouped by clause, each with its basis and matching phrases
    assert {g["clause"] for g in regional.context["groups"]} >= {"art10_5", "local"}
    assert zz_only.basis in text(regional)
    unknown = client.get("/catalog/negative-list/", {"region": "999999"})
    assert unknown.status_code == 200 and "Unknown region code" in text(unknown)


def test_negative_list_uses_english_fields_in_english(client, site, settings):
    item = NegativeListItem.objects.exclude(title_en="").filter(region__isnull=True).first()
    assert item is not None
    body = text(client.get("/catalog/negative-list/"))
    assert escape(item.title_en) in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = text(client.get("/catalog/negative-list/"))
    assert item.title in body and escape(item.title_en) not in body


def test_screening_bars_hiring_and_passes_a_real_service(client, site):
    barred = client.post(
        "/catalog/screen/", {"title": "2026年度招聘编外人员", "description": "", "region": "410100"}
    )
    assert barred.status_code == 200
    assert barred.context["hard"] and barred.context["hard"][0].rule == "C2"
    body = text(barred)
    assert "Must not be bought" in body and "招聘" in body
    passed = client.post(
        "/catalog/screen/",
        {
            "title": "居家养老上门服务",
            "description": "为辖区失能老年人提供助餐、助洁、助浴等上门服务。",
            "catalog_item": "A0501",
            "region": "410100",
        },
    )
    assert passed.context["result"] == []
    assert "Passed" in text(passed)


def test_screening_form_errors_keep_the_input(client, site):
    empty = client.post("/catalog/screen/", {"title": "", "description": ""})
    assert "title" in empty.context["form"].errors
    assert empty.context["result"] is None
    unknown = client.post("/catalog/screen/", {"title": "居家养老服务", "region": "999999"})
    assert "region" in unknown.context["form"].errors
    assert 'value="居家养老服务"' in text(unknown)
    outside = client.post(
        "/catalog/screen/", {"title": "居家养老服务", "catalog_item": "Z99", "region": "410100"}
    )
    assert [v.rule for v in outside.context["hard"]] == ["C4"]


# --- sign-in and roles --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/catalog/department/",
        "/catalog/department/1/",
        "/catalog/adjustments/",
        "/catalog/adjustments/new/",
        "/catalog/adjustments/1/",
        "/catalog/inbox/",
        "/catalog/manage/",
        "/catalog/manage/1/",
        "/catalog/negative-list/manage/",
    ],
)
def test_pages_behind_login_redirect_anonymous_users(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_roles_are_checked(client, site):
    login(client, site.provider)
    assert client.get("/catalog/department/").status_code == 403
    assert client.get("/catalog/adjustments/new/").status_code == 403
    login(client, site.purchaser)
    for url in ("/catalog/inbox/", "/catalog/manage/", "/catalog/negative-list/manage/"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/catalog/manage/{site.catalog.pk}/").status_code == 403
    # a finance bureau that does not keep the catalog
    login(client, site.finance_zz)
    assert client.get(f"/catalog/manage/{site.catalog.pk}/").status_code == 403
    assert client.post(f"/catalog/manage/{site.catalog.pk}/publish/").status_code == 403


def test_writes_are_post_only(client, site, dept_catalog, adjustment):
    login(client, site.purchaser)
    for url in (
        f"/catalog/department/{dept_catalog.pk}/items/",
        f"/catalog/department/{dept_catalog.pk}/submit/",
        f"/catalog/department/{dept_catalog.pk}/import/",
        f"/catalog/department/{dept_catalog.pk}/decide/",
        f"/catalog/adjustments/{adjustment.pk}/withdraw/",
        f"/catalog/adjustments/{adjustment.pk}/decide/",
    ):
        assert client.get(url).status_code == 405, url
    assert DepartmentCatalog.objects.get(pk=dept_catalog.pk).status == "draft"


# --- department catalogs -------------------------------------------------------------


def test_purchaser_creates_a_department_catalog(client, site):
    login(client, site.purchaser)
    page = client.get("/catalog/department/")
    assert page.status_code == 200 and page.context["form"] is not None
    response = client.post("/catalog/department/", {"year": YEAR})
    dc = DepartmentCatalog.objects.get(organization=site.dept, year=YEAR)
    assert response.status_code == 302 and response["Location"] == f"/catalog/department/{dc.pk}/"
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and detail.context["may_edit"] is True
    assert dc.items.count() == detail.context["items"].__len__() > 60
    # the same year again: refused beside the field, nothing created
    again = client.post("/catalog/department/", {"year": YEAR})
    assert again.status_code == 200 and "year" in again.context["form"].errors
    # no catalog in force in the plan's last year; a year past the plan is no year
    last = timezone.localdate().year + 2
    none = client.post("/catalog/department/", {"year": last})
    assert none.status_code == 200 and "No guidance catalog" in text(none)
    past = client.post("/catalog/department/", {"year": last + 1})
    assert past.status_code == 200 and "year" in past.context["form"].errors
    assert DepartmentCatalog.objects.filter(organization=site.dept).count() == 1


def test_department_item_add_and_its_refusals(client, site, dept_catalog):
    login(client, site.purchaser)
    url = f"/catalog/department/{dept_catalog.pk}/items/"
    ok = client.post(url, {"parent_code": "A0501", "code": "A050199", "name": "老年人助浴上门服务"})
    assert ok.status_code == 302
    assert dept_catalog.items.filter(code="A050199", guidance_item__code="A0501").exists()
    before = dept_catalog.items.count()

    bad = client.post(url, {"parent_code": "ZZZ", "code": "bad code", "name": "某服务"})
    assert bad.status_code == 200
    errors = bad.context["add_form"].errors
    assert "parent_code" in errors and "code" in errors
    assert 'value="某服务"' in text(bad)  # the input stays

    barred = client.post(url, {"parent_code": "A05", "code": "A0599", "name": "养老护理员劳务派遣"})
    assert barred.status_code == 200
    violations = barred.context["add_form"].violations
    assert violations["name"][0].rule == "C2"
    assert "rule-id" in text(barred)
    assert dept_catalog.items.count() == before


def test_department_item_removal_asks_first(client, site, dept_catalog):
    login(client, site.purchaser)
    item = dept_catalog.items.get(code="A0501")
    url = f"/catalog/department/{dept_catalog.pk}/items/{item.pk}/remove/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, remove it" in text(confirm)
    assert dept_catalog.items.filter(pk=item.pk).exists()
    assert client.post(url).status_code == 302
    assert not dept_catalog.items.filter(pk=item.pk).exists()
    # levels 1 and 2 stay
    level2 = dept_catalog.items.get(code="A05")
    refused = client.post(f"/catalog/department/{dept_catalog.pk}/items/{level2.pk}/remove/")
    assert refused.status_code == 200 and "Levels 1 and 2" in text(refused)
    assert dept_catalog.items.filter(pk=level2.pk).exists()


def test_department_catalog_submit_return_and_approve(client, site, dept_catalog):
    login(client, site.purchaser)
    assert client.post(f"/catalog/department/{dept_catalog.pk}/submit/").status_code == 302
    dept_catalog.refresh_from_db()
    assert dept_catalog.status == DepartmentCatalogStatus.SUBMITTED
    page = client.get(f"/catalog/department/{dept_catalog.pk}/")
    assert page.context["may_edit"] is False and page.context["may_decide"] is False
    # a refused edit while submitted changes nothing
    refused = client.post(
        f"/catalog/department/{dept_catalog.pk}/items/",
        {"parent_code": "A0501", "code": "A050198", "name": "助餐服务"},
    )
    assert refused.status_code == 200 and "can no longer be edited" in text(refused)
    assert not dept_catalog.items.filter(code="A050198").exists()

    # the finance bureau of the province does not approve a city department's catalog
    login(client, site.finance_hn)
    page = client.get(f"/catalog/department/{dept_catalog.pk}/")
    assert page.status_code == 200 and page.context["may_decide"] is False
    denied = client.post(f"/catalog/department/{dept_catalog.pk}/decide/", {"decision": "approve"})
    assert denied.status_code == 403 and "Only the finance bureau of" in text(denied)

    login(client, site.finance_zz)
    page = client.get(f"/catalog/department/{dept_catalog.pk}/")
    assert page.context["may_decide"] is True and "Approve" in text(page)
    no_note = client.post(
        f"/catalog/department/{dept_catalog.pk}/decide/", {"decision": "return", "note": ""}
    )
    assert no_note.status_code == 200 and "note" in no_note.context["decision_form"].errors
    dept_catalog.refresh_from_db()
    assert dept_catalog.status == DepartmentCatalogStatus.SUBMITTED
    returned = client.post(
        f"/catalog/department/{dept_catalog.pk}/decide/",
        {"decision": "return", "note": "请补充助餐服务。"},
    )
    assert returned.status_code == 302
    dept_catalog.refresh_from_db()
    assert dept_catalog.status == DepartmentCatalogStatus.RETURNED

    login(client, site.purchaser)
    page = client.get(f"/catalog/department/{dept_catalog.pk}/")
    assert "请补充助餐服务。" in text(page) and page.context["may_edit"] is True
    client.post(f"/catalog/department/{dept_catalog.pk}/submit/")
    login(client, site.finance_zz)
    approved = client.post(
        f"/catalog/department/{dept_catalog.pk}/decide/", {"decision": "approve", "note": "同意"}
    )
    assert approved.status_code == 302
    dept_catalog.refresh_from_db()
    assert dept_catalog.status == DepartmentCatalogStatus.APPROVED


def test_submitting_an_empty_department_catalog_is_refused(client, site):
    dc = department.create_department_catalog(
        actor=site.purchaser, organization=site.dept, year=YEAR
    )
    login(client, site.purchaser)
    response = client.post(f"/catalog/department/{dc.pk}/submit/")
    assert response.status_code == 200 and "level-3 item" in text(response)
    dc.refresh_from_db()
    assert dc.status == DepartmentCatalogStatus.DRAFT


def test_others_department_catalogs_and_adjustments_answer_404(
    client, site, dept_catalog, adjustment
):
    login(client, site.purchaser_ly)
    item = dept_catalog.items.get(code="A0501")
    for url in (
        f"/catalog/department/{dept_catalog.pk}/",
        f"/catalog/department/{dept_catalog.pk}/export.xlsx",
        f"/catalog/department/{dept_catalog.pk}/items/{item.pk}/remove/",
        f"/catalog/adjustments/{adjustment.pk}/",
        f"/catalog/adjustments/{adjustment.pk}/expert-review/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/catalog/department/{dept_catalog.pk}/items/",
        f"/catalog/department/{dept_catalog.pk}/submit/",
        f"/catalog/department/{dept_catalog.pk}/items/{item.pk}/remove/",
        f"/catalog/adjustments/{adjustment.pk}/withdraw/",
        f"/catalog/adjustments/{adjustment.pk}/decide/",
    ):
        assert client.post(url, {"decision": "approve"}).status_code == 404, url
    assert dept_catalog.items.filter(pk=item.pk).exists()
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.SUBMITTED
    # and their lists do not show them
    assert client.get("/catalog/department/").context["page"].paginator.count == 0
    assert client.get("/catalog/adjustments/").context["page"].paginator.count == 0
    # 洛阳's finance bureau does not see 郑州's department either
    login(client, site.finance_ly)
    assert client.get(f"/catalog/department/{dept_catalog.pk}/").status_code == 404


# --- Excel -----------------------------------------------------------------------------


def test_guidance_catalog_downloads_as_xlsx(client, site):
    response = client.get(f"/catalog/{site.catalog.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert (
        str(YEAR) in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编码" and rows[0][1] == "一级"
    assert len(rows) - 1 == site.catalog.items.filter(is_active=True).count()


def test_department_catalog_downloads_and_round_trips(client, site, dept_catalog):
    login(client, site.purchaser)
    response = client.get(f"/catalog/department/{dept_catalog.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"department-catalog-{YEAR}" in response["Content-Disposition"]
    count = dept_catalog.items.count()
    again = client.post(
        f"/catalog/department/{dept_catalog.pk}/import/",
        {"file": upload(response.content)},
    )
    assert again.status_code == 302
    assert dept_catalog.items.count() == count


def test_a_bad_department_upload_lists_row_errors_and_changes_nothing(client, site, dept_catalog):
    login(client, site.purchaser)
    before = list(dept_catalog.items.values_list("code", "name"))
    data = xlsx(
        [
            ["A", "基本公共服务", None, None, None, "公共服务"],
            ["A05", "基本公共服务", "基本养老服务", None, None, "公共服务"],
            ["A0501", "基本公共服务", "基本养老服务", "居家养老服务", None, "不知道"],
            ["A0501", "基本公共服务", "基本养老服务", "社区养老服务", None, "公共服务"],
        ]
    )
    response = client.post(f"/catalog/department/{dept_catalog.pk}/import/", {"file": upload(data)})
    assert response.status_code == 200
    rows = response.context["import_form"].row_errors
    assert {e["row"] for e in rows} == {4, 5}
    assert {e["column"] for e in rows} >= {"类型", "编码"}
    body = text(response)
    assert (
        "Nothing was imported" in body
        and "Unknown type" in body
        and '<th scope="col">Row</th>' in body
    )
    assert list(dept_catalog.items.values_list("code", "name")) == before


def test_a_department_upload_with_rule_violations_lists_them_by_row(client, site, dept_catalog):
    login(client, site.purchaser)
    data = xlsx(
        [
            ["A", "基本公共服务", None, None, None, "公共服务"],
            ["A05", "基本公共服务", "基本养老服务", None, None, "公共服务"],
            ["A0599", "基本公共服务", "基本养老服务", "养老护理员劳务派遣", None, "公共服务"],
        ]
    )
    response = client.post(f"/catalog/department/{dept_catalog.pk}/import/", {"file": upload(data)})
    rows = response.context["import_form"].row_errors
    assert rows and rows[0]["row"] == 4 and "C2" in rows[0]["message"]
    assert dept_catalog.items.filter(code="A0501").exists()


def test_uploads_over_5_mb_are_refused_before_reading(client, site, dept_catalog, monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(department, "import_department_catalog", must_not_parse)
    login(client, site.purchaser)
    big = upload(b"0" * (5 * 1024 * 1024 + 1))
    response = client.post(f"/catalog/department/{dept_catalog.pk}/import/", {"file": big})
    assert response.status_code == 200
    assert "file" in response.context["import_form"].errors
    assert "5.0" in text(response)


def test_a_file_that_is_not_xlsx_is_refused(client, site, dept_catalog):
    login(client, site.purchaser)
    response = client.post(
        f"/catalog/department/{dept_catalog.pk}/import/",
        {"file": upload(b"not a workbook", name="catalog.csv")},
    )
    assert response.status_code == 200
    assert "could not be read as an Excel workbook" in text(response)
    assert dept_catalog.items.filter(code="A0501").exists()


# --- adjustments -----------------------------------------------------------------------


def test_purchaser_proposes_an_adjustment_and_sees_the_c6_warning(client, site, fixed_today):
    login(client, site.purchaser)
    form = client.get("/catalog/adjustments/new/")
    assert form.status_code == 200 and form.context["catalog"] == site.catalog
    assert 'id="catalog-item-codes"' in text(form) and 'value="A0501"' in text(form)
    response = client.post(
        "/catalog/adjustments/new/",
        {
            "action": "add",
            "parent_code": "A05",
            "name": "老年人助浴服务",
            "reason": "助浴需求大。",
            "expert_review": SimpleUploadedFile("评审意见.pdf", b"%PDF-1.4 test"),
        },
        follow=True,
    )
    adjustment = CatalogAdjustment.objects.get(proposer=site.dept)
    assert response.redirect_chain[-1][0] == f"/catalog/adjustments/{adjustment.pk}/"
    assert adjustment.target_year == YEAR + 1 and adjustment.status == AdjustmentStatus.SUBMITTED
    body = text(response)
    assert "C6" in body and str(YEAR + 1) in body  # the warning, after submitting and on the page
    download = client.get(f"/catalog/adjustments/{adjustment.pk}/expert-review/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_adjustment_form_errors_change_nothing(client, site, fixed_today):
    login(client, site.purchaser)
    no_reason = client.post(
        "/catalog/adjustments/new/",
        {"action": "add", "parent_code": "A05", "name": "老年人助浴服务", "reason": ""},
    )
    assert no_reason.status_code == 200 and "reason" in no_reason.context["form"].errors
    assert 'value="老年人助浴服务"' in text(no_reason)
    unknown = client.post(
        "/catalog/adjustments/new/",
        {"action": "change", "item_code": "ZZZ", "reason": "改名"},
    )
    assert "item_code" in unknown.context["form"].errors
    barred = client.post(
        "/catalog/adjustments/new/",
        {"action": "add", "parent_code": "E15", "name": "食堂工作人员劳务派遣", "reason": "需要"},
    )
    assert barred.status_code == 200
    assert barred.context["form"].violations["name"][0].rule == "C2"
    wrong_kind = client.post(
        "/catalog/adjustments/new/",
        {
            "action": "add",
            "parent_code": "E15",
            "name": "公务接待服务",
            "kind": "public_service",
            "reason": "需要",
        },
    )
    assert wrong_kind.context["form"].violations["kind"][0].rule == "C1"
    big = client.post(
        "/catalog/adjustments/new/",
        {
            "action": "add",
            "parent_code": "A05",
            "name": "老年人助浴服务",
            "reason": "需要",
            "expert_review": SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1)),
        },
    )
    assert "expert_review" in big.context["form"].errors
    assert not CatalogAdjustment.objects.exists()


def test_keeper_approves_and_others_cannot(client, site, adjustment):
    # 郑州's finance bureau sees the proposal of a 郑州 department, but does not keep the catalog
    login(client, site.finance_zz)
    page = client.get(f"/catalog/adjustments/{adjustment.pk}/")
    assert page.status_code == 200 and page.context["may_decide"] is False
    refused = client.post(
        f"/catalog/adjustments/{adjustment.pk}/decide/", {"decision": "approve", "note": ""}
    )
    assert refused.status_code == 200
    assert refused.context["decision_form"].general_violations[0].rule == "C6"
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.SUBMITTED

    login(client, site.finance_hn)
    inbox = client.get("/catalog/inbox/")
    assert adjustment in inbox.context["adjustments"]
    page = client.get(f"/catalog/adjustments/{adjustment.pk}/")
    assert page.context["may_decide"] is True
    no_note = client.post(
        f"/catalog/adjustments/{adjustment.pk}/decide/", {"decision": "return", "note": ""}
    )
    assert "note" in no_note.context["decision_form"].errors
    approved = client.post(
        f"/catalog/adjustments/{adjustment.pk}/decide/", {"decision": "approve", "note": "同意"}
    )
    assert approved.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.APPROVED
    again = client.post(
        f"/catalog/adjustments/{adjustment.pk}/decide/", {"decision": "return", "note": "x"}
    )
    assert again.status_code == 200 and "already" in text(again)


def test_proposer_withdraws(client, site, adjustment):
    login(client, site.purchaser)
    page = client.get(f"/catalog/adjustments/{adjustment.pk}/")
    assert page.context["may_withdraw"] is True
    assert client.post(f"/catalog/adjustments/{adjustment.pk}/withdraw/").status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.WITHDRAWN
    again = client.post(f"/catalog/adjustments/{adjustment.pk}/withdraw/")
    assert again.status_code == 200 and "Only a proposal awaiting approval" in text(again)


def test_adjustment_list_filters_by_status(client, site, adjustment):
    login(client, site.purchaser)
    assert client.get("/catalog/adjustments/").context["page"].paginator.count == 1
    assert (
        client.get("/catalog/adjustments/", {"status": "approved"}).context["page"].paginator.count
        == 0
    )
    assert (
        client.get("/catalog/adjustments/", {"status": "submitted"}).context["page"].paginator.count
        == 1
    )


# --- finance: keeping catalogs -----------------------------------------------------------


def test_keeper_copies_edits_and_publishes_next_years_catalog(client, site):
    login(client, site.finance_hn)
    listing = client.get("/catalog/manage/")
    assert listing.context["kept"] == [site.catalog]
    created = client.post("/catalog/manage/", {"source": site.catalog.pk, "year": YEAR + 1})
    draft = Catalog.objects.get(region=site.catalog.region, year=YEAR + 1)
    assert created["Location"] == f"/catalog/manage/{draft.pk}/"
    assert draft.status == CatalogStatus.DRAFT
    assert draft.items.count() == site.catalog.items.filter(is_active=True).count()
    duplicate = client.post("/catalog/manage/", {"source": site.catalog.pk, "year": YEAR + 1})
    assert duplicate.status_code == 200 and "year" in duplicate.context["form"].errors

    page = client.get(f"/catalog/manage/{draft.pk}/", {"edit": "A0502"})
    assert page.context["edit_form"].initial["name"] == "社区养老服务"
    edit_url = f"/catalog/manage/{draft.pk}/edit/"
    added = client.post(
        edit_url,
        {"action": "add", "parent_code": "A05", "name": "老年人助浴服务", "reason": "新增（测试）"},
    )
    assert added.status_code == 302
    assert draft.items.filter(name="老年人助浴服务", parent__code="A05").exists()
    changed = client.post(
        edit_url,
        {"action": "change", "item_code": "A0502", "name": "社区养老服务站运营", "reason": "改名"},
    )
    assert changed.status_code == 302
    assert draft.items.get(code="A0502").name == "社区养老服务站运营"
    assert draft.items.get(code="A0502").description  # blank fields keep their value

    # removal asks first, and keeps everything until confirmed
    ask = client.post(edit_url, {"action": "remove", "item_code": "A0501", "reason": "并入"})
    assert ask.status_code == 200 and "Yes, remove it" in text(ask)
    a0501 = draft.items.get(code="A0501")
    below = draft.items.filter(sort_key__startswith=a0501.sort_key + ".", is_active=True)
    assert ask.context["below"] == below.count() >= 5
    assert draft.items.get(code="A0501").is_active
    done = client.post(
        edit_url, {"action": "remove", "item_code": "A0501", "reason": "并入", "confirmed": "1"}
    )
    assert done.status_code == 302
    assert not draft.items.filter(code__startswith="A0501", is_active=True).exists()

    confirm = client.get(f"/catalog/manage/{draft.pk}/publish/")
    assert confirm.status_code == 200 and "Yes, publish it" in text(confirm)
    draft.refresh_from_db()
    assert draft.status == CatalogStatus.DRAFT
    assert client.post(f"/catalog/manage/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == CatalogStatus.PUBLISHED
    again = client.post(f"/catalog/manage/{draft.pk}/publish/")
    assert again.status_code == 200 and "already published" in text(again)


def test_catalog_edit_refusals_change_nothing(client, site):
    login(client, site.finance_hn)
    edit_url = f"/catalog/manage/{site.catalog.pk}/edit/"
    items = site.catalog.items.count()
    changes = CatalogItemChange.objects.count()
    no_reason = client.post(edit_url, {"action": "add", "parent_code": "A05", "name": "助浴"})
    assert "reason" in no_reason.context["edit_form"].errors
    taken = client.post(
        edit_url,
        {"action": "add", "parent_code": "A05", "code": "A0501", "name": "助浴", "reason": "x"},
    )
    assert "code" in taken.context["edit_form"].errors
    assert 'value="助浴"' in text(taken)
    barred = client.post(
        edit_url, {"action": "add", "parent_code": "E15", "name": "保安员劳务派遣", "reason": "x"}
    )
    assert barred.context["edit_form"].violations["name"][0].rule == "C2"
    unknown = client.post(
        edit_url, {"action": "change", "item_code": "NOPE", "name": "x", "reason": "x"}
    )
    assert "item_code" in unknown.context["edit_form"].errors
    assert site.catalog.items.count() == items
    assert CatalogItemChange.objects.count() == changes
    assert not CatalogAdjustment.objects.exists()


def test_catalog_import_into_a_draft_and_its_refusals(client, site):
    login(client, site.finance_hn)
    draft = services.copy_catalog(actor=site.finance_hn, source=site.catalog, year=YEAR + 1)
    url = f"/catalog/manage/{draft.pk}/import/"
    count = draft.items.count()
    bad = xlsx(
        [
            ["A", "基本公共服务", None, None, None, "公共服务"],
            ["A01", "基本公共服务", "义务教育", None, None, ""],
        ]
    )
    refused = client.post(url, {"file": upload(bad), "reason": "测试"})
    assert refused.status_code == 200
    assert [e["row"] for e in refused.context["import_form"].row_errors] == [3]
    assert draft.items.count() == count
    # rule checks per row: an auxiliary category holds auxiliary services only (C1)
    wrong_kind = xlsx(
        [
            ["E", "政府履职所需辅助性服务", None, None, None, "政府履职所需辅助性服务"],
            ["E01", "政府履职所需辅助性服务", "法律服务", None, None, "公共服务"],
        ]
    )
    refused = client.post(url, {"file": upload(wrong_kind), "reason": "测试"})
    rows = refused.context["import_form"].row_errors
    assert [(e["row"], e["column"]) for e in rows] == [(3, "类型")]
    assert "C1" in rows[0]["message"] and "auxiliary services" in rows[0]["message"]
    assert draft.items.count() == count
    good = xlsx(
        [
            ["A", "基本公共服务", None, None, None, "公共服务"],
            ["A01", "基本公共服务", "基本公共教育", None, None, "公共服务"],
            ["A0101", "基本公共服务", "基本公共教育", "课后服务", None, "公共服务"],
        ]
    )
    assert client.post(url, {"file": upload(good), "reason": "测试"}).status_code == 302
    assert draft.items.count() == 3
    # a published catalog is not replaced by an import (C6)
    published = client.post(
        f"/catalog/manage/{site.catalog.pk}/import/", {"file": upload(good), "reason": "x"}
    )
    assert published.status_code == 200
    assert published.context["import_form"].general_violations[0].rule == "C6"
    assert site.catalog.items.count() > 300


# --- finance: the negative list ------------------------------------------------------------


def test_finance_keeps_its_regions_negative_list(client, site):
    login(client, site.finance_zz)
    page = client.get("/catalog/negative-list/manage/")
    assert page.status_code == 200
    assert [i.key for i in page.context["own"]] == ["zhengzhou-personnel-decisions"]
    bad = client.post(
        "/catalog/negative-list/manage/",
        {
            "clause": "local",
            "title": "代为组织考试",
            "description": "考试组织属于本机关职责。",
            "basis": "郑财购〔2026〕9号（测试）",
            "phrases": "代为 + 组织考试\n招聘 + + 考试",
            "is_active": "on",
        },
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors["phrases"]
    assert len(errors) == 1 and errors[0].startswith("line 2")
    assert "代为 + 组织考试" in text(bad)
    assert not NegativeListItem.objects.filter(title="代为组织考试").exists()

    added = client.post(
        "/catalog/negative-list/manage/",
        {
            "clause": "local",
            "title": "代为组织考试",
            "description": "考试组织属于本机关职责。",
            "basis": "郑财购〔2026〕9号（测试）",
            "phrases": "代为 + 组织考试",
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    item = NegativeListItem.objects.get(title="代为组织考试")
    assert item.region.code == "410100" and item.is_active
    # it now bars purchases in 郑州 (and only there)
    screened = client.post("/catalog/screen/", {"title": "代为组织考试服务", "region": "410100"})
    assert [v.rule for v in screened.context["hard"]] == ["C7"]

    edit = client.post(
        f"/catalog/negative-list/manage/{item.pk}/",
        {
            "clause": "local",
            "title": "代为组织考试",
            "description": "考试组织属于本机关职责。",
            "basis": "",
            "phrases": "代为 + 组织考试",
            "is_active": "on",
        },
    )
    assert edit.status_code == 200 and "basis" in edit.context["form"].errors
    assert client.post(f"/catalog/negative-list/manage/{item.pk}/toggle/").status_code == 302
    item.refresh_from_db()
    assert item.is_active is False
    assert item.basis == "郑财购〔2026〕9号（测试）"


def test_negative_list_of_others_cannot_be_edited(client, site):
    national = NegativeListItem.objects.filter(region__isnull=True).first()
    henan = NegativeListItem.objects.get(key="henan-village-cadre-pay")
    luoyang_cannot = NegativeListItem.objects.get(key="zhengzhou-personnel-decisions")
    login(client, site.finance_zz)
    assert client.get(f"/catalog/negative-list/manage/{national.pk}/").status_code == 403
    assert client.post(f"/catalog/negative-list/manage/{henan.pk}/toggle/").status_code == 403
    login(client, site.finance_ly)
    assert client.get(f"/catalog/negative-list/manage/{luoyang_cannot.pk}/").status_code == 404
    assert NegativeListItem.objects.get(pk=henan.pk).is_active


# --- no N+1 on the list pages --------------------------------------------------------------


def _count(client, url, django_assert_max_num_queries, limit, **params):
    client.get(url, params)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_list_pages_do_not_grow_with_their_rows(
    client, site, make_org, make_user, fixed_today, django_assert_max_num_queries
):
    def add_department(n):
        org = make_org(f"郑州市测试局{n}", "410100", is_purchaser=True)
        user = make_user("purchaser", org)
        dc = department.create_department_catalog(actor=user, organization=org, year=YEAR)
        department.add_department_item(
            actor=user, department_catalog=dc, parent_code="A05", code="A0501", name="居家养老服务"
        )
        department.submit_department_catalog(actor=user, department_catalog=dc)
        services.propose_adjustment(
            actor=user,
            proposer=org,
            action="change",
            item_code="A0502",
            reason=f"理由{n}",
            fields={"description": f"说明{n}"},
        )

    add_department(0)
    pages = {
        "/catalog/department/": site.finance_zz,
        "/catalog/adjustments/": site.finance_hn,
        "/catalog/inbox/": site.finance_hn,
        "/catalog/manage/": site.finance_hn,
        "/catalog/negative-list/": None,
        "/catalog/negative-list/manage/": site.finance_zz,
    }
    few = {}
    for url, user in pages.items():
        logout(client)
        if user:
            login(client, user)
        few[url] = _count(client, url, django_assert_max_num_queries, 12)
    for n in range(1, 6):
        add_department(n)
    for url, user in pages.items():
        logout(client)
        if user:
            login(client, user)
        assert _count(client, url, django_assert_max_num_queries, 12) == few[url], url
    login(client, site.finance_zz)
    inbox = client.get("/catalog/inbox/")
    assert len(inbox.context["department_catalogs"]) == 6


def test_workbenches_link_to_the_catalog_pages(client, site):
    login(client, site.finance_hn)
    body = text(client.get("/workbench/"))
    for url in ("/catalog/inbox/", "/catalog/manage/", "/catalog/negative-list/manage/"):
        assert url in body
    login(client, site.purchaser)
    body = text(client.get("/workbench/"))
    for url in ("/catalog/department/", "/catalog/adjustments/", "/catalog/screen/"):
        assert url in body
    logout(client)
    assert 'href="/catalog/"' in text(client.get("/"))


def test_reading_the_public_pages_writes_nothing(client, site):
    """Reading every public page writes nothing."""
    counts = (CatalogItem.objects.count(), CatalogItemChange.objects.count())
    department_items = DepartmentCatalogItem.objects.count()
    client.get("/catalog/")
    client.get("/catalog/", {"q": "养老"})
    client.get(f"/catalog/{site.catalog.pk}/items/A05/")
    client.get("/catalog/negative-list/")
    client.post("/catalog/screen/", {"title": "居家养老"})
    assert (CatalogItem.objects.count(), CatalogItemChange.objects.count()) == counts
    assert DepartmentCatalogItem.objects.count() == department_items
