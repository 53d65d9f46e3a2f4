"""Every uploaded file is bounded before it is parsed (issue 12, item 3): the bomb, a lying header, DTDs and entities,
members, rows and columns, refused by core.uploads before anything inflates them."""

import io
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.test import override_settings

from core.importing import FileRejected, export_xlsx, read_sheet
from core.uploads import check_office_archive
from tests.training.factories import roster_xlsx, rows
from training.services.roster import COLUMNS

from .bombs import (
    BOMB_ROW,
    DTD,
    MAIN_NS,
    SHEET,
    SHEET_TAIL,
    TAMPERED,
    TOO_BIG,
    Repeated,
    bomb,
    declared_size,
    peak_memory_growth,
    sheet_head,
    template_parts,
    write_zip,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- the hand-made workbook is a real one -------------------------------------------------------------------


def test_the_hand_made_workbook_is_a_real_roster_that_openpyxl_reads(tmp_path):
    members = {**template_parts(), SHEET: Repeated(sheet_head(), BOMB_ROW, 3, SHEET_TAIL)}
    sheet = read_sheet(write_zip(tmp_path / "small.xlsx", members).read_bytes(), "small.xlsx", allow_csv=False)
    assert sheet.headers == COLUMNS
    assert [(number, values[0]) for number, values in sheet.rows] == [(n, "0" * 30_000) for n in (2, 3, 4)]


# --- (a) (b) the bomb ---------------------------------------------------------------------------------------


def test_the_bomb_is_a_bomb_a_small_file_that_declares_over_a_gigabyte(bomb_file):
    assert bomb_file.stat().st_size < 2 * 1024 * 1024  # under every upload limit (the roster's is 5 MB)
    assert declared_size(bomb_file) > 1024**3


def test_read_sheet_refuses_the_bomb_in_chinese_before_inflating_it(bomb_file):
    with pytest.raises(FileRejected) as refused:
        read_sheet(bomb_file.read_bytes(), "花名册.xlsx", allow_csv=False)
    assert str(refused.value) == TOO_BIG


def test_refusing_the_bomb_costs_the_process_less_than_200_mb(bomb_file):
    measured = peak_memory_growth(bomb_file)
    assert measured["outcome"] == TOO_BIG
    assert measured["grew_mb"] < 200, measured


# --- (c) a header that lies about the size ------------------------------------------------------------------


def test_a_header_understating_the_size_is_stopped_by_the_streamed_counter(lying_file):
    assert declared_size(lying_file) < 11 * 1024 * 1024  # the directory alone passes every limit
    with pytest.raises(FileRejected, match=TAMPERED):
        check_office_archive(lying_file.read_bytes())
    measured = peak_memory_growth(lying_file)
    assert TAMPERED in measured["outcome"] and measured["grew_mb"] < 200, measured


def test_a_compression_ratio_over_100_is_refused(tmp_path):
    # 100 MB of one row, declared honestly, but under a 200 MB cap: the ratio (about 1000:1) is what refuses it
    path = bomb(tmp_path / "dense.xlsx", runs=100)
    big_enough = override_settings(OFFICE_MAX_UNCOMPRESSED_BYTES=200 * 1024 * 1024)
    with big_enough, pytest.raises(FileRejected, match="超过 100 倍的上限"):
        read_sheet(path.read_bytes(), "dense.xlsx", allow_csv=False)


# --- (d) DTDs and entities: billion laughs, XXE --------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


def with_member(data: bytes, name: str, content: bytes, *, extra: bytes = b"") -> bytes:
    """The workbook with member `name` replaced by `content` (and the members of the zip `extra` added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
        if extra:
            with zipfile.ZipFile(io.BytesIO(extra)) as more:
                for info in more.infolist():
                    target.writestr(info.filename, more.read(info.filename))
    return out.getvalue()


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def with_shared_strings(data: bytes, table: bytes) -> bytes:
    """The workbook with a shared-string table (openpyxl itself writes inline strings), declared where openpyxl
    looks for it: in [Content_Types].xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml").replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
            b'.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/sharedStrings.xml", table)
    return with_member(data, "[Content_Types].xml", types, extra=out.getvalue())


def test_billion_laughs_in_the_shared_strings_is_refused_before_openpyxl_reads_it():
    strings = f'{LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'.encode()
    laughs = with_shared_strings(roster_xlsx(rows(2)), strings)
    with pytest.raises(FileRejected, match=DTD):
        read_sheet(laughs, "花名册.xlsx", allow_csv=False)
    with pytest.raises(ValueError, match="could not read strings") as refused:  # openpyxl alone refuses it too
        openpyxl.load_workbook(io.BytesIO(laughs), read_only=True)
    assert isinstance(refused.value.__cause__ or refused.value.__context__, DefusedXmlException)
    plain = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>lol</t></si></sst>'.encode()
    assert read_sheet(with_shared_strings(roster_xlsx(rows(2)), plain), "花名册.xlsx").headers == COLUMNS


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_entity_in_the_sheet_is_refused_whatever_its_encoding(encoding):
    data = roster_xlsx(rows(2))
    xxe = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode(encoding)
    with pytest.raises(FileRejected, match=DTD):
        read_sheet(with_member(data, SHEET, xxe), "花名册.xlsx", allow_csv=False)


# --- (e) members, rows, columns -----------------------------------------------------------------------------


def test_an_archive_of_more_than_1000_members_is_refused(tmp_path):
    members = {**template_parts(), SHEET: sheet_head() + SHEET_TAIL}
    members |= {f"customXml/item{n}.bin": b"x" for n in range(1001)}
    data = write_zip(tmp_path / "many.xlsx", members).read_bytes()
    with pytest.raises(FileRejected, match="超过 1000 个的上限"):
        read_sheet(data, "many.xlsx", allow_csv=False)


def test_more_rows_than_the_limit_are_refused_and_fewer_are_read():
    data = export_xlsx(["a"], [[n] for n in range(30)])
    with override_settings(IMPORT_MAX_ROWS=30):
        assert len(read_sheet(data, "a.xlsx").rows) == 30
    with override_settings(IMPORT_MAX_ROWS=29), pytest.raises(FileRejected, match="工作表超过 29 行"):
        read_sheet(data, "a.xlsx")


def test_one_row_far_down_is_refused_without_walking_a_million_blank_rows():
    far = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a'
        '</t></is></c></row><row r="900000000"><c r="A900000000"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    data = with_member(export_xlsx(["a"], []), SHEET, far)
    with pytest.raises(FileRejected, match="工作表超过 100000 行"):
        read_sheet(data, "a.xlsx")


def test_a_declared_width_of_16384_columns_is_read_only_to_the_header():
    data = export_xlsx(["a", "b"], [[1, 2], [3, 4]])
    wide = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>9</v></c></row></sheetData></worksheet>'
    ).encode()
    sheet = read_sheet(with_member(data, SHEET, wide), "a.xlsx")
    assert sheet.headers == ["a", "b"] and sheet.rows == [(2, [1, None])]


def test_merged_cells_are_still_found_by_the_streamed_scan():
    assert read_sheet(roster_xlsx(rows(2), merge="D2:D3"), "r.xlsx").merged_cells is True
    assert read_sheet(roster_xlsx(rows(2)), "r.xlsx").merged_cells is False
