"""The roster template guides (issue 14): the ID number and phone columns are Text over the whole data range,
every coded column has a drop-down over its lookup (listed on the 可选值 sheet, the same lists the import checks
against), row 2 is a marked example the import refuses by name, and the template filled in imports cleanly."""

import io
import re

import openpyxl
import pytest

from catalog.models import Region, TraineeCategory
from core.importing import read_sheet
from trainees import idnumber
from trainees.models import Education, EmploymentStatus
from training.services.roster import COLUMNS, EXAMPLE_ID, MAX_ROWS
from training.services.roster_template import LISTS, SHEET, roster_template_xlsx

from . import roster_kit as kit
from .factories import person, row, rows
from .roster_kit import check

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
w = kit.w  # the fixture
c = kit.c  # the fixture
run_job = kit.run_job  # the fixture

LAST = MAX_ROWS + 1
CODED = ["人员类别", "户籍所在地", "文化程度", "就业状态"]


def book(data: bytes | None = None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data or roster_template_xlsx()))


def letter(column: str) -> str:
    return "ABCDEFG"[COLUMNS.index(column)]


def lookup(column: str) -> list[str]:
    """What the import accepts, read from the sources themselves."""
    if column == "人员类别":
        return list(TraineeCategory.objects.values_list("name", flat=True))
    if column == "户籍所在地":
        return [r.full_name for r in Region.objects.filter(level="county").select_related("parent__parent")]
    return [str(label) for label in {"文化程度": Education, "就业状态": EmploymentStatus}[column].labels]


def drop_downs(wb) -> dict[str, tuple[str, str, str]]:
    """Column → (range, type, source) of each data validation on the roster sheet."""
    found = {}
    for v in wb[SHEET].data_validations.dataValidation:
        first = str(v.sqref).split(":")[0]
        column = COLUMNS["ABCDEFG".index(first[0])]
        found[column] = (str(v.sqref), v.type, v.formula1)
    return found


def listed(wb, source: str) -> list[str]:
    """The values a drop-down's source ('可选值'!$B$2:$B$13) points at."""
    sheet, col, first, last = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", source).groups()
    return [wb[sheet][f"{col}{n}"].value for n in range(int(first), int(last) + 1)]


def fill(data: bytes, data_rows: list[list]) -> bytes:
    """What a clerk does with openpyxl's help: type the rows over the example, from row 2 on."""
    wb = book(data)
    ws = wb[SHEET]
    for r, values in enumerate(data_rows, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(r, col, value)
    ws.cell(2, len(COLUMNS) + 1).value = None  # the note beside the example goes with it
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- formats and drop-downs ----------------------------------------------------------------------------


def test_id_and_phone_columns_are_text_over_the_whole_data_range_and_beyond():
    ws = book()[SHEET]
    for column in ("身份证号码", "手机号码"):
        cells = ws[f"{letter(column)}2:{letter(column)}{LAST}"]
        assert len(cells) == MAX_ROWS and {cell.number_format for (cell,) in cells} == {"@"}
        assert ws.column_dimensions[letter(column)].number_format == "@"  # rows typed below the range
    assert ws["A3"].number_format == "General"  # only those two


@pytest.mark.parametrize("column", CODED)
def test_each_coded_column_has_a_drop_down_over_the_data_range_listing_exactly_its_lookup(column):
    wb = book()
    where, kind, source = drop_downs(wb)[column]
    assert (where, kind) == (f"{letter(column)}2:{letter(column)}{LAST}", "list")
    assert source.startswith(f"'{LISTS}'!")
    values = listed(wb, source)
    assert sorted(values) == sorted(set(lookup(column))) and len(values) == len(set(values))
    assert wb[LISTS].sheet_state == "visible"


def test_a_category_added_to_the_catalog_is_offered_by_the_next_template():
    TraineeCategory.objects.create(code="new_form", name="新就业形态劳动者", sort_order=99)
    wb = book()
    assert "新就业形态劳动者" in listed(wb, drop_downs(wb)["人员类别"][2])


def test_every_value_the_drop_downs_offer_is_accepted_by_the_import(c):
    wb = book()
    offered = {column: listed(wb, drop_downs(wb)[column][2]) for column in CODED}
    longest = max(len(v) for v in offered.values())
    data_rows = [row(n, **{col: vals[n % len(vals)] for col, vals in offered.items()}) for n in range(longest)]
    result = check(c, data_rows)
    assert result.errors == [] and len(result.rows) == longest  # every county, category, level and status


def test_only_the_roster_sheet_has_the_header_so_the_list_sheet_does_not_count():
    sheet = read_sheet(roster_template_xlsx(), "花名册模板.xlsx", columns=COLUMNS)
    assert (sheet.sheet_count, sheet.position, sheet.headers) == (1, 0, COLUMNS)


# --- the example row -----------------------------------------------------------------------------------


def test_the_example_row_is_marked_and_valid_but_for_its_reserved_id_number(c):
    ws = book()[SHEET]
    example = [cell.value for cell in ws[2][: len(COLUMNS)]]
    assert example[1] == EXAMPLE_ID and idnumber.parse(EXAMPLE_ID).value == EXAMPLE_ID  # check digit right
    assert "示例行，导入前请删除" in ws.cell(2, len(COLUMNS) + 1).value
    assert ws["A2"].fill.fgColor.rgb != ws["A3"].fill.fgColor.rgb and ws["A2"].font.i
    assert check(c, [[*example[:1], person(0)[1], *example[2:]]]).errors == []  # only its ID stops it


def test_the_template_downloaded_by_an_institution_has_its_county_in_the_example(client, w):
    client.force_login(w.owner)
    response = client.get("/classes/roster-template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert book(response.content)[SHEET]["E2"].value == w.institution.county.full_name == "黑龙江省绥化市北林区"


def test_the_template_left_with_its_example_row_is_refused_naming_that_row(c, run_job):
    job = run_job(fill(roster_template_xlsx(), [[], *rows(2)]))  # the clerk typed below the example
    assert job.status == "invalid"
    assert job.errors == [{"row": 2, "column": "", "message": "第 2 行是模板示例行，请删除后再导入。"}]
    assert not c.enrollments.exists()


def test_the_template_filled_in_imports_cleanly(c, run_job):
    job = run_job(fill(roster_template_xlsx(), rows(3)))
    assert (job.status, job.errors, job.created_count) == ("done", [], 3)
    assert sorted(c.enrollments.values_list("trainee__name", flat=True)) == sorted(person(n)[0] for n in range(3))


def test_the_example_id_is_refused_however_it_is_written(c):
    spaced = " ".join([EXAMPLE_ID[:6], EXAMPLE_ID[6:14], EXAMPLE_ID[14:]])
    result = check(c, [row(0), row(1, 身份证号码=spaced)])
    assert [(e["row"], e["message"]) for e in result.errors] == [(3, "第 3 行是模板示例行，请删除后再导入。")]
