"""Catalog services on a real database: seed, copy, publish, adjustments (C4, C6),
department catalogs (C5), negative list (C7), Excel round trip, search."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from govbuy.catalog import department, seed, selectors, services
from govbuy.catalog.models import (
    AdjustmentStatus,
    Catalog,
    CatalogAdjustment,
    CatalogItem,
    CatalogItemChange,
    DepartmentCatalogStatus,
    NegativeListItem,
)
from govbuy.catalog.tests.conftest import YEAR
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation

BEFORE = dt.date(YEAR, 6, 1)
AFTER = dt.date(YEAR, 11, 21)


def _append(ws, code, *path, kind="公共服务", description=""):
    """Append a row by header name (the export adds 五级 when the tree is deeper)."""
    header = [c.value for c in ws[1]]
    levels = [h for h in header if h and h.endswith("级")]
    values = {"编码": code, "类型": kind, "说明": description}
    values.update(zip(levels, path, strict=False))
    ws.append([values.get(h, "") for h in header])


def _items(catalog):
    return list(
        catalog.items.filter(is_active=True)
        .order_by("sort_key")
        .values_list(
            "code",
            "name",
            "kind",
            "category",
            "depth",
            "description",
            "procurement_code",
            "keywords",
        )
    )


def test_the_seed_catalog_has_the_required_shape(world):
    items = world.catalog.items.all()
    by_depth = {d: items.filter(depth=d).count() for d in (1, 2, 3)}
    assert by_depth[1] == 6 and by_depth[2] >= 40 and by_depth[3] >= 120
    assert items.filter(depth__gte=4).exists()
    assert set(items.filter(depth=1).values_list("category", flat=True)) == {
        "basic_public",
        "social_management",
        "industry",
        "technical",
        "auxiliary",
        "other",
    }
    # C1 holds for every shipped item
    from govbuy.catalog import rules

    for item in items:
        assert rules.kind_violations(item.kind, item.category) == [], item


def test_the_national_negative_list_is_loaded_on_migrate(db):
    clauses = set(NegativeListItem.objects.values_list("clause", flat=True))
    assert {"art10_1", "art10_2", "art10_3", "art10_4", "art10_5", "caiyu_2017_87"} <= clauses
    assert NegativeListItem.objects.filter(region__code="510100").exists()  # 成都
    assert NegativeListItem.objects.filter(region__code="440300").exists()  # 深圳


def test_catalog_in_force_walks_up_to_the_province_then_national(world, region):
    assert selectors.catalog_in_force(region("410122"), YEAR) == world.catalog
    assert selectors.catalog_in_force(region("410122"), YEAR - 1) is None
    national = seed.load_guidance_catalog(year=YEAR)
    assert selectors.catalog_in_force(region("110000"), YEAR) == national
    assert selectors.catalog_in_force(region("410100"), YEAR) == world.catalog


def test_a_new_year_starts_as_a_copy_with_queued_adjustments_applied(world):
    adj = services.propose_adjustment(
        actor=world.purchaser,
        proposer=world.dept,
        action="add",
        parent_code="A05",
        fields={"name": "老年人智能技术运用培训服务"},
        reason="数字鸿沟",
        today=AFTER,
    )
    assert adj.target_year == YEAR + 1
    assert [w["rule"] for w in adj.warnings] == ["C6"]
    services.approve_adjustment(actor=world.finance_hn, adjustment=adj)
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.APPROVED and adj.applied_at is None
    assert not world.catalog.items.filter(name="老年人智能技术运用培训服务").exists()

    new = services.copy_catalog(actor=world.finance_hn, source=world.catalog, year=YEAR + 1)
    assert new.status == "draft" and new.copied_from == world.catalog
    copied = _items(new)
    assert len(copied) == len(_items(world.catalog)) + 1
    added = new.items.get(name="老年人智能技术运用培训服务")
    assert added.parent.code == "A05" and added.kind == "public_service"
    adj.refresh_from_db()
    assert adj.applied_at is not None and adj.code == added.code
    assert not Catalog.objects.published().filter(year=YEAR + 1).exists()
    services.publish_catalog(actor=world.finance_hn, catalog=new)
    with pytest.raises(InvalidState):
        services.publish_catalog(actor=world.finance_hn, catalog=new)


def test_only_the_keeping_bureau_copies_or_publishes(world):
    with pytest.raises(services.NotAllowed):
        services.copy_catalog(actor=world.finance_zz, source=world.catalog, year=YEAR + 1)
    assert not Catalog.objects.filter(year=YEAR + 1).exists()


def test_an_approved_adjustment_enters_the_catalog_with_history(world):
    adj = services.propose_adjustment(
        actor=world.purchaser,
        proposer=world.dept,
        action="add",
        parent_code="A05",
        fields={"name": "失能老年人探访关爱服务", "keywords": "探访、失能"},
        reason="全市失能老人约两万人",
        today=BEFORE,
    )
    assert adj.target_year == YEAR and adj.warnings == []
    services.approve_adjustment(actor=world.finance_hn, adjustment=adj, note="同意")
    item = world.catalog.items.get(name="失能老年人探访关爱服务")
    assert item.keywords == "探访 失能"
    change = CatalogItemChange.objects.get(item=item)
    assert change.action == "added" and change.adjustment == adj
    assert change.reason == "全市失能老人约两万人" and change.actor_repr == "user" or change.actor
    assert AuditEvent.objects.filter(action="catalog.adjustment.approve").exists()

    change_adj = services.propose_adjustment(
        actor=world.purchaser,
        proposer=world.dept,
        action="change",
        item_code=item.code,
        fields={"description": "上门探访、精神慰藉"},
        reason="补充说明",
        today=BEFORE,
    )
    services.approve_adjustment(actor=world.finance_hn, adjustment=change_adj)
    item.refresh_from_db()
    assert item.description == "上门探访、精神慰藉" and item.name == "失能老年人探访关爱服务"

    remove = services.propose_adjustment(
        actor=world.purchaser,
        proposer=world.dept,
        action="remove",
        item_code=item.code,
        reason="并入居家养老服务",
        today=BEFORE,
    )
    services.approve_adjustment(actor=world.finance_hn, adjustment=remove)
    item.refresh_from_db()
    assert not item.is_active
    actions = list(item.changes.order_by("pk").values_list("action", flat=True))
    assert actions == ["added", "changed", "removed"]


def test_c6_only_the_keeping_bureau_decides(world):
    adj = services.propose_adjustment(
        actor=world.purchaser,
        proposer=world.dept,
        action="add",
        parent_code="A05",
        fields={"name": "老年人防诈骗宣传服务"},
        reason="需要",
        today=BEFORE,
    )
    with pytest.raises(RuleViolation) as exc:
        services.approve_adjustment(actor=world.finance_zz, adjustment=adj)
    assert exc.value.violations[0].rule == "C6"
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.SUBMITTED
    with pytest.raises(ApplicationError):
        services.return_adjustment(actor=world.finance_hn, adjustment=adj, note="")
    services.return_adjustment(actor=world.finance_hn, adjustment=adj, note="与A0501重复")
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.RETURNED
    with pytest.raises(InvalidState):
        services.approve_adjustment(actor=world.finance_hn, adjustment=adj)


def test_c6_a_published_catalog_is_not_edited_directly_nor_imported(world):
    item = world.catalog.items.get(code="A0501")
    with pytest.raises(RuleViolation) as exc:
        services.apply_change(
            actor=world.finance_hn,
            catalog=world.catalog,
            action="change",
            reason="x",
            item_code="A0501",
            fields={"name": "改名"},
        )
    assert exc.value.violations[0].rule == "C6"
    data = services.export_catalog(world.catalog)
    with pytest.raises(RuleViolation):
        services.import_catalog(actor=world.finance_hn, catalog=world.catalog, data=data)
    item.refresh_from_db()
    assert item.name == "居家养老服务"


def test_the_keeping_bureau_edits_a_published_catalog_as_a_recorded_adjustment(world):
    item = services.edit_catalog(
        actor=world.finance_hn,
        catalog=world.catalog,
        action="change",
        item_code="A0501",
        fields={"keywords": "养老 上门 助餐"},
        reason="补充关键词",
    )
    assert item.keywords == "养老 上门 助餐"
    adj = CatalogAdjustment.objects.get(origin="finance")
    assert adj.status == "approved" and adj.reason == "补充关键词"
    with pytest.raises(ApplicationError):
        services.edit_catalog(
            actor=world.finance_hn,
            catalog=world.catalog,
            action="change",
            item_code="A0501",
            fields={"keywords": "x"},
            reason="",
        )
    with pytest.raises(services.NotAllowed):
        services.edit_catalog(
            actor=world.finance_zz,
            catalog=world.catalog,
            action="remove",
            item_code="A0501",
            reason="x",
        )


def test_proposals_are_checked_field_by_field_and_refused_whole(world):
    before = CatalogAdjustment.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.propose_adjustment(
            actor=world.purchaser,
            proposer=world.dept,
            action="add",
            parent_code="ZZZ",
            fields={"name": "", "procurement_code": "X1"},
            reason="",
            today=BEFORE,
        )
    fields = {e["field"] for e in exc.value.errors}
    assert {"reason", "parent_code", "name", "procurement_code"} <= fields
    with pytest.raises(services.NotAllowed):
        services.propose_adjustment(
            actor=world.purchaser_ly,
            proposer=world.dept,
            action="remove",
            item_code="A0501",
            reason="x",
        )
    assert CatalogAdjustment.objects.count() == before


def test_a_proposal_to_add_barred_content_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        services.propose_adjustment(
            actor=world.purchaser,
            proposer=world.dept,
            action="add",
            parent_code="E15",
            fields={"name": "劳务派遣服务"},
            reason="人手不足",
            today=BEFORE,
        )
    assert exc.value.violations[0].rule == "C2"
    assert not CatalogAdjustment.objects.exists()


def test_c1_a_proposal_contradicting_its_category_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        services.propose_adjustment(
            actor=world.purchaser,
            proposer=world.dept,
            action="add",
            parent_code="A05",
            fields={"name": "机关内部养老政策研究", "kind": "auxiliary_service"},
            reason="x",
            today=BEFORE,
        )
    assert exc.value.violations[0].rule == "C1"


def test_c4_consent_to_buy_outside_the_catalog_creates_the_adjustment(world):
    consent = services.grant_out_of_catalog_consent(
        actor=world.finance_zz,
        purchaser=world.dept,
        title="独居老人智能烟感监测服务",
        reason="试点项目，目录暂无对应事项",
        parent_code="A05",
        today=BEFORE,
    )
    adj = consent.adjustment
    assert adj.origin == "consent" and adj.status == "submitted" and adj.action == "add"
    assert adj.catalog == world.catalog and adj.proposer == world.dept
    # only finance of the purchaser's region or above consents
    with pytest.raises(services.NotAllowed):
        services.grant_out_of_catalog_consent(
            actor=world.finance_ly,
            purchaser=world.dept,
            title="x",
            reason="y",
            parent_code="A05",
        )
    services.approve_adjustment(actor=world.finance_hn, adjustment=adj)
    assert world.catalog.items.filter(name="独居老人智能烟感监测服务", is_active=True).exists()


# --- department catalogs (C5) ----------------------------------------------------------


def test_c5_department_catalog_lifecycle(world):
    dc = department.create_department_catalog(
        actor=world.purchaser, organization=world.dept, year=YEAR
    )
    assert dc.within == world.catalog
    assert dc.items.filter(depth=1).count() == 6 and dc.items.filter(depth__gte=3).count() == 0
    with pytest.raises(InvalidState):
        department.submit_department_catalog(actor=world.purchaser, department_catalog=dc)
    department.add_department_item(
        actor=world.purchaser,
        department_catalog=dc,
        parent_code="A05",
        code="A0501",
        name="居家养老服务",
    )
    own = department.add_department_item(
        actor=world.purchaser,
        department_catalog=dc,
        parent_code="A0501",
        code="A050199",
        name="高龄老人上门探访",
    )
    assert own.guidance_item.code == "A0501" and own.depth == 4
    # C5: an item under A05 cannot be a B item
    with pytest.raises(RuleViolation) as exc:
        department.add_department_item(
            actor=world.purchaser,
            department_catalog=dc,
            parent_code="A05",
            code="B0401",
            name="法律援助案件代理服务",
        )
    assert exc.value.violations[0].rule == "C5"
    with pytest.raises(RuleViolation):
        department.add_department_item(
            actor=world.purchaser,
            department_catalog=dc,
            parent_code="A",
            code="A99",
            name="自设二级类",
        )
    department.submit_department_catalog(actor=world.purchaser, department_catalog=dc)
    with pytest.raises(InvalidState):
        department.add_department_item(
            actor=world.purchaser,
            department_catalog=dc,
            parent_code="A05",
            code="A0502",
            name="社区养老服务",
        )
    # the finance bureau of the department's own region approves; others may not
    with pytest.raises(services.NotAllowed):
        department.approve_department_catalog(actor=world.finance_hn, department_catalog=dc)
    with pytest.raises(ApplicationError):
        department.return_department_catalog(
            actor=world.finance_zz, department_catalog=dc, note=" "
        )
    department.return_department_catalog(
        actor=world.finance_zz, department_catalog=dc, note="请补充社区养老"
    )
    dc.refresh_from_db()
    assert dc.status == DepartmentCatalogStatus.RETURNED and dc.is_editable
    department.submit_department_catalog(actor=world.purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=world.finance_zz, department_catalog=dc)
    dc.refresh_from_db()
    assert dc.status == "approved"
    from govbuy.catalog import rules

    assert rules.department_catalog_use_violations(status=dc.status) == []


def test_department_catalog_excel_round_trip_and_c5_rows(world):
    dc = department.create_department_catalog(
        actor=world.purchaser, organization=world.dept, year=YEAR
    )
    department.add_department_item(
        actor=world.purchaser,
        department_catalog=dc,
        parent_code="A05",
        code="A0501",
        name="居家养老服务",
    )
    data = department.export_department_catalog(dc)
    before = list(dc.items.order_by("sort_key").values_list("code", "name", "kind", "depth"))
    assert department.import_department_catalog(
        actor=world.purchaser, department_catalog=dc, data=data
    ) == len(before)
    after = list(dc.items.order_by("sort_key").values_list("code", "name", "kind", "depth"))
    assert after == before

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.append(["A0599X", "基本公共服务", "基本养老服务-改名", "", "", "公共服务", ""])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidInput) as exc:
        department.import_department_catalog(
            actor=world.purchaser, department_catalog=dc, data=buf.getvalue()
        )
    assert exc.value.code == "import_rejected"
    assert any("[C5]" in e["message"] for e in exc.value.errors)
    assert (
        list(dc.items.order_by("sort_key").values_list("code", "name", "kind", "depth")) == before
    )


# --- Excel: guidance catalog ---------------------------------------------------------------


def test_catalog_excel_round_trip_reproduces_the_catalog_exactly(world):
    data = services.export_catalog(world.catalog)
    draft = services.create_catalog(
        actor=world.finance_hn,
        region=world.catalog.region,
        owner=world.hn,
        year=YEAR + 2,
        name="草稿",
    )
    n = services.import_catalog(actor=world.finance_hn, catalog=draft, data=data, reason="导入")
    assert n == world.catalog.items.filter(is_active=True).count()
    assert _items(draft) == _items(world.catalog)
    # the search columns are rebuilt too
    assert {i.code for i in selectors.search_catalog(draft, "yanglao")} == {
        i.code for i in selectors.search_catalog(world.catalog, "yanglao")
    }


def test_a_file_with_bad_rows_imports_nothing_and_lists_each_row(world):
    draft = services.create_catalog(
        actor=world.finance_hn,
        region=world.catalog.region,
        owner=world.hn,
        year=YEAR + 2,
        name="草稿",
    )
    good = services.export_catalog(world.catalog)
    services.import_catalog(actor=world.finance_hn, catalog=draft, data=good)
    before = _items(draft)
    wb = openpyxl.load_workbook(io.BytesIO(good))
    ws = wb.active
    kind_column = [c.value for c in ws[1]].index("类型") + 1
    ws.cell(row=3, column=kind_column, value="商品")  # unknown kind
    ws.cell(row=5, column=1, value="")  # no code
    _append(ws, "A0501", "基本公共服务", "基本养老服务", "重复编码")  # duplicate code
    _append(ws, "A9901", "基本公共服务", "不存在的二级", "养老研究")  # no parent
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidInput) as exc:
        services.import_catalog(actor=world.finance_hn, catalog=draft, data=buf.getvalue())
    rows = {e["row"] for e in exc.value.errors}
    assert {3, 5, ws.max_row - 1, ws.max_row} <= rows
    assert _items(draft) == before
    # rule problems (C1 kind against category, C2 barred content) are row errors too
    wb = openpyxl.load_workbook(io.BytesIO(good))
    ws = wb.active
    aux = "政府履职所需辅助性服务"
    _append(ws, "E9901", aux, "其他机关后勤服务", "劳务派遣服务", kind=aux)
    _append(ws, "A0599", "基本公共服务", "基本养老服务", "养老政策研究", kind=aux)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidInput) as exc:
        services.import_catalog(actor=world.finance_hn, catalog=draft, data=buf.getvalue())
    messages = {e["row"]: e["message"] for e in exc.value.errors}
    assert "[C2]" in messages[ws.max_row - 1] and "[C1]" in messages[ws.max_row]
    assert _items(draft) == before


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["养老", "居家养老", "yanglao", "yl", "jujiayanglao", "jjyl"])
def test_search_finds_elderly_care_by_chinese_and_pinyin(world, query):
    hits = list(selectors.search_catalog(world.catalog, query)[:10])
    assert hits, query
    assert any("养老" in h.name for h in hits[:3]), [h.name for h in hits]


def test_search_ranks_exact_and_prefix_names_first(world):
    hits = list(selectors.search_catalog(world.catalog, "居家养老服务")[:3])
    assert hits[0].name == "居家养老服务"
    hits = list(selectors.search_catalog(world.catalog, "A05")[:2])
    assert hits[0].code == "A05"


def test_search_finds_by_keyword_and_handles_nonsense(world):
    assert list(selectors.search_catalog(world.catalog, "")) == []
    assert list(selectors.search_catalog(world.catalog, "！！！")) == []
    assert list(selectors.search_catalog(world.catalog, "qqqqxxzz")) == []
    assert list(selectors.search_catalog(world.catalog, "x" * 5000)) == []


def test_removed_items_are_not_found(world):
    services.edit_catalog(
        actor=world.finance_hn,
        catalog=world.catalog,
        action="remove",
        item_code="A0501",
        reason="测试",
    )
    codes = {i.code for i in selectors.search_catalog(world.catalog, "居家养老")}
    assert "A0501" not in codes
    assert not CatalogItem.objects.get(catalog=world.catalog, code="A050101").is_active


# --- negative list ---------------------------------------------------------------------------


def test_negative_list_is_kept_per_region_and_inherited(world, region):
    item = services.save_negative_item(
        actor=world.finance_zz,
        region=region("410100"),
        clause="local",
        title="代发各类补贴资金",
        description="补贴发放由财政直接支付更高效",
        basis="郑州（演示）",
        phrases="代发 + 补贴|补贴资金",
    )
    assert item.rule == "C7"
    in_force = selectors.negative_list(region("410122"))  # a county under 郑州
    assert item in in_force
    assert item not in selectors.negative_list(region("410300"))  # 洛阳
    with pytest.raises(InvalidInput) as exc:
        services.save_negative_item(
            actor=world.finance_zz,
            region=region("410100"),
            clause="local",
            title="x",
            description="y",
            basis="z",
            phrases="代发 + \n + +",
        )
    assert exc.value.errors[0]["field"] == "phrases"
    with pytest.raises(services.NotAllowed):
        services.save_negative_item(
            actor=world.finance_ly,
            region=region("410100"),
            clause="local",
            title="x",
            description="y",
            basis="z",
        )


# --- plausible years (issue 11, item 19) ------------------------------------------------


def _catalog_year_refused(call) -> bool:
    try:
        call()
    except ApplicationError as exc:
        return exc.field == "year"
    return False


@pytest.mark.parametrize("year", [1999, -1811003593071595, 10**20, "abc", "plan+1"])
def test_an_implausible_catalog_year_is_a_field_error_and_creates_nothing(world, year):
    """From the earliest plausible year (2000) to the last year of the medium-term
    plan that starts this year; anything else is refused beside the year."""
    if year == "plan+1":
        year = timezone.localdate().year + 3
    before = Catalog.objects.count()
    assert _catalog_year_refused(
        lambda: services.copy_catalog(actor=world.finance_hn, source=world.catalog, year=year)
    )
    assert _catalog_year_refused(
        lambda: services.create_catalog(
            actor=world.finance_hn, region=world.catalog.region, owner=world.hn, year=year, name="x"
        )
    )
    assert _catalog_year_refused(
        lambda: department.create_department_catalog(
            actor=world.purchaser, organization=world.dept, year=year
        )
    )
    assert Catalog.objects.count() == before


def test_the_plausible_catalog_years_edges_are_taken(world):
    last = timezone.localdate().year + 2  # the medium-term plan: this year and two more
    for year in (2000, last):
        services.create_catalog(
            actor=world.finance_hn, region=world.catalog.region, owner=world.hn, year=year, name="x"
        )
    assert services.copy_catalog(actor=world.finance_hn, source=world.catalog, year=2001)
