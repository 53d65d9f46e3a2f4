"""The one reader (core.spreadsheets) on real office files: each made by LibreOffice from the workbooks in
tests/fixtures/rosters/make_fixtures.py (.xls, .ods; .et is WPS's .xls), committed so the suite needs no
LibreOffice. Every shape clerks produce reads as the clean roster: a title row above the header, a hidden list
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
FILES = [*sorted(f"{shape}.{suffix}" for shape in SHAPES for suffix in ("xlsx", "xls", "ods")), "roster.et"]


def people(name: str) -> list[tuple[str, str]]:
    sheet = read_sheet((FIXTURES / name).read_bytes(), name, columns=COLUMNS)
    return [(clean_person_name(r["姓名"]), r["身份证号码"]) for _, r in sheet.records()]


@pytest.mark.parametrize("name", FILES)
def test_every_shape_and_format_reads_as_the_clean_roster(name):
    assert people(name) == PEOPLE


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_the_clerks_own_column_names_are_read_not_dropped(suffix):
    sheet = read_sheet((FIXTURES / f"synonyms.{suffix}").read_bytes(), f"synonyms.{suffix}", columns=COLUMNS)
    first = next(sheet.records())[1]
    assert first["文化程度"] == "大学本科" and first["人员类别"] == "农民工"  # 学历, 人员类型 in the file
    assert first["手机号码"].replace(" ", "") == "13900000001"  # 联系电话


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_sheet_spread_over_the_whole_grid_is_refused(suffix):
    with pytest.raises(FileRejected, match="单元格分布过广"):
        read_sheet((FIXTURES / f"over_caps.{suffix}").read_bytes(), f"over_caps.{suffix}", columns=COLUMNS)
