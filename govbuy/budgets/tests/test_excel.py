"""Excel export and import of a department's budget table (govbuy.budgets.excel):
the round trip, all-or-nothing imports listing every bad row, and bad files."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from govbuy.budgets import excel, services
from govbuy.budgets.models import BudgetLine, BudgetLineStatus
from govbuy.core.errors import InvalidInput, NotAllowed
from govbuy.core.models import AuditEvent

D = Decimal
JUSTIFICATION = "全市 120 个助餐点运营补助，按每点每年 4,200 元测算（民政局 2025 年统计）。"
HEADER = [
    "项目名称",
    "部门目录编码",
    "本年预算",
    "功能分类",
    "经济分类",
    "资金性质",
    "新增项目(是/否)",
    "立项依据及测算",
    "集中采购目录(是/否)",
    "政府采购预算",
    "事前绩效评估",
    "绩效目标",
]
FIELDS = (
    "name",
    "amount",
    "total",
    "functional_class",
    "economic_class",
    "fund_nature",
    "is_new",
    "justification",
    "centralized_catalog",
    "procurement_budget",
    "ex_ante_assessment",
    "performance_goals",
    "fiscal_year",
    "status",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def workbook(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def good_row(name="社区老年助餐服务", **cells):
    row = {
        "项目名称": name,
        "部门目录编码": "A050101",
        "本年预算": 500000,
        "功能分类": "2081002",
        "经济分类": "30227",
        "资金性质": "一般公共预算",
        "新增项目(是/否)": "是",
        "立项依据及测算": JUSTIFICATION,
        "集中采购目录(是/否)": "否",
        "政府采购预算": 500000,
        "事前绩效评估": "",
        "绩效目标": "",
    }
    row.update(cells)
    return row


def as_list(row: dict, header=HEADER):
    return [row.get(h) for h in header]


def import_(buying, data, actor=None, year=None):
    return excel.import_lines(
        actor=actor or buying.purchaser,
        department=buying.dept,
        fiscal_year=year or buying.year,
        data=data,
    )


def snapshot(line):
    values = {f: getattr(line, f) for f in FIELDS}
    values["catalog_item"] = line.catalog_item.code
    values["out_years"] = [(y.year, y.amount) for y in line.out_years.all()]
    return values


# --- export ----------------------------------------------------------------------------


def test_export_has_the_chinese_columns_and_one_column_per_out_year(buying):
    buying.line("600000.00", out_years=[{"year": buying.year + 1, "amount": "650000"}])
    data = excel.export_department_year(buying.dept, buying.year)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, f"{buying.year + 1}年", f"{buying.year + 2}年"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["项目名称"] == "社区老年助餐服务"
    assert row["部门目录编码"] == "A050101"
    assert D(str(row["本年预算"])) == D("600000")
    assert row["资金性质"] == "一般公共预算"
    assert row["新增项目(是/否)"] == "是" and row["集中采购目录(是/否)"] == "否"
    assert D(str(row[f"{buying.year + 1}年"])) == D("650000")
    assert row[f"{buying.year + 2}年"] is None


def test_export_of_an_empty_year_is_the_header_only(buying):
    data = excel.export_department_year(buying.dept, buying.year)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][0] == "项目名称"


def test_export_keeps_formula_like_text_as_text(buying):
    buying.line(approve=False, performance_goals="=SUM(A1:A9) 覆盖率≥90%")
    data = excel.export_department_year(buying.dept, buying.year)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cell = ws.cell(row=2, column=HEADER.index("绩效目标") + 1)
    assert cell.data_type == "s" and cell.value == "=SUM(A1:A9) 覆盖率≥90%"


# --- round trip ------------------------------------------------------------------------


def test_export_then_import_into_the_empty_year_reproduces_every_field(buying):
    y = buying.year
    buying.line(
        "600000.00",
        approve=False,
        out_years=[{"year": y + 1, "amount": "650000.50"}, {"year": y + 2, "amount": "1.00"}],
        fund_nature="government_fund",
        performance_goals="覆盖 120 个助餐点\n满意度 ≥ 90%",
        ex_ante_assessment="事前绩效评估：必要性充分。\n（2025-10）",
    )
    buying.line(
        "12345.67",
        approve=False,
        name="社会工作服务",
        is_new=False,
        centralized_catalog=True,
        procurement_budget="12000.00",
        ex_ante_assessment="",
        performance_goals="=1+1",
        fund_nature="unit_funds",
        economic_class="302",
        functional_class="208",
    )
    buying.line("9999999999999.99", approve=False, name="大额", procurement_budget=None)
    before = sorted(
        (snapshot(line) for line in BudgetLine.objects.filter(department=buying.dept)),
        key=lambda s: s["name"],
    )
    data = excel.export_department_year(buying.dept, y)
    for line in BudgetLine.objects.filter(department=buying.dept):
        services.delete_line(actor=buying.purchaser, line=line)
    assert not BudgetLine.objects.filter(department=buying.dept, fiscal_year=y).exists()

    created = import_(buying, data)

    assert len(created) == 3
    after = sorted(
        (snapshot(line) for line in BudgetLine.objects.filter(department=buying.dept)),
        key=lambda s: s["name"],
    )
    assert after == before
    assert all(line.status == BudgetLineStatus.DRAFT for line in created)


def test_import_accepts_units_in_headers_text_amounts_and_english_keys(buying):
    header = [h.replace("(是/否)", "") for h in HEADER]
    header[header.index("本年预算")] = "本年预算（元）"
    row = good_row(**{"本年预算": "500,000.00", "资金性质": "government_fund"})
    row["新增项目"] = "否"
    row["集中采购目录"] = "是"
    row["本年预算（元）"] = "500,000.00"
    created = import_(buying, workbook([as_list(row, header)], header=header))
    line = created[0]
    assert line.amount == D("500000.00")
    assert line.fund_nature == "government_fund"
    assert line.is_new is False and line.centralized_catalog is True


def test_import_is_audited_once_for_the_table(buying):
    before = AuditEvent.objects.count()
    import_(buying, workbook([as_list(good_row()), as_list(good_row("二"))]))
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions == ["budgets.line.create", "budgets.line.create", "budgets.table.import"]


# --- all or nothing ----------------------------------------------------------------------


def test_bad_rows_3_and_5_import_nothing_and_are_all_listed(buying):
    y = buying.year
    header = [*HEADER, f"{y + 1}年", f"{y + 3}年"]
    rows = [
        as_list(good_row("第一"), header),  # row 2
        as_list(good_row("第二", **{"立项依据及测算": "已纳入政府购买服务指导性目录"}), header),
        as_list(good_row("第三", **{f"{y + 1}年": 1000}), header),  # row 4
        as_list(good_row("第四", **{f"{y + 3}年": 1000}), header),  # row 5: beyond the plan
        as_list(good_row("第五"), header),  # row 6
    ]
    lines_before = BudgetLine.objects.count()
    events_before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as exc:
        import_(buying, workbook(rows, header=header))
    errors = exc.value.errors
    assert exc.value.code == "import_rejected"
    assert [(e["row"], e["column"], e["field"]) for e in errors] == [
        (3, "立项依据及测算", "justification"),
        (5, f"{y + 3}年", "out_years"),
    ]
    assert errors[0]["message"].startswith("[B2] ")
    assert errors[1]["message"].startswith("[B5] ") and str(y + 3) in errors[1]["message"]
    assert {e["rule"] for e in errors} == {"B2", "B5"}
    assert BudgetLine.objects.count() == lines_before
    assert AuditEvent.objects.count() == events_before


def test_field_errors_are_mapped_to_their_columns(buying):
    y = buying.year
    header = [*HEADER, f"{y + 1}年"]
    rows = [
        as_list(good_row("", **{"本年预算": -5}), header),
        as_list(good_row("编码错", **{"功能分类": "2a81002", "部门目录编码": "Z999"}), header),
        as_list(good_row("标记错", **{"新增项目(是/否)": "也许", "资金性质": "现金"}), header),
        as_list(good_row("外年错", **{f"{y + 1}年": "abc"}), header),
        as_list(good_row("小数", **{"政府采购预算": "1.234"}), header),
    ]
    with pytest.raises(InvalidInput) as exc:
        import_(buying, workbook(rows, header=header))
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert found == {
        (2, "项目名称"),
        (2, "本年预算"),
        (3, "功能分类"),
        (3, "部门目录编码"),
        (4, "新增项目(是/否)"),
        (4, "资金性质"),
        (5, f"{y + 1}年"),
        (6, "政府采购预算"),
    }
    by = {(e["row"], e["column"]): e for e in exc.value.errors}
    assert by[(2, "本年预算")]["field"] == "amount"
    assert "more than 0" in by[(2, "本年预算")]["message"]
    assert by[(5, f"{y + 1}年")]["field"] == "out_years.0.amount"
    assert "也许" in by[(4, "新增项目(是/否)")]["message"]
    assert not BudgetLine.objects.filter(department=buying.dept).exists()


# --- bad files ---------------------------------------------------------------------------


def file_errors(buying, data):
    with pytest.raises(InvalidInput) as exc:
        import_(buying, data)
    return exc.value.errors


def test_not_an_xlsx_is_refused_with_a_clear_message(buying):
    for data in (b"", b"name,amount\n", b"PK\x03\x04 broken zip", "项目".encode()):
        errors = file_errors(buying, data)
        assert errors[0]["row"] == 0 and errors[0]["field"] == "file"
        assert "could not be read as an Excel workbook" in errors[0]["message"]


def test_a_file_over_the_limit_is_refused_before_reading(buying):
    errors = file_errors(buying, b"x" * (excel.MAX_IMPORT_BYTES + 1))
    assert errors[0]["row"] == 0 and "at most 5.0" in errors[0]["message"]


def test_header_problems_are_reported_on_row_1(buying):
    errors = file_errors(buying, workbook([["x"]], header=["项目名称", "备注", "本年预算"]))
    assert all(e["row"] == 1 for e in errors)
    assert "部门目录编码" in errors[0]["message"]  # missing columns first
    assert any(e["column"] == "备注" for e in errors)
    errors = file_errors(buying, workbook([], header=[*HEADER, "本年预算"]))
    assert any("more than once" in e["message"] for e in errors)


def test_a_file_without_lines_is_refused(buying):
    errors = file_errors(buying, workbook([[None] * len(HEADER)]))
    assert "no budget lines" in errors[0]["message"]
    errors = file_errors(buying, workbook([], header=None))
    assert errors[0]["row"] == 0


def test_too_many_rows_are_refused(buying, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    rows = [as_list(good_row(str(n))) for n in range(3)]
    errors = file_errors(buying, workbook(rows))
    assert "more than 2" in errors[0]["message"]


def test_only_the_departments_purchasers_import(buying):
    data = workbook([as_list(good_row())])
    for actor in (buying.other_purchaser, buying.finance, buying.auditor):
        with pytest.raises(NotAllowed):
            import_(buying, data, actor=actor)
    assert not BudgetLine.objects.exists()


def test_a_year_outside_the_filing_window_is_refused_as_a_whole(buying):
    from govbuy.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        import_(buying, workbook([as_list(good_row())]), year=buying.year + 5)
    assert exc.value.field == "fiscal_year"
    assert not BudgetLine.objects.exists()
