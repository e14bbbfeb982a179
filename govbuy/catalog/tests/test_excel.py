"""Excel import/export of catalogs (govbuy.catalog.excel): pure, no database."""

import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from govbuy.catalog.excel import Row, RowError, export_workbook, parse_workbook

HEADER = ["编码", "一级", "二级", "三级", "四级", "类型", "说明", "品目编码", "关键词"]
PUBLIC = "公共服务"
AUX = "政府履职所需辅助性服务"


@pytest.fixture(autouse=True)
def english():
    """Assert on the English source messages, whatever translations exist."""
    with translation.override("en"):
        yield


def xlsx(rows, header=HEADER, *, title="目录"):
    """A workbook built by hand: header in row 1, then ``rows`` (lists of cell values)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def line(code, *levels, kind=PUBLIC, description=None, procurement=None, keywords=None):
    """A row for HEADER: up to four level cells."""
    padded = list(levels) + [None] * (4 - len(levels))
    return [code, *padded, kind, description, procurement, keywords]


# Valid rows 2–4 that the error tests build on.
BASE = [
    line("01", "基本公共服务"),
    line("0101", "基本公共服务", "基本养老服务"),
    line("02", "社会管理性服务"),
]


def parse_with(*extra):
    return parse_workbook(xlsx([*BASE, *extra]))


def only_error(errors):
    assert len(errors) == 1, errors
    return errors[0]


def load(data):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


# -- round trip and export ------------------------------------------------------------

TREE = [
    Row("01", ("基本公共服务",), "public_service", "《指导性目录》第一类。"),
    Row("0101", ("基本公共服务", "基本养老服务"), "public_service", keywords=("养老", "老年人")),
    # a child before its parent is fine: parents are resolved after reading all rows
    Row(
        "010101001",
        ("基本公共服务", "基本养老服务", "居家养老服务", "助餐服务", "老年食堂运营"),
        "public_service",
        description="第一行：含“引号”、顿号；分号。\n第二行（括号）——破折号……\n\n第四行",
        procurement_code="C1204",
        keywords=("助餐", "食堂", "Meals"),
    ),
    Row(
        "0101010",
        ("基本公共服务", "基本养老服务", "居家养老服务", "助餐服务"),
        "public_service",
        procurement_code="C99",
    ),
    Row("01010", ("基本公共服务", "基本养老服务", "居家养老服务"), "public_service"),
    Row("02", ("社会管理性服务",), "public_service"),
    Row("03", ("行业管理与协调性服务",), "public_service"),
    Row("04", ("技术性服务",), "public_service", procurement_code="B01"),
    Row("05", ("政府履职所需辅助性服务",), "auxiliary_service"),
    Row(
        "0501",
        ("政府履职所需辅助性服务", "法律服务"),
        "auxiliary_service",
        description="=SUM(A1:A3) is text, not a formula",
        procurement_code="A123456",
        keywords=("法律顾问",),
    ),
    Row("06", ("其他适宜由社会力量承担的服务事项",), "public_service"),
]


def test_round_trip_depth_five():
    rows, errors = parse_workbook(export_workbook(TREE, title="河南省指导性目录"))
    assert errors == []
    assert rows == TREE


def test_round_trip_of_nothing():
    assert parse_workbook(export_workbook([], title="空")) == ([], [])


def test_export_layout():
    ws = load(export_workbook(TREE, title="目录"))
    header = [c.value for c in ws[1]]
    assert header == [
        "编码", "一级", "二级", "三级", "四级", "五级", "类型", "说明", "品目编码", "关键词",
    ]  # fmt: skip
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    deep = [c.value for c in ws[4]]
    assert deep == [
        "010101001",
        "基本公共服务", "基本养老服务", "居家养老服务", "助餐服务", "老年食堂运营",
        "公共服务",
        TREE[2].description,
        "C1204",
        "助餐、食堂、Meals",
    ]  # fmt: skip
    assert [c.value for c in ws[3]][:7] == [
        "0101",
        "基本公共服务",
        "基本养老服务",
        None,
        None,
        None,
        "公共服务",
    ]
    assert ws["G10"].value == "政府履职所需辅助性服务"
    assert ws["H11"].value.startswith("=SUM") and ws["H11"].data_type == "s"
    widths = {letter: dim.width for letter, dim in ws.column_dimensions.items()}
    assert all(8 <= widths[letter] <= 60 for letter in "ABCDEFGHIJ")
    assert widths["F"] > widths["A"]  # 老年食堂运营 is wider than the codes
    assert ws.max_row == len(TREE) + 1


def test_export_shallow_catalog_keeps_four_level_columns():
    ws = load(export_workbook(TREE[:2], title="目录"))
    assert [c.value for c in ws[1]] == HEADER


def test_export_deeper_than_five_adds_level_columns():
    path = ("基本公共服务", "二", "三", "四", "五", "六", "七")
    rows = [Row(f"c{n}", path[:n], "public_service") for n in range(1, 8)]
    data = export_workbook(rows, title="目录")
    assert [c.value for c in load(data)[1]][5:9] == ["五级", "六级", "七级", "类型"]
    assert parse_workbook(data) == (rows, [])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("河南省政府购买服务指导性目录", "河南省政府购买服务指导性目录"),
        ("a[b]c:d*e?f/g\\h", "abcdefgh"),
        ("'quoted'", "quoted"),
        ("很长的标题" * 10, ("很长的标题" * 10)[:31]),
        ("[]:*?/\\", "目录"),
        ("", "目录"),
    ],
)
def test_export_sheet_title(title, expected):
    assert load(export_workbook(TREE[:1], title=title)).title == expected


def test_export_is_deterministic_apart_from_timestamps():
    def parts(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                name: archive.read(name)
                for name in archive.namelist()
                if name != "docProps/core.xml"  # created/modified timestamps
            }

    assert parts(export_workbook(TREE, title="目录")) == parts(export_workbook(TREE, title="目录"))


# -- import: what is accepted ---------------------------------------------------------


def test_header_only_file_gives_nothing():
    assert parse_workbook(xlsx([])) == ([], [])


def test_blank_ancestor_cells_inherit_from_the_row_above():
    rows, errors = parse_workbook(
        xlsx(
            [
                line("01", "基本公共服务"),
                line("0101", None, "基本养老服务"),
                line("010101", None, None, "居家养老服务"),
                line("010102", None, None, "机构养老服务"),
                line("01010201", None, None, None, "护理服务"),
                line("0102", None, "残疾人服务"),
                line("02", "社会管理性服务"),
                line("0201", None, "社区治理服务"),
                # an explicit ancestor equal to the row above still lets the middle inherit
                line("020101", "社会管理性服务", None, "网格服务"),
            ]
        )
    )
    assert errors == []
    assert [(r.code, r.path) for r in rows] == [
        ("01", ("基本公共服务",)),
        ("0101", ("基本公共服务", "基本养老服务")),
        ("010101", ("基本公共服务", "基本养老服务", "居家养老服务")),
        ("010102", ("基本公共服务", "基本养老服务", "机构养老服务")),
        ("01010201", ("基本公共服务", "基本养老服务", "机构养老服务", "护理服务")),
        ("0102", ("基本公共服务", "残疾人服务")),
        ("02", ("社会管理性服务",)),
        ("0201", ("社会管理性服务", "社区治理服务")),
        ("020101", ("社会管理性服务", "社区治理服务", "网格服务")),
    ]


def test_merged_cells_read_as_inherited():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(line("01", "基本公共服务"))
    ws.append(line("0101", "基本公共服务", "基本养老服务"))
    ws.append(line("010101", "基本公共服务", "基本养老服务", "居家养老服务"))
    ws.append(line("010102", "基本公共服务", "基本养老服务", "机构养老服务"))
    ws.merge_cells("B2:B5")
    ws.merge_cells("C3:C5")
    buffer = io.BytesIO()
    wb.save(buffer)
    rows, errors = parse_workbook(buffer.getvalue())
    assert errors == []
    assert rows[3].path == ("基本公共服务", "基本养老服务", "机构养老服务")


def test_cells_are_stripped_numbers_lose_dot_zero_and_english_kinds_work():
    rows, errors = parse_workbook(
        xlsx(
            [
                [
                    1,
                    "  基本公共服务 ",
                    None,
                    None,
                    None,
                    " public_service ",
                    "  说明  ",
                    None,
                    None,
                ],
                [
                    101.0,
                    "基本公共服务",
                    "基本养老服务",
                    None,
                    None,
                    "公共服务",
                    None,
                    " C12 ",
                    None,
                ],
                [
                    5,
                    "政府履职所需辅助性事项",
                    None,
                    None,
                    None,
                    "auxiliary_service",
                    None,
                    None,
                    None,
                ],
                [501, None, "审计服务", None, None, "AUXILIARY_SERVICE", None, None, None],
            ]
        )
    )
    assert errors == []
    assert rows == [
        Row("1", ("基本公共服务",), "public_service", description="说明"),
        Row("101", ("基本公共服务", "基本养老服务"), "public_service", procurement_code="C12"),
        Row("5", ("政府履职所需辅助性服务",), "auxiliary_service"),  # alias normalized
        Row("501", ("政府履职所需辅助性服务", "审计服务"), "auxiliary_service"),
    ]


def test_keywords_split_on_every_separator():
    rows, errors = parse_with(
        line("010101", "基本公共服务", "基本养老服务", "居家养老服务",
             keywords="养老、助餐,助浴，助医;护理；陪护 上门\n探访  、、"),
    )  # fmt: skip
    assert errors == []
    assert rows[-1].keywords == ("养老", "助餐", "助浴", "助医", "护理", "陪护", "上门", "探访")


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing():
    rows, errors = parse_workbook(
        xlsx(
            [
                ["公共服务", "基本公共服务", "01"],
                ["公共服务", "基本公共服务", "0101", "基本养老服务"],
            ],
            header=["类型", "一级", "编码", "二级"],
        )
    )
    assert errors == []
    assert rows == [
        Row("01", ("基本公共服务",), "public_service"),
        Row("0101", ("基本公共服务", "基本养老服务"), "public_service"),
    ]


def test_importer_reads_as_many_level_columns_as_the_header_has():
    levels = [
        "一级",
        "二级",
        "三级",
        "四级",
        "五级",
        "六级",
        "七级",
        "八级",
        "九级",
        "十级",
        "十一级",
    ]
    header = ["编码", *levels, "类型"]
    names = ["基本公共服务", *(f"第{n}层" for n in range(2, 12))]
    data = [[f"c{n}", *names[:n], *([None] * (11 - n)), "公共服务"] for n in range(1, 12)]
    rows, errors = parse_workbook(xlsx(data, header=header))
    assert errors == []
    assert rows[-1].depth == 11 and rows[-1].name == "第11层"


def test_empty_rows_are_skipped_and_row_numbers_stay_true():
    rows, errors = parse_workbook(
        xlsx([line("01", "基本公共服务"), [None] * 9, ["", "  ", None], line("", "技术性服务")])
    )
    assert [r.code for r in rows] == ["01"]
    assert errors == [RowError(5, "编码", "The code is empty; every item needs a unique code.")]


# -- import: every error --------------------------------------------------------------


def test_empty_code():
    rows, errors = parse_with(line(None, "技术性服务"))
    assert only_error(errors) == RowError(
        5, "编码", "The code is empty; every item needs a unique code."
    )
    assert [r.code for r in rows] == ["01", "0101", "02"]


def test_code_too_long():
    _, errors = parse_with(line("X" * 40, "技术性服务"), line("Y" * 41, "行业管理与协调性服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (6, "编码")
    assert "41 characters" in error.message and "at most 40" in error.message


@pytest.mark.parametrize("code", ["04 01", "04\u300001", "04\n01"])
def test_code_with_spaces(code):
    _, errors = parse_with(line(code, "技术性服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "编码")
    assert "contains spaces" in error.message


def test_duplicate_code_names_the_first_row():
    _, errors = parse_with(line("0101", "技术性服务"))
    assert only_error(errors) == RowError(5, "编码", "Duplicate code 0101 (first used in row 3).")


def test_no_name_in_any_level_column():
    _, errors = parse_with(line("04"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "一级")
    assert "no item name" in error.message


def test_gap_with_nothing_to_inherit():
    # the row above is the first-level 社会管理性服务: there is no 二级 to take
    _, errors = parse_with(line("020101", None, None, "网格服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "二级")
    assert "二级 is empty" in error.message and "网格服务" in error.message


def test_gap_is_not_filled_from_another_branch():
    # 基本养老服务 (row 3) belongs to 基本公共服务, not to 社会管理性服务
    _, errors = parse_with(line("020101", "社会管理性服务", None, "网格服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "二级")


def test_gap_in_the_first_data_row():
    _, errors = parse_workbook(xlsx([line("0101", None, "基本养老服务")]))
    error = only_error(errors)
    assert (error.row, error.column) == (2, "一级")


def test_name_too_long():
    _, errors = parse_with(
        line("0102", "基本公共服务", "长" * 200),
        line("0103", "基本公共服务", "长" * 201),
    )
    error = only_error(errors)
    assert (error.row, error.column) == (6, "二级")
    assert "201 characters" in error.message and "at most 200" in error.message


def test_first_level_must_be_a_category():
    _, errors = parse_with(line("09", "养老服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "一级")
    assert error.message.startswith("养老服务 is not a first-level category")
    assert "其他适宜由社会力量承担的服务事项" in error.message


def test_parent_must_be_in_the_file():
    _, errors = parse_with(line("010201", "基本公共服务", "残疾人服务", "康复服务"))
    assert only_error(errors) == RowError(
        5,
        "二级",
        "The parent item 基本公共服务 / 残疾人服务 is not in the file. "
        "Add a row for it with its own code and type.",
    )


def test_category_row_is_required_too():
    _, errors = parse_with(line("0401", "技术性服务", "检测服务"))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "一级")
    assert "The parent item 技术性服务 is not in the file" in error.message


def test_parent_may_come_after_the_child():
    rows, errors = parse_workbook(
        xlsx(
            [
                line("010101", "基本公共服务", "基本养老服务", "居家养老服务"),
                line("0101", "基本公共服务", "基本养老服务"),
                line("01", "基本公共服务"),
            ]
        )
    )
    assert errors == []
    assert [r.code for r in rows] == ["010101", "0101", "01"]


def test_same_path_twice():
    _, errors = parse_with(line("0199", "基本公共服务", "基本养老服务"))
    assert only_error(errors) == RowError(
        5,
        "二级",
        "The item 基本公共服务 / 基本养老服务 already appears in row 3; "
        "each item may appear only once.",
    )


def test_kind_empty():
    _, errors = parse_with(line("04", "技术性服务", kind=None))
    assert only_error(errors) == RowError(
        5, "类型", "The type is empty; it must be one of: 公共服务, 政府履职所需辅助性服务."
    )


def test_kind_unknown():
    _, errors = parse_with(line("04", "技术性服务", kind="技术服务"))
    assert only_error(errors) == RowError(
        5, "类型", "Unknown type 技术服务; it must be one of: 公共服务, 政府履职所需辅助性服务."
    )


@pytest.mark.parametrize("value", ["c1204", "D12", "C1", "C12a", "1204", "C 12", "C１２"])
def test_procurement_code_invalid(value):
    _, errors = parse_with(line("04", "技术性服务", procurement=value))
    error = only_error(errors)
    assert (error.row, error.column) == (5, "品目编码")
    assert value in error.message and "C1204" in error.message


def test_description_too_long():
    _, errors = parse_with(
        line("03", "行业管理与协调性服务", description="说" * 2000),
        line("04", "技术性服务", description="说" * 2001),
    )
    error = only_error(errors)
    assert (error.row, error.column) == (6, "说明")
    assert "2001 characters" in error.message and "at most 2000" in error.message


def test_value_in_a_column_without_header():
    _, errors = parse_with([*line("04", "技术性服务"), None, "多余"])
    error = only_error(errors)
    assert (error.row, error.column) == (5, "")
    assert "Column K has a value but no header" in error.message


def test_every_bad_row_is_reported_and_bad_rows_are_left_out():
    rows, errors = parse_with(
        line("04", "技术性服务"),  # row 5: fine
        line("", "养老", kind="x"),  # row 6: three problems
        line("0402", "技术性服务", "检测服务", procurement="X1"),  # row 7
        line("04", "行业管理与协调性服务"),  # row 8: code of row 5
        line("0401", "技术性服务", "检测服务", description="d" * 2001),  # row 9: same path as 7
        line("040101", None, None, "水质检测", kind=None),  # row 10: inherits row 9's path
        line("050101", "政府履职所需辅助性服务", "法律服务", "合同审查", kind=AUX),  # row 11
    )
    assert [(e.row, e.column) for e in errors] == [
        (6, "编码"),
        (6, "一级"),
        (6, "类型"),
        (7, "品目编码"),
        (8, "编码"),
        (9, "二级"),
        (9, "说明"),
        (10, "类型"),
        (11, "二级"),
    ]
    assert "first used in row 5" in errors[4].message
    assert "already appears in row 7" in errors[5].message
    assert "政府履职所需辅助性服务 / 法律服务" in errors[8].message
    assert [r.code for r in rows] == ["01", "0101", "02", "04"]


# -- import: the file and its header --------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an excel file",
        "编码,一级,类型\n01,基本公共服务,公共服务\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls (OLE2) header
    ],
    ids=["empty", "text", "csv", "xls"],
)
def test_not_an_xlsx(data):
    rows, errors = parse_workbook(data)
    assert rows == []
    error = only_error(errors)
    assert (error.row, error.column) == (0, "")
    assert "could not be read as an Excel workbook (.xlsx)" in error.message


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    rows, errors = parse_workbook(buffer.getvalue())
    assert rows == [] and only_error(errors).row == 0


def test_empty_sheet_has_no_header():
    rows, errors = parse_workbook(xlsx([], header=None))
    assert rows == []
    error = only_error(errors)
    assert (error.row, error.column) == (1, "")
    assert error.message.startswith("The first row must be the header row")
    assert "编码, 一级, 二级, 三级, 四级, 类型, 说明, 品目编码, 关键词" in error.message


def test_header_not_in_the_first_row():
    rows, errors = parse_workbook(xlsx([HEADER, line("01", "基本公共服务")], header=["目录"]))
    assert rows == []
    assert [(e.row, e.column) for e in errors] == [(1, ""), (1, "目录")]
    assert "missing the column(s) 编码, 一级, 类型." in errors[0].message
    assert errors[1].message.startswith("Unknown column 目录 in the header.")


def test_header_missing_columns_are_named():
    _, errors = parse_workbook(xlsx([["01", "基本公共服务"]], header=["编码", "一级", "三级"]))
    error = only_error(errors)
    assert (error.row, error.column) == (1, "")
    assert "missing the column(s) 二级, 类型." in error.message


def test_header_unknown_and_duplicate_columns():
    _, errors = parse_workbook(xlsx([], header=[*HEADER, "名称", "类型"]))
    assert [(e.row, e.column) for e in errors] == [(1, "名称"), (1, "类型")]
    assert "Unknown column 名称" in errors[0].message
    assert errors[1].message == "The column 类型 appears more than once in the header."


def test_header_errors_stop_before_the_rows():
    rows, errors = parse_workbook(xlsx([line("", "养老")], header=HEADER[:-4]))
    assert rows == []
    assert [(e.row, e.column) for e in errors] == [(1, "")]


def test_max_rows():
    data = [line("01", "基本公共服务"), [None] * 9, line("02", "社会管理性服务")]
    data += [line("03", "技术性服务")]
    rows, errors = parse_workbook(xlsx(data), max_rows=3)
    assert errors == [] and len(rows) == 3  # the empty row does not count

    data += [line("", "不读"), line("", "不读")]
    rows, errors = parse_workbook(xlsx(data), max_rows=3)
    assert rows == []
    assert only_error(errors) == RowError(
        6,
        "",
        "The file has more than 3 data rows; split it into smaller files. "
        "Reading stopped at this row.",
    )
