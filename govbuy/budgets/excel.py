"""Excel (.xlsx) export and import of a department's 政府购买服务项目预算表.

One sheet, one row per budget line::

    项目名称 | 部门目录编码 | 本年预算 | 功能分类 | 经济分类 | 资金性质 | 新增项目(是/否)
    | 立项依据及测算 | 集中采购目录(是/否) | 政府采购预算 | 事前绩效评估 | 绩效目标
    | 2027年 | 2028年 …   (one column per out-year of the medium-term plan)

The import files every row as a draft through ``services.create_line`` inside
one transaction: all or nothing. Every bad row is reported (row, column, field,
message), the rule violations (B2, B5 …) included, and nothing is saved unless
the whole file is right. ``import_lines(export_lines(...))`` into an empty year
gives back the same lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from govbuy.accounts.models import Role
from govbuy.budgets.audit_actions import BudgetsAction
from govbuy.core import audit, params
from govbuy.core.errors import InvalidInput
from govbuy.core.permissions import require_member
from govbuy.core.rules import RuleViolation

from . import services
from .models import BudgetLine, FundNature

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

COL_NAME = "项目名称"
COL_ITEM = "部门目录编码"
COL_AMOUNT = "本年预算"
COL_FUNCTIONAL = "功能分类"
COL_ECONOMIC = "经济分类"
COL_FUND = "资金性质"
COL_NEW = "新增项目(是/否)"
COL_JUSTIFICATION = "立项依据及测算"
COL_CENTRALIZED = "集中采购目录(是/否)"
COL_PROCUREMENT = "政府采购预算"
COL_EX_ANTE = "事前绩效评估"
COL_GOALS = "绩效目标"

# (service field, header) in sheet order.
COLUMNS = (
    ("name", COL_NAME),
    ("catalog_item", COL_ITEM),
    ("amount", COL_AMOUNT),
    ("functional_class", COL_FUNCTIONAL),
    ("economic_class", COL_ECONOMIC),
    ("fund_nature", COL_FUND),
    ("is_new", COL_NEW),
    ("justification", COL_JUSTIFICATION),
    ("centralized_catalog", COL_CENTRALIZED),
    ("procurement_budget", COL_PROCUREMENT),
    ("ex_ante_assessment", COL_EX_ANTE),
    ("performance_goals", COL_GOALS),
)
COLUMN_OF = dict(COLUMNS)
REQUIRED = (COL_NAME, COL_ITEM, COL_AMOUNT, COL_FUNCTIONAL, COL_ECONOMIC, COL_JUSTIFICATION)
MONEY_FIELDS = ("amount", "procurement_budget")
TEXT_FIELDS = ("justification", "ex_ante_assessment", "performance_goals")

# 资金性质 as the budget tables write it; the stored keys are accepted too.
FUND_NATURE_NAMES = {
    FundNature.GENERAL_PUBLIC_BUDGET: "一般公共预算",
    FundNature.GOVERNMENT_FUND: "政府性基金预算",
    FundNature.STATE_CAPITAL: "国有资本经营预算",
    FundNature.SPECIAL_ACCOUNT: "财政专户管理资金",
    FundNature.UNIT_FUNDS: "单位资金",
}
_FUND_NATURE_VALUES = {
    **{name: key for key, name in FUND_NATURE_NAMES.items()},
    **{str(key): key for key in FUND_NATURE_NAMES},
}
YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗"}

_UNIT_SUFFIX = re.compile(r"[(（][^()（）]*[)）]$")
_YEAR_COLUMN = re.compile(r"^(\d{4})年?$")
MONEY_FORMAT = "#,##0.00"


def year_column(year: int) -> str:
    return f"{year}年"


def _normal(header: str) -> str:
    """A header as compared: no spaces, no trailing unit such as (元) or (是/否)."""
    text = re.sub(r"\s+", "", header or "")
    return _UNIT_SUFFIX.sub("", text)


_BY_NORMAL = {_normal(header): header for _field, header in COLUMNS}


# -- export ------------------------------------------------------------------------------


def plan_years(region, fiscal_year: int) -> list[int]:
    """The out-years of the medium-term plan in force for the fiscal year (B5)."""
    n = params.get("budget.medium_term_years", region, services.judged_on(fiscal_year))
    return [fiscal_year + k for k in range(1, int(n))]


def _cell(ws, value, *, money=False, wrap=False):
    if value is None or value == "":
        return None
    if money:
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
        return cell
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # text, never a formula, even when it starts with "="
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def export_lines(lines, *, fiscal_year: int, region, title: str = "") -> bytes:
    """The lines (with ``catalog_item`` and ``out_years`` fetched) as one sheet."""
    lines = list(lines)
    years = sorted(
        set(plan_years(region, fiscal_year))
        | {y.year for line in lines for y in line.out_years.all()}
    )
    headers = [header for _field, header in COLUMNS] + [year_column(y) for y in years]

    wb = Workbook(write_only=True)
    wb.properties.creator = "govbuy"
    ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title or f"{fiscal_year}预算表")[:31])
    widths = {COL_NAME: 30, COL_JUSTIFICATION: 50, COL_EX_ANTE: 40, COL_GOALS: 40}
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(header, 16)
    ws.freeze_panes = "B2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for line in lines:
        by_year = {y.year: y.amount for y in line.out_years.all()}
        row = [
            _cell(ws, line.name),
            _cell(ws, line.catalog_item.code),
            _cell(ws, line.amount, money=True),
            _cell(ws, line.functional_class),
            _cell(ws, line.economic_class),
            _cell(ws, FUND_NATURE_NAMES.get(line.fund_nature, line.fund_nature)),
            _cell(ws, YES if line.is_new else NO),
            _cell(ws, line.justification, wrap=True),
            _cell(ws, YES if line.centralized_catalog else NO),
            _cell(ws, line.procurement_budget, money=True),
            _cell(ws, line.ex_ante_assessment, wrap=True),
            _cell(ws, line.performance_goals, wrap=True),
            *(_cell(ws, by_year.get(y), money=True) for y in years),
        ]
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_department_year(department, fiscal_year: int) -> bytes:
    lines = (
        BudgetLine.objects.filter(department=department, fiscal_year=fiscal_year)
        .select_related("catalog_item")
        .prefetch_related("out_years")
        .order_by("code")
    )
    return export_lines(
        lines,
        fiscal_year=fiscal_year,
        region=department.region,
        title=f"{fiscal_year} {department.name}",
    )


# -- import ------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _amount(value):
    """A money cell as the service parses it: numbers keep their value (a float is
    passed as its shortest repr), text as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def file_error(message: str) -> InvalidInput:
    """A problem of the whole file (row 0), in the shape of the row errors."""
    return InvalidInput(
        [{"row": 0, "column": "", "field": "file", "message": message}], code="import_rejected"
    )


def check_size(size: int) -> None:
    """Refuse a file over the limit before reading it."""
    if size > MAX_IMPORT_BYTES:
        raise file_error(
            _("The file is %(size)s; at most %(max)s are accepted.")
            % {"size": filesizeformat(size), "max": filesizeformat(MAX_IMPORT_BYTES)}
        )


def _read(data: bytes) -> list[tuple[int, tuple]]:
    check_size(len(data))
    not_xlsx = _(
        "The file could not be read as an Excel workbook (.xlsx). Save it in .xlsx format "
        "and upload it again."
    )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not an xlsx, corrupt parts …
        raise file_error(not_xlsx) from exc
    try:
        if not wb.worksheets:
            raise file_error(not_xlsx)
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()  # do not trust the <dimension> element of foreign files
        rows = []
        data_rows = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > 1 and any(_text(v) for v in values):
                data_rows += 1
                if data_rows > MAX_ROWS:
                    raise file_error(
                        _("The file has more than %(max)s budget lines; split it.")
                        % {"max": MAX_ROWS}
                    )
            rows.append((number, tuple(values)))
        return rows
    except InvalidInput:
        raise
    except Exception as exc:  # corrupt sheet XML surfaces lazily while iterating
        raise file_error(not_xlsx) from exc
    finally:
        wb.close()


@dataclass
class _Header:
    columns: dict[str, int]  # canonical header → 0-based index
    years: dict[int, tuple[int, str]]  # out-year → (index, header as written)


def _parse_header(cells: tuple) -> _Header:
    errors = []
    columns: dict[str, int] = {}
    years: dict[int, tuple[int, str]] = {}
    expected = "、".join(header for _field, header in COLUMNS)
    for index, raw in enumerate(cells):
        written = _text(raw)
        if not written:
            continue
        name = _normal(written)
        year = _YEAR_COLUMN.match(name)
        canonical = _BY_NORMAL.get(name)
        if canonical is not None and canonical not in columns:
            columns[canonical] = index
        elif year is not None and int(year.group(1)) not in years:
            years[int(year.group(1))] = (index, written)
        elif canonical is not None or year is not None:
            errors.append(
                {
                    "row": 1,
                    "column": written,
                    "field": "file",
                    "message": _("The column %(column)s appears more than once.")
                    % {"column": written},
                }
            )
        else:
            errors.append(
                {
                    "row": 1,
                    "column": written,
                    "field": "file",
                    "message": _(
                        "Unknown column %(column)s. The columns are %(expected)s, then one "
                        "column per out-year such as %(year)s."
                    )
                    % {"column": written, "expected": expected, "year": year_column(2027)},
                }
            )
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        errors.insert(
            0,
            {
                "row": 1,
                "column": "",
                "field": "file",
                "message": _("The first row must name the columns; %(missing)s is missing.")
                % {"missing": "、".join(missing)},
            },
        )
    if errors:
        raise InvalidInput(errors, code="import_rejected")
    return _Header(columns, years)


def _flag(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _row_data(cells: tuple, header: _Header) -> tuple[dict, dict, list[dict]]:
    """(service data, out-year index → column, problems found before the service)."""

    def at(index):
        return cells[index] if index is not None and index < len(cells) else None

    data: dict = {}
    problems: list[dict] = []
    for field, column in COLUMNS:
        index = header.columns.get(column)
        if index is None:
            continue
        value = at(index)
        if field in MONEY_FIELDS:
            data[field] = _amount(value)
        elif field in ("is_new", "centralized_catalog"):
            text = _text(value)
            if not text:
                continue  # the service's default
            flag = _flag(text)
            if flag is None:
                problems.append(
                    {
                        "column": column,
                        "field": field,
                        "message": _("Write 是 or 否, not “%(value)s”.") % {"value": text},
                    }
                )
            else:
                data[field] = flag
        elif field == "fund_nature":
            text = _text(value)
            if not text:
                continue
            key = _FUND_NATURE_VALUES.get(text)
            if key is None:
                problems.append(
                    {
                        "column": column,
                        "field": field,
                        "message": _("Unknown nature of funds “%(value)s”; use one of %(names)s.")
                        % {"value": text, "names": "、".join(FUND_NATURE_NAMES.values())},
                    }
                )
            else:
                data[field] = str(key)
        elif field in TEXT_FIELDS:
            data[field] = "" if value is None else str(value).strip()
        else:
            data[field] = _text(value)
    out_years = []
    year_columns: dict[int, str] = {}
    for year in sorted(header.years):
        index, written = header.years[year]
        value = at(index)
        if _text(value):
            year_columns[len(out_years)] = written
            out_years.append({"year": year, "amount": _amount(value)})
    data["out_years"] = out_years
    return data, year_columns, problems


def _column_of(field: str | None, year_columns: dict[int, str]) -> str:
    if not field:
        return ""
    if field.startswith("out_years"):
        parts = field.split(".")
        if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) in year_columns:
            return year_columns[int(parts[1])]
        return "、".join(year_columns.values())
    return COLUMN_OF.get(field, "")


@transaction.atomic
def import_lines(*, actor, department, fiscal_year, data: bytes) -> list[BudgetLine]:
    """File every row of the sheet as a draft line of ``department`` for
    ``fiscal_year``: all or nothing. Raises ``InvalidInput`` (code
    ``import_rejected``) listing every bad row."""
    require_member(actor, department, roles=(Role.PURCHASER,))
    rows = _read(data)
    if not rows:
        raise file_error(_("The file is empty: the first row must name the columns."))
    header = _parse_header(rows[0][1])
    errors: list[dict] = []
    created: list[BudgetLine] = []
    for number, cells in rows[1:]:
        if not any(_text(v) for v in cells):
            continue  # a blank row
        values, year_columns, problems = _row_data(cells, header)
        found = [{"row": number, **p} for p in problems]
        try:
            line = services.create_line(
                actor=actor, department=department, fiscal_year=fiscal_year, **values
            )
        except InvalidInput as exc:
            for e in exc.errors:
                found.append(
                    {
                        "row": number,
                        "column": _column_of(e.get("field"), year_columns),
                        "field": e.get("field") or "",
                        "message": e["message"],
                    }
                )
        except RuleViolation as exc:
            for v in exc.violations:
                found.append(
                    {
                        "row": number,
                        "column": _column_of(v.field, year_columns),
                        "field": v.field or "",
                        "rule": v.rule,
                        "message": f"[{v.rule}] {v.message}",
                    }
                )
        else:
            created.append(line)
        errors += found
    if errors:
        # Raising rolls back the transaction: the lines filed above are not kept.
        raise InvalidInput(errors, code="import_rejected")
    if not created:
        raise file_error(_("The file has no budget lines below the header row."))
    audit.record(
        actor=actor,
        action=BudgetsAction.TABLE_IMPORT,
        obj=department,
        data={"fiscal_year": created[0].fiscal_year, "lines": [c.code for c in created]},
    )
    return created
