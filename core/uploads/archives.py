"""Office files (.xlsx, .docx) are zip archives: bounded before anything parses them (see core.uploads)."""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat  # a DTD or entity declaration is refused in its handlers (_XmlBudget)

from django.utils.translation import gettext as _

from .grid import GridSpan
from .limits import (
    CHUNK,
    EXCEL_MAX_COLUMNS,
    ITEM_MAX_ELEMENTS,
    RATIO_GRACE_BYTES,
    SHARED_STRINGS_MAX,
    FileRejected,
    _mb,
    limit,
    resave,
    unreadable_message,
)

# --- Office archives ----------------------------------------------------------------------------------------


@dataclass
class OfficeArchive:
    members: int
    uncompressed_bytes: int  # as inflated by the scan (declared, when not scanned)
    merged_cells: bool = False  # a worksheet declares merged cells (read-only openpyxl does not expose them)
    sheets: list = field(default_factory=list)  # (rows, columns) spanned by the filled cells of each worksheet


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

    def __init__(self, name: str, *, ods: bool = False):
        self.name = name
        # The reader (calamine) builds each sheet as a dense grid: what the filled cells span is bounded too.
        self.grid = GridSpan(ods=ods) if ods or name.startswith("xl/worksheets/") else None
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
        if self.grid is not None:
            self.grid.start(tag.rpartition(":")[2], attrs)
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
        ods_table = self.grid is not None and self.grid.ods and local == "table"
        if local == "sheetData" or (local == "sst" and self.depth == 1) or ods_table:
            self.container, self.sheet = self.depth, local in ("sheetData", "table")
            return
        self.elements += 1
        if self.elements > self.max_elements:
            raise self._too_many()
        if local == "mergeCell" and self.sheet:
            self.merged_cells = True

    def _end(self, tag):
        if self.grid is not None:
            self.grid.end(tag.rpartition(":")[2])
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
                        budget = _XmlBudget(info.filename, ods=info.filename == "content.xml")
                    if budget is not None:
                        budget.feed(chunk)
                if budget is not None:
                    budget.feed(b"", final=True)
                    result.merged_cells |= budget.merged_cells
                    if budget.grid is not None:
                        result.sheets.extend(budget.grid.sheets)
        return result
    finally:
        fp.seek(0)
