"""Every uploaded file is bounded before it is parsed (issue 12, item 3; item 10 for materials).

The decompression bomb is a real roster workbook (the downloadable template) whose sheet inflates to 1.2 GB. It
is written here by hand, deflate block by block: one 1 MB run of rows compressed once with a full flush (which
resets the compressor, so the same bytes can follow one another) and repeated, so building it takes a fraction of
a second and no memory, and the file is about 1 MB - well under every upload limit.
"""

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import override_settings

from accounts.forms import ReferenceImportForm
from catalog.models import Occupation
from core.importing import FileRejected, export_xlsx, read_sheet
from core.uploads import LimitedUploadHandler, check_material, check_office_archive
from indicators.forms import TargetImportForm
from institutions.forms import ImportForm
from institutions.models import Institution
from subsidies.forms import MaterialForm as ClaimMaterialForm
from training.forms import RosterUploadForm
from training.models import ClassMaterial, Enrollment, ImportJob
from training.services.roster import COLUMNS

from ..training.factories import World, make_class, roster_xlsx, rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

BASE_DIR = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BOMB_ROW = b'<row><c t="inlineStr"><is><t>' + b"0" * 30_000 + b"</t></is></c></row>"
RUN = BOMB_ROW * (1024 * 1024 // len(BOMB_ROW))  # about 1 MB of rows
RUNS = 1200  # 1.2 GB inflated
TOO_BIG = "文件解压后超过 50 MB，请拆分后分批导入。"
TAMPERED = "文件结构异常"
DTD = "含有 DTD 或实体声明"


# --- building archives by hand ------------------------------------------------------------------------------


def _deflate(data: bytes, mode=zlib.Z_FINISH) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(mode)


class Repeated:
    """A member whose content is head + run * times + tail, deflated without ever being held in memory."""

    def __init__(self, head: bytes, run: bytes, times: int, tail: bytes):
        self.head, self.run, self.times, self.tail = head, run, times, tail

    @property
    def size(self) -> int:
        return len(self.head) + len(self.run) * self.times + len(self.tail)

    def crc(self) -> int:
        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.run, crc)
        return zlib.crc32(self.tail, crc)

    def deflated(self):
        yield _deflate(self.head, zlib.Z_FULL_FLUSH)
        block = _deflate(self.run, zlib.Z_FULL_FLUSH)
        for _ in range(self.times):
            yield block
        yield _deflate(self.tail)


def write_zip(path: Path, members: dict, *, declare_size: dict | None = None) -> Path:
    """A deflated zip of `members` (name: bytes or Repeated). declare_size={name: n} writes a lying header: n as
    the member's uncompressed size in its local header and the central directory."""
    declare_size = declare_size or {}
    directory = []
    with open(path, "wb") as out:
        for name, content in members.items():
            raw_name = name.encode()
            if isinstance(content, bytes):
                crc, size, chunks = zlib.crc32(content), len(content), [_deflate(content)]
            else:
                crc, size, chunks = content.crc(), content.size, content.deflated()
            size = declare_size.get(name, size)
            offset = out.tell()
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, 0, size, len(raw_name), 0))
            out.write(raw_name)
            start = out.tell()
            for chunk in chunks:
                out.write(chunk)
            compressed = out.tell() - start
            out.seek(offset + 18)
            out.write(struct.pack("<I", compressed))
            out.seek(0, io.SEEK_END)
            directory.append(
                struct.pack(
                    "<4s6H3I5H2I",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    crc,
                    compressed,
                    size,
                    len(raw_name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + raw_name
            )
        start = out.tell()
        for entry in directory:
            out.write(entry)
        out.write(
            struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(directory), len(directory), out.tell() - start, start, 0)
        )
    return path


def template_parts() -> dict[str, bytes]:
    """The members of the downloadable roster template, sheet aside."""
    with zipfile.ZipFile(io.BytesIO(export_xlsx(COLUMNS, []))) as template:
        return {name: template.read(name) for name in template.namelist() if name != SHEET}


def sheet_head() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{column}</t></is></c>' for column in COLUMNS)
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData><row>{cells}</row>'.encode()


SHEET_TAIL = b"</sheetData></worksheet>"


def bomb(path: Path, runs: int = RUNS, **kw) -> Path:
    return write_zip(path, {**template_parts(), SHEET: Repeated(sheet_head(), RUN, runs, SHEET_TAIL)}, **kw)


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory) -> Path:
    return bomb(tmp_path_factory.mktemp("bomb") / "花名册.xlsx")


@pytest.fixture(scope="module")
def lying_file(tmp_path_factory) -> Path:
    """The same bomb, its sheet declared as 10 MB (so the directory alone looks fine: 10 MB at 9:1)."""
    return bomb(tmp_path_factory.mktemp("lying") / "花名册.xlsx", declare_size={SHEET: 10 * 1024 * 1024})


def declared_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def peak_memory_growth(path: Path) -> dict:
    """read_sheet on `path` in a fresh interpreter: how much its peak resident size (ru_maxrss) grew, and what it
    said. The interpreter is started through a shell that does not exec it: Linux carries ru_maxrss over fork and
    exec, so a child started straight from pytest would begin at pytest's own size and hide growth below it."""
    script = (
        "import json, resource, sys, django\n"
        "django.setup()\n"
        "from core.importing import FileRejected, read_sheet\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    outcome = 'read %s rows' % len(read_sheet(data, 'r.xlsx', allow_csv=False).rows)\n"
        "except FileRejected as exc:\n"
        "    outcome = str(exc)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'grew_mb': (after - before) / 1024, 'peak_mb': after / 1024, 'outcome': outcome}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        ["/bin/sh", "-c", '"$0" -c "$1" "$2"; exit $?', sys.executable, script, str(path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["peak_mb"] < 150, measured  # a clean start: Django and the app, not pytest's size
    return measured


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


# --- (f) through the real pages: refused in Chinese, nothing saved ------------------------------------------


def bomb_upload(path: Path, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)


def test_the_roster_upload_page_refuses_the_bomb_and_starts_no_job(client, bomb_file):
    w = World()
    c = make_class(w.program, w.owner)
    client.force_login(w.owner)
    response = client.post(f"/classes/{c.pk}/roster/", {"file": bomb_upload(bomb_file)}, follow=True)
    assert [m.message for m in response.context["messages"]] == [TOO_BIG]
    assert not ImportJob.objects.exists() and not Enrollment.objects.exists()


def test_the_directory_import_page_refuses_the_bomb(client, county_user, bomb_file):
    client.force_login(county_user)
    response = client.post("/institutions/import/institutions/", {"file": bomb_upload(bomb_file, "机构.xlsx")})
    assert response.status_code == 400 and TOO_BIG in response.content.decode()
    assert not Institution.objects.exists()


def test_the_reference_data_import_page_refuses_the_bomb(client, admin_user, bomb_file):
    client.force_login(admin_user)
    before = Occupation.objects.count()
    upload = bomb_upload(bomb_file, "职业.xlsx")
    response = client.post("/accounts/reference-import/", {"kind": "occupation", "file": upload})
    assert response.status_code == 400 and TOO_BIG in response.content.decode()
    assert Occupation.objects.count() == before


@pytest.mark.parametrize("form_class", [ReferenceImportForm, ImportForm, TargetImportForm, RosterUploadForm])
def test_an_import_over_10_mb_is_refused_by_its_form(form_class):
    upload = SimpleUploadedFile("名单.xlsx", roster_xlsx(rows(1)))
    upload.size = 10 * 1024 * 1024 + 1  # as the upload handler reports it; no need to allocate 10 MB
    form = form_class({"kind": "occupation"}, {"file": upload})
    assert not form.is_valid() and form.errors["file"] == ["文件超过 10 MB，请拆分后分批导入。"]


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_the_upload_handler_stops_writing_a_file_past_the_limit():
    body = b"x" * (5 * 1024 * 1024)
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + body + b"\r\n--B--\r\n"
    )
    meta = {"CONTENT_TYPE": "multipart/form-data; boundary=B", "CONTENT_LENGTH": str(len(multipart))}
    handlers = [LimitedUploadHandler(), MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    _post, files = MultiPartParser(meta, io.BytesIO(multipart), handlers).parse()
    kept = files["file"]
    assert 1024 * 1024 < kept.size <= 1024 * 1024 + 64 * 1024  # over the limit, so the form refuses it
    with pytest.raises(FileRejected, match="文件超过 1 MB"):
        check_material(kept, allowed={".pdf"})
    kept.close()


# --- (g) materials: the content must be what the extension says ---------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


@pytest.mark.parametrize("content", [HTML, EXE, b"just some text"], ids=["html", "exe", "text"])
def test_a_class_material_renamed_to_pdf_is_refused_and_a_real_pdf_is_kept(client, content):
    w = World()
    c = make_class(w.program, w.owner)
    client.force_login(w.owner)
    url = f"/classes/{c.pk}/materials/"
    fake = SimpleUploadedFile("培训计划.pdf", content, content_type="application/pdf")
    refused = client.post(url, {"kind": "syllabus", "file": fake}, follow=True)
    [message] = [m.message for m in refused.context["messages"]]
    assert "的内容不是 PDF（扩展名与实际内容不符）" in message
    assert not ClassMaterial.objects.filter(training_class=c).exists()
    real = SimpleUploadedFile("培训计划.pdf", PDF, content_type="application/pdf")
    client.post(url, {"kind": "syllabus", "file": real})
    assert list(ClassMaterial.objects.filter(training_class=c).values_list("original_name", flat=True)) == [
        "培训计划.pdf"
    ]


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("申请表.pdf", PDF, True),
        ("申请表.pdf", HTML, False),
        ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, True),
        ("照片.png", PDF, False),
        ("花名册.xlsx", roster_xlsx(rows(1)), True),
        ("花名册.xlsx", b"PK\x03\x04" + b"\x00" * 64, False),  # a zip signature, but no workbook
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, True),
        ("视频截图.zip", EXE, False),
    ],
)
def test_a_claim_material_must_be_what_its_extension_says(name, content, ok):
    form = ClaimMaterialForm({"kind": "claim_form"}, {"file": SimpleUploadedFile(name, content)})
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert "扩展名与实际内容不符" in form.errors["file"][0]


def test_a_material_over_50_mb_is_refused_by_the_form():
    upload = SimpleUploadedFile("申请表.pdf", PDF)
    upload.size = 50 * 1024 * 1024 + 1
    form = ClaimMaterialForm({"kind": "claim_form"}, {"file": upload})
    assert not form.is_valid() and form.errors["file"] == ["文件超过 50 MB，请压缩或拆分后再上传。"]
