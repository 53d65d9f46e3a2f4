"""Bounds on every uploaded file, checked before anything parses it (issue 12).

- Size as uploaded: at most UPLOAD_MAX_BYTES for any file (LimitedUploadHandler stops writing it to disk beyond
  that and the forms refuse it), IMPORT_MAX_BYTES for a spreadsheet to import.
- Office files (.xlsx, .docx) are zip archives. `check_office_archive` first reads the end-of-central-directory
  record and the central directory, inflating nothing: number of members, total declared uncompressed size,
  compression ratio of each member. It then inflates every member itself in 64 KB chunks with a running byte
  count, so a member whose header understates its size is stopped as soon as it passes what it declared, and
  parses each XML member with a streaming expat parser that refuses a DTD or entity declaration (billion laughs,
  XXE) and counts rows, cells per row and elements, so no XML part can make openpyxl build more than a bounded
  amount in memory. openpyxl itself parses with defusedxml (`openpyxl.xml.DEFUSEDXML`) as a second guard.
- Materials (application and claim documents, kept but never parsed): `check_material` compares the content
  signature (puremagic) with the extension, so an .exe or an HTML page renamed to .pdf is refused.

Every refusal is a FileRejected (or, in forms, a ValidationError) with a Chinese message that says what the limit
is and how to fix the file. The limits are settings (config/settings/base.py); the defaults are here.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat  # a DTD or entity declaration is refused in its handlers (_XmlBudget)

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

MB = 1024 * 1024
DEFAULTS = {
    "UPLOAD_MAX_BYTES": 50 * MB,  # any one uploaded file (the largest allowed: a claim material)
    "IMPORT_MAX_BYTES": 10 * MB,  # a spreadsheet to import, as uploaded
    "OFFICE_MAX_UNCOMPRESSED_BYTES": 50 * MB,  # a spreadsheet, all members inflated (a 10,000-row roster: 4 MB)
    "OFFICE_MAX_RATIO": 100,  # inflated / compressed size of one member (a real sheet: 10-20)
    "OFFICE_MAX_MEMBERS": 1000,  # members of one archive (a workbook: about 10)
    "OFFICE_MAX_XML_ELEMENTS": 200_000,  # elements openpyxl keeps of one XML part (styles with Excel's 64,000
    # formats: about 150,000); a worksheet's rows and the shared strings are bounded on their own, below
    "IMPORT_MAX_ROWS": 100_000,  # rows of a sheet to import, blank ones included, header excluded
    "IMPORT_MAX_COLUMNS": 200,  # header columns of a sheet to import (the templates have at most 15)
    "MATERIAL_MAX_UNCOMPRESSED_BYTES": 200 * MB,  # a .docx/.xlsx material, kept but never parsed
}
EXCEL_MAX_COLUMNS = 16384  # XFD: more cells in one row than Excel itself can hold
ITEM_MAX_ELEMENTS = 4 * EXCEL_MAX_COLUMNS  # elements within one row (or one shared string): cell, value, text
SHARED_STRINGS_MAX = 1_000_000  # distinct strings of a workbook (100,000 rows x 10 columns)
RATIO_GRACE_BYTES = 1 * MB  # smaller members may compress as well as they like
CHUNK = 64 * 1024


def limit(name: str) -> int:
    """The limit `name` from settings, or its default here."""
    return getattr(settings, name, DEFAULTS[name])


def _mb(n: int) -> str:
    return f"{n / MB:g}"


class FileRejected(ValueError):
    """The file as a whole cannot be read; the message says why in Chinese."""


def unreadable_message() -> str:
    return _("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密。")


def resave() -> str:
    return _("请用 Excel 或 WPS 打开后另存为新文件再上传。")


# --- size as uploaded ---------------------------------------------------------------------------------------


def too_large_message(cap: int, *, import_: bool = False) -> str:
    if import_:
        return _("文件超过 %(n)s MB，请拆分后分批导入。") % {"n": _mb(cap)}
    return _("文件超过 %(n)s MB，请压缩或拆分后再上传。") % {"n": _mb(cap)}


def check_upload_size(uploaded_file, *, setting: str = "UPLOAD_MAX_BYTES", import_: bool = False) -> None:
    cap = limit(setting)
    if uploaded_file.size > cap:
        raise FileRejected(too_large_message(cap, import_=import_))


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes on at most UPLOAD_MAX_BYTES and one chunk of each uploaded file, so
    nothing much larger reaches memory or the disk; the form then sees a file over the limit and refuses it with
    its message (Django's own handlers keep files over FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, on disk)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.cap = limit("UPLOAD_MAX_BYTES")

    def receive_data_chunk(self, raw_data, start):
        return None if start > self.cap else raw_data

    def file_complete(self, file_size):
        return None


# --- Office archives ----------------------------------------------------------------------------------------


@dataclass
class OfficeArchive:
    members: int
    uncompressed_bytes: int  # as inflated by the scan (declared, when not scanned)
    merged_cells: bool = False  # a worksheet declares merged cells (read-only openpyxl does not expose them)


_EOCD, _ZIP64_LOCATOR, _ZIP64_EOCD, _LOCAL = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06", b"PK\x03\x04"
DIRECTORY_BYTES_PER_MEMBER = 1024  # a central-directory entry: 46 bytes and a name of a few dozen


def _declared_directory(fp) -> tuple[int, int]:
    """(members, central directory size) from the end record, found the way zipfile finds it, so that a directory
    of a million entries is refused before zipfile builds a million ZipInfo objects."""
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    tail_size = min(size, 22 + 0xFFFF)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = len(tail) - 22 if tail[-22:-18] == _EOCD and tail[-2:] == b"\0\0" else tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise FileRejected(unreadable_message())
    members, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    eocd = size - tail_size + at
    if eocd >= 20:
        fp.seek(eocd - 20)
        if fp.read(4) == _ZIP64_LOCATOR and eocd >= 76:
            fp.seek(eocd - 76)
            record = fp.read(56)
            if record[:4] != _ZIP64_EOCD:
                raise FileRejected(unreadable_message())
            members, directory = struct.unpack("<QQ", record[32:48])
    return members, directory


def _members_message(count: int, cap: int) -> str:
    return (
        _("文件内含 %(n)s 个部件，超过 %(cap)s 个的上限，不像正常的 Office 文件。") % {"n": count, "cap": cap}
        + resave()
    )


def _check_directory(fp, *, max_uncompressed: int, import_: bool) -> list[zipfile.ZipInfo]:
    max_members, max_ratio = limit("OFFICE_MAX_MEMBERS"), limit("OFFICE_MAX_RATIO")
    members, directory = _declared_directory(fp)
    if members > max_members or directory > max_members * DIRECTORY_BYTES_PER_MEMBER:
        raise FileRejected(_members_message(members, max_members))
    fp.seek(0)
    try:
        infos = zipfile.ZipFile(fp).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise FileRejected(unreadable_message()) from exc
    if len(infos) > max_members:
        raise FileRejected(_members_message(len(infos), max_members))
    declared = sum(info.file_size for info in infos)
    if declared > max_uncompressed:
        raise FileRejected(_too_big_message(max_uncompressed, import_))
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRejected(unreadable_message())  # encrypted, or a compression Office never uses
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            raise FileRejected(
                _("文件中的「%(name)s」解压后是压缩时的 %(r)s 倍，超过 %(cap)s 倍的上限，不像正常的 Office 文件。")
                % {"name": info.filename[:80], "r": info.file_size // max(info.compress_size, 1), "cap": max_ratio}
                + resave()
            )
    return infos


def _too_big_message(cap: int, import_: bool) -> str:
    if import_:
        return _("文件解压后超过 %(n)s MB，请拆分后分批导入。") % {"n": _mb(cap)}
    return _("文件解压后超过 %(n)s MB，请拆分后再上传。") % {"n": _mb(cap)}


def _tampered_message() -> str:
    return _("文件结构异常：解压后的内容与文件目录记载的大小或校验值不符，文件可能已损坏或被篡改。") + resave()


def _inflate(fp, info: zipfile.ZipInfo):
    """The member's bytes, CHUNK at a time, inflated here from its raw data: never more than it declared."""
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != _LOCAL:
        raise FileRejected(unreadable_message())
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, produced, crc = info.compress_size, 0, 0

    def counted(data: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(data)
        if produced > info.file_size:  # the streamed counter: a lying header stops here
            raise FileRejected(_tampered_message())
        crc = zlib.crc32(data, crc)
        return data

    while left > 0:
        raw = fp.read(min(CHUNK, left))
        if not raw:
            raise FileRejected(unreadable_message())
        left -= len(raw)
        if inflater is None:
            yield counted(raw)
            continue
        data = raw
        while not inflater.eof:
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                raise FileRejected(unreadable_message()) from exc
            data = inflater.unconsumed_tail
            if out:
                yield counted(out)
            elif not data:
                break  # needs more input
        if inflater.eof:
            break  # whatever compressed bytes remain are not inflated
    if (inflater is not None and not inflater.eof) or produced != info.file_size or crc != info.CRC:
        raise FileRejected(_tampered_message())


class _XmlBudget:
    """Streaming expat handlers for one XML member: no DTD or entity, and bounded what openpyxl would keep.

    openpyxl builds most parts as whole trees (so every element counts), but streams a worksheet's sheetData and
    the shared strings, clearing each row or string once read: there the rows (or strings) count, and what one row
    or string holds is bounded on its own."""

    def __init__(self, name: str):
        self.name = name
        self.max_elements = limit("OFFICE_MAX_XML_ELEMENTS")
        self.max_rows = limit("IMPORT_MAX_ROWS") + 1  # and the header row
        self.depth = self.container = self.items = self.item_elements = self.elements = 0
        self.sheet = self.merged_cells = self.broken = False
        parser = expat.ParserCreate()  # DTDs and entities are refused by the handlers below
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._dtd
        parser.EntityDeclHandler = self._dtd
        parser.ExternalEntityRefHandler = self._dtd
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        self.parser = parser

    def _dtd(self, *args):
        raise FileRejected(
            _("文件中的「%(name)s」含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），出于安全原因不予读取。")
            % {"name": self.name[:80]}
            + resave()
        )

    def _too_many(self) -> FileRejected:
        return FileRejected(
            _("文件中的「%(name)s」含有的 XML 元素过多，不像正常的 Excel 文件。") % {"name": self.name[:80]} + resave()
        )

    def _start(self, tag, attrs):
        self.depth += 1
        if self.container:  # inside sheetData or sst
            if self.depth == self.container + 1:  # a row, or a string
                self.items += 1
                self.item_elements = 0
                if self.sheet and self.items > self.max_rows:
                    raise FileRejected(rows_message(self.max_rows - 1))
                if not self.sheet and self.items > SHARED_STRINGS_MAX:
                    raise self._too_many()
            else:
                self.item_elements += 1
                if self.item_elements > ITEM_MAX_ELEMENTS:
                    if self.sheet:
                        raise FileRejected(
                            _("工作表第 %(row)s 行的内容超过 Excel 一行所能容纳的上限（%(n)s 列）。")
                            % {"row": self.items, "n": EXCEL_MAX_COLUMNS}
                            + resave()
                        )
                    raise self._too_many()
            return
        local = tag.rpartition(":")[2]
        if local == "sheetData" or (local == "sst" and self.depth == 1):
            self.container, self.sheet = self.depth, local == "sheetData"
            return
        self.elements += 1
        if self.elements > self.max_elements:
            raise self._too_many()
        if local == "mergeCell" and self.sheet:
            self.merged_cells = True

    def _end(self, tag):
        if self.depth == self.container:
            self.container = 0
        self.depth -= 1

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.broken:
            return
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            # Not well-formed: nothing more can be counted, and openpyxl (on the same expat) stops at the same
            # place, so it fails to read this part or never reads it.
            self.broken = True


def rows_message(cap: int) -> str:
    return _("工作表超过 %(n)s 行（含空行），请删除多余的行或拆分后分批导入。") % {"n": cap}


def _looks_like_xml(name: str, head: bytes) -> bool:
    if name.lower().endswith((".xml", ".rels", ".vml")):
        return True
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:2] in (b"<\0", b"\0<")


def check_office_archive(
    source, *, scan: bool = True, max_uncompressed: int | None = None, import_: bool = True
) -> OfficeArchive:
    """Refuse an .xlsx/.docx (bytes or a file object) that is not a bounded, plain Office archive; see the module
    docstring. With scan=False only the directory is checked (for files kept but never parsed)."""
    fp = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    if max_uncompressed is None:
        max_uncompressed = limit("OFFICE_MAX_UNCOMPRESSED_BYTES")
    try:
        infos = _check_directory(fp, max_uncompressed=max_uncompressed, import_=import_)
        result = OfficeArchive(members=len(infos), uncompressed_bytes=sum(i.file_size for i in infos))
        if scan:
            result.uncompressed_bytes = 0
            for info in infos:
                budget = None
                for chunk in _inflate(fp, info):
                    result.uncompressed_bytes += len(chunk)
                    if result.uncompressed_bytes > max_uncompressed:
                        raise FileRejected(_too_big_message(max_uncompressed, import_))
                    if budget is None and _looks_like_xml(info.filename, chunk[:64]):
                        budget = _XmlBudget(info.filename)
                    if budget is not None:
                        budget.feed(chunk)
                if budget is not None:
                    budget.feed(b"", final=True)
                    result.merged_cells |= budget.merged_cells
        return result
    finally:
        fp.seek(0)


# --- materials ----------------------------------------------------------------------------------------------

JPEG = {".jpg", ".jpeg", ".jpe", ".jfif"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls
# extension -> the extensions puremagic may name for such content
SIGNATURES = {
    ".pdf": {".pdf"},
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": {".png"},
    ".doc": {".doc", ".xls"},
    ".xls": {".doc", ".xls"},
    ".docx": {".docx"},
    ".xlsx": {".xlsx"},
    ".zip": {".zip", ".docx", ".xlsx"},
}
KIND_NAMES = {
    ".pdf": "PDF",
    ".jpg": "JPEG 图片",
    ".jpeg": "JPEG 图片",
    ".png": "PNG 图片",
    ".doc": "Word 97-2003 文档",
    ".xls": "Excel 97-2003 工作簿",
    ".docx": "Word 文档",
    ".xlsx": "Excel 工作簿",
    ".zip": "ZIP 压缩包",
}
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/"}


def suffix(name: str) -> str:
    return name[name.rfind(".") :].lower() if "." in name else ""


def _identified(fp) -> set[str]:
    try:
        matches = puremagic.magic_stream(fp)
    except (puremagic.PureError, ValueError):
        return set()
    finally:
        fp.seek(0)
    found = {m.extension for m in matches if m.byte_match}
    if any(m.byte_match.startswith(OLE2) for m in matches):
        found |= {".doc", ".xls"}
    return found


def check_material(uploaded_file, *, allowed) -> None:
    """Refuse a material whose content is not what its extension says (an .exe or a web page renamed .pdf), or
    whose extension is not allowed; .docx/.xlsx must also be bounded, real Office archives."""
    check_upload_size(uploaded_file)
    ext = suffix(uploaded_file.name)
    if ext not in allowed or ext not in SIGNATURES:
        raise FileRejected(_("不支持 %(ext)s 文件。") % {"ext": ext or _("无扩展名的")})
    if not uploaded_file.size:
        raise FileRejected(_("文件是空的，请重新选择文件。"))
    fp = uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file
    fp.seek(0)
    mismatch = FileRejected(
        _("文件「%(name)s」的内容不是 %(kind)s（扩展名与实际内容不符）。请上传原始的 %(kind)s 文件，不要只修改扩展名。")
        % {"name": uploaded_file.name[:100], "kind": KIND_NAMES[ext]}
    )
    if not _identified(fp) & SIGNATURES[ext]:
        raise mismatch
    if ext in OOXML_PARTS:
        if not zipfile.is_zipfile(fp):  # reads the end record only
            raise mismatch
        check_office_archive(fp, scan=False, max_uncompressed=limit("MATERIAL_MAX_UNCOMPRESSED_BYTES"), import_=False)
        names = zipfile.ZipFile(fp).namelist()
        fp.seek(0)
        if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PARTS[ext]) for n in names):
            raise mismatch


# --- form validators ----------------------------------------------------------------------------------------


class MaterialValidator:
    """A FileField validator: the content matches the (allowed) extension. Extensions outside `allowed` are left to
    the service, which refuses them with its own message."""

    def __init__(self, allowed):
        self.allowed = set(allowed)

    def __call__(self, uploaded_file):
        try:
            check_upload_size(uploaded_file)
            if suffix(uploaded_file.name) in self.allowed:
                check_material(uploaded_file, allowed=self.allowed)
        except FileRejected as exc:
            raise ValidationError(str(exc), code="file_rejected") from exc


class SpreadsheetValidator:
    """A FileField validator for a spreadsheet to import: at most IMPORT_MAX_BYTES; with check_archive, an .xlsx
    is also checked as an archive here (for uploads parsed later, by a background job). The reading itself
    (catalog.importing.read_sheet) checks again."""

    def __init__(self, *, check_archive: bool = False):
        self.check_archive = check_archive

    def __call__(self, uploaded_file):
        try:
            check_upload_size(uploaded_file, setting="IMPORT_MAX_BYTES", import_=True)
            if self.check_archive and suffix(uploaded_file.name) == ".xlsx":
                check_office_archive(uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file)
        except FileRejected as exc:
            raise ValidationError(str(exc), code="file_rejected") from exc
