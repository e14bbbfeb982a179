"""S11 and C8 (Q20, Q25) through the services, the pages and the API.

S11: a 公益一类 unit (郑州市疾病预防控制中心, registered as a purchaser of
auxiliary services only) buys auxiliary services for its own work; a public
service is refused (S3), a purchase that reads as its main function is warned
(S11) and shown to the finance bureau.

C8: when a purchase buys a service a 公益一类 unit is funded to provide (the
centre's 核酸检测), the purchase does not start — the requirements are not
approved, no notice goes out — until the same-level finance bureau and the
unit's competent department (郑州市卫健委) have each confirmed, with a note,
that the unit cannot meet the demand; a refusal stops it. Each sign-off is
recorded and audited."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.urls import reverse

from govbuy.core.errors import ApplicationError, InvalidState, NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus
from govbuy.procurement.tests.test_views import requirement
from govbuy.tendering import services as tendering_services

API = "/api/v1"
PW1 = {"org_type": "public_institution", "institution_class": "public_welfare_1"}


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages in English (the source text), pages too."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _catalog(purchaser, finance, org, year, items):
    from govbuy.catalog import department

    dc = department.create_department_catalog(actor=purchaser, organization=org, year=year)
    for parent, code, name in items:
        department.add_department_item(
            actor=purchaser, department_catalog=dc, parent_code=parent, code=code, name=name
        )
    department.submit_department_catalog(actor=purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=finance, department_catalog=dc)
    return dc


def _line(purchaser, finance, org, item, year, *, name, justification, amount="800000.00"):
    from govbuy.budgets import services as budgets

    line = budgets.create_line(
        actor=purchaser,
        department=org,
        fiscal_year=year,
        amount=amount,
        name=name,
        catalog_item=item,
        functional_class="2100409",
        economic_class="30227",
        justification=justification,
        procurement_budget=amount,
        ex_ante_assessment="事前绩效评估：必要性充分（2026-10）。",
        out_years=[{"year": year + 1, "amount": "1"}],
    )
    budgets.submit_line(actor=purchaser, line=line)
    budgets.approve_line(actor=finance, line=line)
    line.refresh_from_db()
    return line


@pytest.fixture
def health(buying, make_org, make_user):
    """郑州市卫健委 (a purchasing department) and its 公益一类 unit 郑州市疾病预防控制中心,
    a purchaser of auxiliary services only, funded to provide 核酸检测 (A0702)."""
    from govbuy.accounts import services as accounts
    from govbuy.catalog.models import PublicUnitService

    y = buying.year
    wjw = make_org("郑州市卫生健康委员会（测）", "410100", is_purchaser=True)
    cdc = make_org(
        "郑州市疾病预防控制中心（测）",
        "410100",
        **PW1,
        competent_department=wjw,
        is_purchaser=True,
        auxiliary_purchaser=True,
    )
    PublicUnitService.objects.create(
        organization=cdc, item_code="A0702", name="核酸检测", capacity_note="日检测约 2 万管"
    )
    people = {}
    for key, org in (("wjw", wjw), ("cdc", cdc)):
        people[key] = make_user("purchaser", org)
        boss = make_user()
        accounts.add_membership(
            actor="test", user=boss, organization=org, role="purchaser", is_manager=True
        )
        people[f"{key}_manager"] = boss
    cdc_dc = _catalog(
        people["cdc"],
        buying.finance,
        cdc,
        y,
        [
            ("E15", "E1502", "档案整理与数字化服务"),
            ("E12", "E1204", "设施设备运行维护服务"),
            ("A07", "A0702", "核酸检测"),
        ],
    )
    wjw_dc = _catalog(people["wjw"], buying.finance, wjw, y, [("A07", "A0702", "核酸检测")])
    return SimpleNamespace(
        **vars(buying),
        wjw=wjw,
        cdc=cdc,
        cdc_dc=cdc_dc,
        wjw_dc=wjw_dc,
        cdc_purchaser=people["cdc"],
        cdc_manager=people["cdc_manager"],
        wjw_purchaser=people["wjw"],
        wjw_manager=people["wjw_manager"],
    )


def _project(h, line, actor, *, name, content):
    fields = requirement(h.year, content=content)
    return services.create_project(
        actor=actor, budget_line=line, name=name, amount="300000.00", **fields
    )


def rules_of(exc) -> list[str]:
    return [v.rule for v in exc.violations]


# --- S11 ---------------------------------------------------------------------------------------


def test_s11_a_public_welfare_1_unit_buys_an_auxiliary_service_for_its_own_work(health):
    h = health
    item = h.cdc_dc.items.get(code="E1502")
    line = _line(
        h.cdc_purchaser,
        h.finance,
        h.cdc,
        item,
        h.year,
        name="历年检测档案整理与数字化",
        justification="档案 12 万卷，按每卷 6 元测算（2025 年清点）。",
    )
    project = _project(
        h,
        line,
        h.cdc_purchaser,
        name="检测档案整理与数字化服务",
        content="历年纸质档案整理、扫描与著录",
    )
    assert project.status == ProjectStatus.DRAFT
    assert not [w for w in project.warnings if w["rule"] in ("S3", "S11")]
    assert not line.warnings


def test_s3_a_public_welfare_1_unit_files_no_line_for_a_public_service(health):
    from govbuy.budgets.models import BudgetLine

    h = health
    item = h.cdc_dc.items.get(code="A0702")
    with pytest.raises(RuleViolation) as exc:
        _line(
            h.cdc_purchaser,
            h.finance,
            h.cdc,
            item,
            h.year,
            name="核酸检测采样",
            justification="全市采样点 300 个，按每点 2,000 元测算。",
        )
    assert rules_of(exc.value) == ["S3"]
    assert exc.value.violations[0].field == "catalog_item"
    assert not BudgetLine.objects.filter(department=h.cdc).exists()


def test_s3_nor_a_purchase_of_a_public_service_on_a_line_filed_before(health):
    from govbuy.catalog.models import DepartmentCatalogItem

    h = health
    item = h.cdc_dc.items.get(code="E1502")
    line = _line(
        h.cdc_purchaser,
        h.finance,
        h.cdc,
        item,
        h.year,
        name="档案数字化",
        justification="档案 12 万卷，按每卷 6 元测算（2025 年清点）。",
    )
    # The item is reclassified as a public service after the line was approved.
    DepartmentCatalogItem.objects.filter(pk=item.pk).update(kind="public_service")
    with pytest.raises(RuleViolation) as exc:
        _project(h, line, h.cdc_purchaser, name="档案数字化服务", content="档案扫描")
    assert "S3" in rules_of(exc.value)
    line.refresh_from_db()
    assert line.committed == 0


def test_s11_a_purchase_that_reads_as_the_units_main_function_is_warned_and_shown_to_finance(
    client, health
):
    h = health
    item = h.cdc_dc.items.get(code="E1204")
    line = _line(
        h.cdc_purchaser,
        h.finance,
        h.cdc,
        item,
        h.year,
        name="核酸检测实验室运行服务",
        justification="承担本中心核酸检测实验室的样本检测，日均 5,000 管，按每管 3 元测算。",
    )
    assert [w["rule"] for w in line.warnings] == ["S11"]
    project = _project(
        h,
        line,
        h.cdc_purchaser,
        name="核酸检测实验室运行服务",
        content="由承接方承担本中心核酸检测实验室的样本检测工作",
    )
    s11 = [w for w in project.warnings if w["rule"] == "S11"]
    assert s11 and s11[0]["severity"] == "warn" and "核酸检测" in s11[0]["message"]
    assert s11[0]["basis"] == "Q20"
    # The finance bureau sees it: on the project page and in its inbox.
    client.force_login(h.finance)
    page = client.get(reverse("procurement:project_detail", args=[project.pk]))
    assert page.status_code == 200 and "S11" in page.content.decode()
    inbox = client.get(reverse("procurement:inbox"))
    assert project in inbox.context["s11_purchases"]
    assert project.code in inbox.content.decode()
    # Another city's finance bureau does not.
    client.force_login(h.finance_ly)
    assert project not in client.get(reverse("procurement:inbox")).context["s11_purchases"]


# --- C8: two confirmations before the purchase starts --------------------------------------------


@pytest.fixture
def c8(health):
    """A purchase by 郑州市卫健委 of 核酸检测 from society: the centre is funded to provide it."""
    h = health
    line = _line(
        h.wjw_purchaser,
        h.finance,
        h.wjw,
        h.wjw_dc.items.get(code="A0702"),
        h.year,
        name="社会化核酸检测补充服务",
        justification="疾控中心日检测能力 2 万管，高峰需求 5 万管，差额 3 万管按每管 3 元测算。",
        amount="2000000.00",
    )
    project = _project(
        h,
        line,
        h.wjw_purchaser,
        name="社会化核酸检测补充服务",
        content="高峰期补充核酸检测能力，每日 3 万管",
    )
    h.project = project
    return h


def _submit(h):
    services.submit_for_review(actor=h.wjw_purchaser, project=h.project)


def _approve(h):
    return services.review_requirements(
        actor=h.wjw_manager,
        project=h.project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )


def _sign(
    h, actor, side, confirm=True, note="经核实，疾控中心高峰期检测能力不足，需向社会力量购买补充。"
):
    row = h.project.capacity_confirmations.get(unit=h.cdc)
    return services.sign_capacity(
        actor=actor, confirmation=row, side=side, confirm=confirm, note=note
    )


def test_c8_the_purchase_waits_for_the_finance_bureau_and_the_competent_department(c8):
    h = c8
    assert "C8" in [w["rule"] for w in h.project.warnings]
    row = h.project.capacity_confirmations.get()
    assert row.unit == h.cdc and row.status == "pending" and row.service == "核酸检测"
    _submit(h)
    with pytest.raises(RuleViolation) as exc:
        _approve(h)
    assert rules_of(exc.value) == ["C8"] and exc.value.violations[0].severity == "hard"
    h.project.refresh_from_db()
    assert h.project.status == ProjectStatus.REVIEW
    _sign(h, h.finance, "finance")
    with pytest.raises(RuleViolation):
        _approve(h)  # one sign-off is not enough
    _sign(h, h.wjw_manager, "department")
    row.refresh_from_db()
    assert row.status == "confirmed"
    assert row.finance_by == h.finance and row.finance_org == h.zz and row.finance_note
    assert row.department_by == h.wjw_manager and row.department_org == h.wjw
    _approve(h)
    h.project.refresh_from_db()
    assert h.project.status == ProjectStatus.APPROVED
    actions = list(
        AuditEvent.objects.filter(action__startswith="procurement.capacity").values_list(
            "action", flat=True
        )
    )
    assert actions == ["procurement.capacity.confirm", "procurement.capacity.confirm"]


def test_c8_a_refusal_stops_the_purchase(c8):
    h = c8
    _submit(h)
    _sign(h, h.finance, "finance", confirm=False, note="疾控中心现有能力可满足需求，不得另行购买。")
    _sign(h, h.wjw_manager, "department")
    with pytest.raises(RuleViolation) as exc:
        _approve(h)
    assert "can meet the demand" in exc.value.violations[0].message
    with pytest.raises(InvalidState):  # a sign-off is given once
        _sign(h, h.finance, "finance")
    assert AuditEvent.objects.filter(action="procurement.capacity.refuse").count() == 1


def test_c8_who_signs_and_what_a_sign_off_needs(c8, make_org, make_user):
    h = c8
    for actor, side in (
        (h.finance_ly, "finance"),  # another city's bureau
        (h.auditor, "finance"),
        (h.wjw_purchaser, "finance"),
        (h.wjw_purchaser, "department"),  # not a manager (负责人)
        (h.cdc_manager, "department"),  # the unit itself does not judge its capacity
        (h.manager, "department"),  # a manager of another department
        (h.finance, "department"),
    ):
        with pytest.raises(NotAllowed):
            _sign(h, actor, side)
    with pytest.raises(ApplicationError) as exc:
        _sign(h, h.finance, "finance", note="  ")
    assert exc.value.field == "note"
    with pytest.raises(ApplicationError) as exc:
        _sign(h, h.finance, "both")
    assert exc.value.field == "side"
    row = h.project.capacity_confirmations.get()
    assert row.status == "pending" and not row.finance_note
    assert not AuditEvent.objects.filter(action__startswith="procurement.capacity").exists()


def test_c8_no_notice_while_a_confirmation_is_missing(c8, make_org):
    """A unit registered after the requirements were approved: the notice waits too."""
    from govbuy.catalog.models import PublicUnitService

    h = c8
    _submit(h)
    _sign(h, h.finance, "finance")
    _sign(h, h.wjw_manager, "department")
    _approve(h)
    services.choose_method(actor=h.wjw_purchaser, project=h.project, method="competitive_review")
    lab = make_org("郑州市卫生检测中心（测）", "410100", **PW1, competent_department=h.wjw)
    PublicUnitService.objects.create(organization=lab, item_code="A07", name="公共卫生检测")
    h.project.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=h.wjw_purchaser,
            project=h.project,
            bid_deadline=f"{h.year + 1}-03-01T09:30",
            criteria=[],
        )
    assert rules_of(exc.value) == ["C8"]
    assert lab.name in exc.value.violations[0].message
    # Its confirmation is asked for, to be signed before the notice goes out.
    assert h.project.capacity_confirmations.get(unit=lab).status == "pending"


def test_c8_no_confirmation_is_asked_without_a_public_welfare_1_unit(buying):
    from govbuy.procurement.tests.test_views import make_project, new_line

    project = make_project(buying, new_line(buying))
    assert not project.capacity_confirmations.exists()
    assert "C8" not in [w["rule"] for w in project.warnings]


# --- C8 on the pages -----------------------------------------------------------------------------


def test_c8_pages_the_project_shows_both_sign_offs_and_each_side_signs_on_its_page(client, c8):
    h = c8
    row = h.project.capacity_confirmations.get()
    client.force_login(h.wjw_purchaser)
    page = client.get(reverse("procurement:project_detail", args=[h.project.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "C8" in text and h.cdc.name in text
    assert reverse("procurement:capacity_detail", args=[row.pk]) in text
    # The purchaser may read the confirmation but signs neither side.
    url = reverse("procurement:capacity_detail", args=[row.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"side": "finance", "decision": "confirm", "note": "x"})
    assert r.status_code == 403
    # The finance bureau: a note is needed; then it signs.
    client.force_login(h.finance)
    r = client.post(url, {"side": "finance", "decision": "confirm", "note": ""})
    assert r.status_code == 200 and r.context["form"].errors
    r = client.post(url, {"side": "finance", "decision": "confirm", "note": "能力不足，同意购买。"})
    assert r.status_code == 302
    # The competent department's manager signs on the same page.
    client.force_login(h.wjw_manager)
    r = client.post(url, {"side": "department", "decision": "confirm", "note": "同意。"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.status == "confirmed"
    page = client.get(reverse("procurement:project_detail", args=[h.project.pk])).content.decode()
    assert "能力不足，同意购买。" in page and "同意。" in page
    # Someone of another department sees nothing.
    client.force_login(h.other_purchaser)
    assert client.get(url).status_code == 404


def test_c8_pages_the_inboxes_list_what_waits_for_each_side(client, c8):
    h = c8
    row = h.project.capacity_confirmations.get()
    client.force_login(h.finance)
    assert row in client.get(reverse("procurement:inbox")).context["capacity"]
    client.force_login(h.wjw_manager)
    assert row in client.get(reverse("procurement:inbox")).context["capacity"]
    client.force_login(h.finance_ly)
    assert row not in client.get(reverse("procurement:inbox")).context["capacity"]
    _sign(h, h.finance, "finance")
    client.force_login(h.finance)
    assert row not in client.get(reverse("procurement:inbox")).context["capacity"]


# --- C8 in the API -------------------------------------------------------------------------------


def test_c8_api_both_sign_offs(client, c8):
    h = c8
    row = h.project.capacity_confirmations.get()

    def post(path, body):
        return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")

    client.force_login(h.wjw_purchaser)
    r = client.get(f"{API}/projects/{h.project.pk}/capacity-confirmations")
    assert r.status_code == 200, r.content
    (data,) = r.json()
    assert data["id"] == row.pk and data["status"] == "pending" and data["unit"]["id"] == h.cdc.pk
    r = post(f"/capacity-confirmations/{row.pk}/finance", {"confirm": True, "note": "x"})
    assert r.status_code == 403
    client.force_login(h.finance)
    r = post(f"/capacity-confirmations/{row.pk}/finance", {"confirm": True, "note": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = post(f"/capacity-confirmations/{row.pk}/finance", {"confirm": True, "note": "能力不足。"})
    assert r.status_code == 200, r.content
    assert r.json()["finance"] == "confirmed" and r.json()["status"] == "pending"
    client.force_login(h.wjw_manager)
    r = post(f"/capacity-confirmations/{row.pk}/department", {"confirm": True, "note": "同意。"})
    assert r.status_code == 200 and r.json()["status"] == "confirmed", r.content
    client.force_login(h.other_purchaser)
    assert client.get(f"{API}/capacity-confirmations/{row.pk}").status_code == 404
    r = post(f"/capacity-confirmations/{row.pk}/department", {"confirm": True, "note": "同意。"})
    assert r.status_code == 404
