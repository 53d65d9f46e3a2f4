"""Excel 97-2003 workbooks (.xls, and WPS's .et, the same format) bounded before the reader parses them.

Such a file is an OLE compound file (MS-CFB) holding a "Workbook" (or "Book") stream of BIFF records. The stream
is put together here sector by sector (following the allocation tables, with a bound on every chain), and its
records are walked by their headers only: a password-protected workbook (FILEPASS) is refused, and each sheet's
cell records (their row and column) and declared DIMENSIONS give the grid the reader would build, which must stay
within IMPORT_MAX_ROWS and IMPORT_MAX_CELLS (core.uploads.grid).
"""

import struct

from django.utils.translation import gettext as _

from .grid import check_span
from .limits import FileRejected, resave

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END_OF_CHAIN, FREE = 0xFFFFFFFE, 0xFFFFFFFF
# BIFF cell records whose data starts with (row, column): FORMULA, LABELSST, NUMBER, RK, BLANK, BOOLERR, LABEL,
# RSTRING; MULRK and MULBLANK end with their last column.
CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406}
MULTI = {0x00BD, 0x00BE}
BOF, EOF, FILEPASS, DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0200


def _broken() -> FileRejected:
    return FileRejected(_("无法读取该 Excel 97-2003 文件（.xls/.et），文件可能已损坏。") + resave())


def is_compound(data: bytes) -> bool:
    return data[:8] == SIGNATURE


class _Compound:
    def __init__(self, data: bytes):
        if len(data) < 512 or not is_compound(data):
            raise _broken()
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _broken()
        self.size = 1 << shift
        self.sectors = max(0, (len(data) - self.size) // self.size)
        fat_count, self.dir_start = struct.unpack_from("<I", data, 0x2C)[0], struct.unpack_from("<I", data, 0x30)[0]
        self.cutoff, mini_fat_start, mini_fat_count, difat_start, difat_count = struct.unpack_from("<5I", data, 0x38)
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        sector = difat_start
        for _n in range(min(difat_count, self.sectors)):
            if sector >= self.sectors:
                raise _broken()
            entries = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            fat_sectors.extend(entries[:-1])
            sector = entries[-1]
        fat_sectors = [s for s in fat_sectors[:fat_count] if s < self.sectors]
        self.fat = []
        for s in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{self.size // 4}I", self._sector(s)))
        self.mini_fat = []
        if mini_fat_count:
            raw = self._chain(mini_fat_start)
            self.mini_fat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))

    def _sector(self, n: int) -> bytes:
        start = (n + 1) * self.size
        return self.data[start : start + self.size]

    def _follow(self, start: int, table: list[int], bound: int):
        seen, n = 0, start
        while n not in (END_OF_CHAIN, FREE):
            if n >= len(table) or seen > bound:  # out of range, or a loop
                raise _broken()
            yield n
            seen += 1
            n = table[n]

    def _chain(self, start: int) -> bytes:
        return b"".join(self._sector(n) for n in self._follow(start, self.fat, self.sectors))

    def stream(self, names: tuple[str, ...]) -> bytes:
        directory = self._chain(self.dir_start)
        root = None
        for at in range(0, len(directory) - 127, 128):
            entry = directory[at : at + 128]
            length, kind = struct.unpack_from("<HB", entry, 64)
            name = entry[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", entry, 116)
            if kind == 5:
                root = (start, size)
            elif kind == 2 and name in names:
                if size < self.cutoff and root is not None:
                    mini = self._chain(root[0])
                    sectors = self._follow(start, self.mini_fat, len(self.mini_fat))
                    return b"".join(mini[n * 64 : n * 64 + 64] for n in sectors)[:size]
                return self._chain(start)[:size]
        raise FileRejected(_("文件中没有 Excel 工作簿的内容，请确认是 Excel 或 WPS 表格文件。") + resave())


def check_biff(data: bytes) -> None:
    """Refuse an .xls/.et that is not a bounded, unencrypted BIFF workbook; see the module docstring."""
    stream = _Compound(data).stream(("Workbook", "Book"))
    at, end = 0, len(stream)
    rows = columns = 0
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4 : at + 4 + length]
        at += 4 + length
        if kind == FILEPASS:
            raise FileRejected(_("文件设置了打开密码，请在 Excel 或 WPS 中取消密码后再上传。"))
        if kind == BOF:
            rows = columns = 0
        elif kind in CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", body)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            check_span(rows, columns)
        elif kind in MULTI and length >= 6:
            row, _first = struct.unpack_from("<HH", body)
            (last,) = struct.unpack_from("<H", body, length - 2)
            rows, columns = max(rows, row + 1), max(columns, last + 1)
            check_span(rows, columns)
        elif kind == DIMENSIONS and length >= 14:
            _r0, last_row, _c0, last_column = struct.unpack_from("<IIHH", body)
            check_span(last_row, last_column)  # the reader may size its grid from it
