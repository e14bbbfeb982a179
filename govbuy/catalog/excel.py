"""Excel (.xlsx) import and export of guidance catalogs (指导性目录).

A pure module: no database, no models. The sheet has one row per catalog item
with its full path spelled out in the level columns::

    编码 | 一级 | 二级 | 三级 | 四级 [| 五级 …] | 类型 | 说明 | 品目编码 | 关键词

:func:`export_workbook` writes such a sheet; :func:`parse_workbook` reads one
back strictly and reports every bad row. The caller imports nothing when the
error list is non-empty, and ``parse_workbook(export_workbook(rows))`` gives
back exactly ``rows``.

Import rules worth knowing:

* A blank ancestor level cell is taken from the row above (as merged cells
  read), but only while this row's ancestors so far are the same as the row
  above; an item's own level is its deepest non-blank level cell.
* Every ancestor of an item must be a row of its own (in any order), and the
  first level must be one of the six categories.
* Only the first worksheet is read; formulas count by their cached values.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

__all__ = [
    "CATEGORIES",
    "KIND_LABELS",
    "Row",
    "RowError",
    "export_workbook",
    "level_column",
    "parse_workbook",
]

PUBLIC_SERVICE = "public_service"
AUXILIARY_SERVICE = "auxiliary_service"
KIND_LABELS = {PUBLIC_SERVICE: "公共服务", AUXILIARY_SERVICE: "政府履职所需辅助性服务"}

CATEGORIES = (
    "基本公共服务",
    "社会管理性服务",
    "行业管理与协调性服务",
    "技术性服务",
    "政府履职所需辅助性服务",
    "其他适宜由社会力量承担的服务事项",
)
CATEGORY_ALIASES = {"政府履职所需辅助性事项": "政府履职所需辅助性服务"}

COL_CODE = "编码"
COL_KIND = "类型"
COL_DESCRIPTION = "说明"
COL_PROCUREMENT = "品目编码"
COL_KEYWORDS = "关键词"

MIN_EXPORT_LEVELS = 4
MAX_LEVELS = 99  # level columns are named 一级 … 九十九级
MAX_CODE_LENGTH = 40
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
KEYWORD_JOINER = "、"

_KEYWORD_SPLIT = re.compile(r"[、,，;；\s]+")
_PROCUREMENT_CODE = re.compile(r"[ABC][0-9]{2,}")
_SHEET_TITLE_INVALID = re.compile(r"[\[\]:*?/\\]")
_DIGITS = "零一二三四五六七八九"

# 类型 cell → kind key; the English keys are accepted as well (case-insensitive).
_KIND_VALUES = {
    "公共服务": PUBLIC_SERVICE,
    "政府履职所需辅助性服务": AUXILIARY_SERVICE,
    "政府履职所需辅助性事项": AUXILIARY_SERVICE,
    PUBLIC_SERVICE: PUBLIC_SERVICE,
    AUXILIARY_SERVICE: AUXILIARY_SERVICE,
}


@dataclass(frozen=True)
class Row:
    code: str
    path: tuple[str, ...]  # names from the first level down to this item
    kind: str  # "public_service" | "auxiliary_service"
    description: str = ""
    procurement_code: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number as Excel shows it (header is row 1; 0 = the file)
    column: str  # the column header, e.g. "类型", or "" for the whole row/file
    message: str


# -- column names ----------------------------------------------------------------------


def _chinese_number(n: int) -> str:
    if not 1 <= n <= 99:
        raise ValueError(f"level {n} out of range 1..99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    prefix = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return prefix + (_DIGITS[ones] if ones else "")


def level_column(level: int) -> str:
    """Header of the level column: 1 → 一级, 5 → 五级, 12 → 十二级."""
    return _chinese_number(level) + "级"


_LEVEL_BY_COLUMN = {level_column(n): n for n in range(1, MAX_LEVELS + 1)}
_OTHER_COLUMNS = (COL_KIND, COL_DESCRIPTION, COL_PROCUREMENT, COL_KEYWORDS)


def _headers(levels: int) -> list[str]:
    return [COL_CODE, *(level_column(n) for n in range(1, levels + 1)), *_OTHER_COLUMNS]


def _join(names: Sequence[str]) -> str:
    return ", ".join(names)


def _show_path(path: Sequence[str]) -> str:
    return " / ".join(path)


# -- export ----------------------------------------------------------------------------


def _sheet_title(title: str) -> str:
    cleaned = _SHEET_TITLE_INVALID.sub("", ILLEGAL_CHARACTERS_RE.sub("", title or ""))
    cleaned = cleaned.strip().strip("'")[:31].strip().strip("'")
    if not cleaned:
        return "目录"
    if cleaned.lower() == "history":  # reserved by Excel
        return cleaned + "_"
    return cleaned


def _display_width(text: str) -> int:
    lines = text.split("\n") or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def export_workbook(rows: Sequence[Row], *, title: str) -> bytes:
    """One sheet, one row per item in the order given, full path in the level columns."""
    levels = max([MIN_EXPORT_LEVELS, *(row.depth for row in rows)])
    if levels > MAX_LEVELS:
        raise ValueError(f"catalog depth {levels} exceeds {MAX_LEVELS} levels")
    headers = _headers(levels)
    description_index = headers.index(COL_DESCRIPTION)

    table: list[list[str | None]] = []
    for row in rows:
        path: list[str | None] = [*row.path, *([None] * (levels - row.depth))]
        values = [
            row.code,
            *path,
            KIND_LABELS.get(row.kind, row.kind),
            row.description,
            row.procurement_code,
            KEYWORD_JOINER.join(row.keywords),
        ]
        table.append([ILLEGAL_CHARACTERS_RE.sub("", v) if v else None for v in values])

    caps = {COL_DESCRIPTION: 60, COL_KEYWORDS: 40}
    widths = []
    for index, header in enumerate(headers):
        longest = max(
            [_display_width(header), *(_display_width(r[index]) for r in table if r[index])]
        )
        widths.append(min(max(longest + 2, 8), caps.get(header, 50)))

    wb = Workbook(write_only=True)
    wb.properties.creator = "govbuy"
    ws = wb.create_sheet(_sheet_title(title))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table) + 1}"

    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in table:
        cells = []
        for index, value in enumerate(values):
            if value is None:
                cells.append(None)
                continue
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text, never a formula, even when it starts with "="
            if index == description_index:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- import ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell value as stripped text; whole numbers lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


class _Unreadable(Exception):
    pass


def _read(data: bytes, max_rows: int) -> tuple[list[tuple[int, list[str]]], int | None]:
    """(row number, cell texts) for every row of the first sheet, and the number of the
    first data row beyond ``max_rows`` (reading stops there) or None."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not an xlsx, corrupt parts …
        raise _Unreadable from exc
    try:
        if not wb.worksheets:
            raise _Unreadable
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()  # do not trust the <dimension> element of foreign files
        rows: list[tuple[int, list[str]]] = []
        count = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if number > 1 and cells:
                count += 1
                if count > max_rows:
                    return rows, number
            rows.append((number, cells))
        return rows, None
    except _Unreadable:
        raise
    except Exception as exc:  # corrupt sheet XML surfaces lazily while iterating
        raise _Unreadable from exc
    finally:
        wb.close()


@dataclass
class _Header:
    columns: dict[str, int]  # header name → 0-based index
    levels: int  # number of level columns
    unnamed: list[int]  # indexes of columns with a blank header cell
    width: int

    def get(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""


def _parse_header(cells: list[str]) -> tuple[_Header | None, list[RowError]]:
    errors: list[RowError] = []
    expected = _join(_headers(MIN_EXPORT_LEVELS))
    if not cells:
        message = _("The first row must be the header row with the columns %(expected)s.")
        return None, [RowError(1, "", message % {"expected": expected})]
    columns: dict[str, int] = {}
    unnamed: list[int] = []
    for index, name in enumerate(cells):
        if not name:
            unnamed.append(index)
        elif name in columns:
            message = _("The column %(column)s appears more than once in the header.")
            errors.append(RowError(1, name, message % {"column": name}))
        elif name == COL_CODE or name in _OTHER_COLUMNS or name in _LEVEL_BY_COLUMN:
            columns[name] = index
        else:
            message = _("Unknown column %(column)s in the header. The columns are %(expected)s.")
            errors.append(RowError(1, name, message % {"column": name, "expected": expected}))
    levels = max([0, *(_LEVEL_BY_COLUMN[name] for name in columns if name in _LEVEL_BY_COLUMN)])
    required = [COL_CODE, *(level_column(n) for n in range(1, max(levels, 1) + 1)), COL_KIND]
    missing = [name for name in required if name not in columns]
    if missing:
        message = _(
            "The header is missing the column(s) %(missing)s. The columns are %(expected)s."
        )
        errors.insert(
            0, RowError(1, "", message % {"missing": _join(missing), "expected": expected})
        )
    if errors:
        return None, errors
    return _Header(columns, levels, unnamed, len(cells)), []


def _resolve_path(
    number: int, cells: list[str], header: _Header, previous: tuple[str, ...]
) -> tuple[tuple[str, ...] | None, list[RowError]]:
    """The item's path, filling blank ancestor cells from the previous row's path."""
    names = [header.get(cells, level_column(n)) for n in range(1, header.levels + 1)]
    depth = max((n for n, name in enumerate(names, start=1) if name), default=0)
    if depth == 0:
        message = _(
            "The row has no item name. Put the name in the column of the item's level "
            "(%(first)s for a first-level item, %(second)s for a second-level item, and so on)."
        )
        first, second = level_column(1), level_column(2)
        return None, [RowError(number, first, message % {"first": first, "second": second})]

    errors: list[RowError] = []
    path: list[str] = []
    for level, name in enumerate(names[:depth], start=1):
        column = level_column(level)
        if name:
            if len(name) > MAX_NAME_LENGTH:
                message = _(
                    "The name in %(column)s is %(length)s characters long; "
                    "at most %(max)s are allowed."
                )
                errors.append(
                    RowError(
                        number,
                        column,
                        message % {"column": column, "length": len(name), "max": MAX_NAME_LENGTH},
                    )
                )
            if level == 1:
                name = CATEGORY_ALIASES.get(name, name)
                if name not in CATEGORIES:
                    message = _(
                        "%(name)s is not a first-level category. The first level must be one "
                        "of: %(categories)s."
                    )
                    errors.append(
                        RowError(
                            number,
                            column,
                            message % {"name": name, "categories": _join(CATEGORIES)},
                        )
                    )
            path.append(name)
        elif len(previous) >= level and tuple(path) == previous[: level - 1]:
            path.append(previous[level - 1])  # a merged-cell style blank: same as above
        else:
            message = _(
                "%(column)s is empty and cannot be taken from the row above. Fill in the "
                "%(column)s name of %(name)s (an ancestor cell may be left blank only when "
                "the row above has the same ancestors)."
            )
            errors.append(
                RowError(number, column, message % {"column": column, "name": names[depth - 1]})
            )
            return None, errors
    return tuple(path), errors


def parse_workbook(data: bytes, *, max_rows: int = 20000) -> tuple[list[Row], list[RowError]]:
    """Read a catalog sheet. Returns the rows without errors (in file order) and every
    error found, sorted by row; import nothing unless the error list is empty."""
    try:
        raw, overflow = _read(data, max_rows)
    except _Unreadable:
        message = _(
            "The file could not be read as an Excel workbook (.xlsx). "
            "Save it in .xlsx format and upload it again."
        )
        return [], [RowError(0, "", message)]
    if overflow is not None:
        message = _(
            "The file has more than %(max)s data rows; split it into smaller files. "
            "Reading stopped at this row."
        )
        return [], [RowError(overflow, "", message % {"max": max_rows})]

    header, errors = _parse_header(raw[0][1] if raw else [])
    if header is None:
        return [], errors

    parsed: list[tuple[int, Row]] = []
    bad_rows: set[int] = set()
    first_code: dict[str, int] = {}
    first_path: dict[tuple[str, ...], int] = {}
    resolved: list[tuple[int, tuple[str, ...]]] = []
    previous: tuple[str, ...] = ()
    kinds = _join(KIND_LABELS.values())

    def error(number: int, column: str, message: str) -> None:
        errors.append(RowError(number, column, message))
        bad_rows.add(number)

    for number, cells in raw[1:]:
        if not cells:
            continue  # a completely empty row

        for index in header.unnamed + list(range(header.width, len(cells))):
            if index < len(cells) and cells[index]:
                message = _(
                    "Column %(letter)s has a value but no header. Move the value to a named "
                    "column or delete it."
                )
                error(number, "", message % {"letter": get_column_letter(index + 1)})

        code = header.get(cells, COL_CODE)
        if not code:
            error(number, COL_CODE, _("The code is empty; every item needs a unique code."))
        else:
            if len(code) > MAX_CODE_LENGTH:
                message = _(
                    "The code %(code)s is %(length)s characters long; at most %(max)s are allowed."
                )
                error(
                    number,
                    COL_CODE,
                    message % {"code": code, "length": len(code), "max": MAX_CODE_LENGTH},
                )
            if any(ch.isspace() for ch in code):
                message = _("The code %(code)s contains spaces; codes must not contain spaces.")
                error(number, COL_CODE, message % {"code": code})
            if code in first_code:
                message = _("Duplicate code %(code)s (first used in row %(first)s).")
                error(number, COL_CODE, message % {"code": code, "first": first_code[code]})
            else:
                first_code[code] = number

        path, path_errors = _resolve_path(number, cells, header, previous)
        for item in path_errors:
            error(item.row, item.column, item.message)
        if path is not None:
            previous = path
            resolved.append((number, path))
            if path in first_path:
                message = _(
                    "The item %(path)s already appears in row %(first)s; "
                    "each item may appear only once."
                )
                error(
                    number,
                    level_column(len(path)),
                    message % {"path": _show_path(path), "first": first_path[path]},
                )
            else:
                first_path[path] = number

        kind_text = header.get(cells, COL_KIND)
        kind = _KIND_VALUES.get(kind_text) or _KIND_VALUES.get(kind_text.lower())
        if not kind_text:
            message = _("The type is empty; it must be one of: %(kinds)s.")
            error(number, COL_KIND, message % {"kinds": kinds})
        elif kind is None:
            message = _("Unknown type %(value)s; it must be one of: %(kinds)s.")
            error(number, COL_KIND, message % {"value": kind_text, "kinds": kinds})

        description = header.get(cells, COL_DESCRIPTION)
        if len(description) > MAX_DESCRIPTION_LENGTH:
            message = _(
                "The description is %(length)s characters long; at most %(max)s are allowed."
            )
            error(
                number,
                COL_DESCRIPTION,
                message % {"length": len(description), "max": MAX_DESCRIPTION_LENGTH},
            )

        procurement_code = header.get(cells, COL_PROCUREMENT)
        if procurement_code and not _PROCUREMENT_CODE.fullmatch(procurement_code):
            message = _(
                "The procurement item code %(value)s is not valid; it must be A, B or C "
                "followed by at least two digits, for example C1204."
            )
            error(number, COL_PROCUREMENT, message % {"value": procurement_code})

        keywords = tuple(k for k in _KEYWORD_SPLIT.split(header.get(cells, COL_KEYWORDS)) if k)

        if number not in bad_rows and path is not None and kind is not None:
            parsed.append(
                (
                    number,
                    Row(
                        code=code,
                        path=path,
                        kind=kind,
                        description=description,
                        procurement_code=procurement_code,
                        keywords=keywords,
                    ),
                )
            )

    # Ancestors may come after their children, so check parents once everything is read.
    for number, path in resolved:
        if len(path) > 1 and path[:-1] not in first_path:
            message = _(
                "The parent item %(parent)s is not in the file. Add a row for it with its "
                "own code and type."
            )
            error(number, level_column(len(path) - 1), message % {"parent": _show_path(path[:-1])})

    errors.sort(key=lambda e: e.row)
    return [row for number, row in parsed if number not in bad_rows], errors
