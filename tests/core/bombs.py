"""Hand-made Office archives for the upload tests: a decompression bomb that is a real roster workbook, one whose
header lies about its size, members with DTDs and entities.

The bomb's sheet inflates to 1.2 GB. It is written deflate block by block: one 1 MB run of rows compressed once
with a full flush (which resets the compressor, so the same bytes can follow one another) and repeated, so
building it takes a fraction of a second and no memory, and the file is about 1 MB - well under every upload limit.
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

from core.importing import export_xlsx
from training.services.roster import COLUMNS

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
