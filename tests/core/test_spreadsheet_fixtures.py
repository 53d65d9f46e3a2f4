"""The one reader (core.spreadsheets) on real office files: each made by LibreOffice from the workbooks in
tests/fixtures/rosters/make_fixtures.py (.xls, .ods; .et is WPS's .xls), committed so the suite needs no
LibreOffice, and the CSVs Excel and WPS save (UTF-8 with and without BOM, GBK, GB18030, semicolons, "Unicode 文本"
with tabs). Every shape clerks produce reads as the clean roster: a title row above the header, a hidden list
sheet and empty extra sheets, formula columns, IDs typed as ="…", their own column names; names padded with
full-width, no-break, zero-width or thin spaces come out clean; a sheet spread over 65,536 × 256 cells is refused
before it is built."""

from pathlib import Path

import pytest

from core.spreadsheets import clean_person_name, read_sheet
from core.uploads import FileRejected

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rosters"
COLUMNS = ["姓名", "身份证号码", "手机号码", "人员类别", "户籍所在地", "文化程度", "就业状态"]
PEOPLE = [("王伟", "23120219850307011X"), ("李芳", "231202199011230222"), ("张娜", "231202197801300329")]
SHAPES = ["roster", "title_row", "extra_sheets", "formulas", "id_formulas", "synonyms", "spaces"]
CSVS = [
    *("roster_utf8.csv", "roster_utf8_bom.csv", "roster_gbk.csv", "roster_gb18030.csv"),
    *("roster_semicolon.csv", "roster_unicode_text.csv", "title_row_gbk.csv", "title_row_unicode_text.csv"),
    *("synonyms_gbk.csv", "id_formulas_typed_gbk.csv"),
]
FILES = [*sorted(f"{shape}.{suffix}" for shape in SHAPES for suffix in ("xlsx", "xls", "ods")), "roster.et", *CSVS]


def people(name: str) -> list[tuple[str, str]]:
    sheet = read_sheet((FIXTURES / name).read_bytes(), name, columns=COLUMNS)
    return [(clean_person_name(r["姓名"]), r["身份证号码"]) for _, r in sheet.records()]


@pytest.mark.parametrize("name", FILES)
def test_every_shape_and_format_reads_as_the_clean_roster(name):
    assert people(name) == PEOPLE


@pytest.mark.parametrize("name", ["synonyms.xls", "synonyms.ods", "synonyms_gbk.csv"])
def test_the_clerks_own_column_names_are_read_not_dropped(name):
    sheet = read_sheet((FIXTURES / name).read_bytes(), name, columns=COLUMNS)
    first = next(sheet.records())[1]
    assert first["文化程度"] == "大学本科" and first["人员类别"] == "农民工"  # 学历, 人员类型 in the file
    assert first["手机号码"].replace(" ", "") == "13900000001"  # 联系电话


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_sheet_spread_over_the_whole_grid_is_refused(suffix):
    with pytest.raises(FileRejected, match="单元格分布过广"):
        read_sheet((FIXTURES / f"over_caps.{suffix}").read_bytes(), f"over_caps.{suffix}", columns=COLUMNS)


# --- CSV: encodings and delimiters ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["roster_gbk.csv", "roster_gb18030.csv", "title_row_gbk.csv", "synonyms_gbk.csv"])
def test_the_gbk_fixtures_really_are_not_utf8(name):
    """So the clean-roster test above proves the GB18030 fallback, not a UTF-8 read."""
    with pytest.raises(UnicodeDecodeError):
        (FIXTURES / name).read_bytes().decode("utf-8")


def test_a_name_with_a_character_only_gb18030_holds_is_read_from_a_gb18030_csv():
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")
    assert people("rare_name_gb18030.csv") == [PEOPLE[0], ("刘䶮", PEOPLE[1][1]), PEOPLE[2]]


@pytest.mark.parametrize("name", ["roster_semicolon.csv", "roster_unicode_text.csv", "title_row_unicode_text.csv"])
def test_a_csv_split_by_semicolons_or_tabs_is_read_without_naming_columns(name):
    """The other imports (reference lists, targets) read without naming their columns: they get the delimiter
    right too."""
    sheet = read_sheet((FIXTURES / name).read_bytes(), name)
    assert sheet.headers == COLUMNS
    assert [r["身份证号码"] for _, r in sheet.records()] == [number for _, number in PEOPLE]


def test_a_tab_file_with_commas_inside_its_cells_is_split_on_tabs():
    text = "\t".join(COLUMNS) + "\r\n" + "\t".join(["王伟", PEOPLE[0][1], "", "农民工", "绥化市,北林区", "", ""])
    sheet = read_sheet(text.encode("utf-16"), "r.csv", columns=COLUMNS)
    assert next(sheet.records())[1]["户籍所在地"] == "绥化市,北林区"


def test_a_csv_the_csv_module_cannot_read_is_refused_in_chinese():
    data = ("姓名,身份证号码\r\n" + "王伟," + "1" * 200_000).encode()
    with pytest.raises(FileRejected, match="无法读取该 CSV 文件"):
        read_sheet(data, "r.csv", columns=COLUMNS)
