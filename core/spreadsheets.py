"""One reader for every spreadsheet a clerk has: .xlsx, .xls, WPS's .et, .ods (python-calamine) and .csv
(UTF-8 with or without BOM, GBK/GB18030, UTF-16; comma, tab or semicolon).

The file is bounded first (core.uploads: an .xlsx/.ods as an archive, an .xls/.et as a compound file), and only
then does calamine parse it. Formulas give their cached values. The header is the row, among the first rows,
that matches the most known column names (a title row such as "XX培训班花名册" above it is skipped); hidden sheets
are ignored, and of several visible sheets the one that has the header is read. Header names are matched after
removing spaces, required-marks (*) and bracketed hints, and through synonyms (身份证号/公民身份号码/证件号码 ...).
Cell text loses every kind of Unicode space at its ends and zero-width characters anywhere; ="…" (how Excel
and WPS keep a long number as text in a CSV) is unwrapped.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from .uploads import (
    FileRejected,
    check_biff,
    check_office_archive,
    check_span,
    is_compound,
    limit,
    resave,
    rows_message,
    too_large_message,
)
from .uploads.grid import TITLE_ROWS

EXCEL_SUFFIXES = (".xlsx", ".xls", ".et", ".ods")
ZIP_SIGNATURE = b"PK\x03\x04"
CSV_DELIMITERS = (",", "\t", ";")  # Excel's "CSV", "Unicode text" (tab) and a European-locale Excel's CSV
CSV_SAMPLE = 64 * 1024  # characters read to choose the delimiter

# The product's column names and the words clerks use for them. A caller names its columns; the synonyms of
# those columns are renamed to them.
HEADER_SYNONYMS = {
    "姓名": ("学员姓名", "人员姓名", "名字"),
    "身份证号码": (
        *("身份证号", "身份证", "公民身份号码", "公民身份证号码", "公民身份证号"),
        *("证件号码", "证件号", "身份证件号码"),
    ),
    "手机号码": ("手机号", "手机", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    "人员类别": ("人员类型", "人员身份", "类别", "学员类别", "培训对象类别"),
    "户籍所在地": ("户籍地", "户籍", "户口所在地", "户籍地址"),
    "文化程度": ("学历", "最高学历"),
    "就业状态": ("就业情况", "就业状况"),
    "区划代码": ("行政区划代码", "区划编码"),
}

SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
_SPACE_RUN = re.compile(f"[\\s{SPACES}]+")
_HINT = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class ImportError_:  # the name ImportError is a builtin
    row: int | None  # Excel row number; None for file-level errors
    column: str
    message: str

    def __str__(self):
        where = _("第 %(row)s 行「%(column)s」：") % {"row": self.row, "column": self.column} if self.row else ""
        return f"{where}{self.message}"


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (Excel row number, cell values), blank rows dropped
    errors: list[ImportError_] = field(default_factory=list)  # cells that cannot be taken as data
    sheet_count: int = 1  # sheets that hold data (with `columns`: that have the header); hidden ones never count
    merged_cells: bool = False  # merged cells below the header
    header_row: int = 1  # the Excel row of the header
    position: int = 0  # the sheet's place in the workbook

    def records(self):
        """(Excel row, {header: value}) for each row."""
        for number, values in self.rows:
            yield number, dict(zip(self.headers, values, strict=False))

    def missing(self, required) -> list[str]:
        return [c for c in required if c not in self.headers]


def formats_message(*, allow_csv: bool = True) -> str:
    formats = _("Excel（.xlsx、.xls）、WPS 表格（.et）、OpenDocument（.ods）")
    if allow_csv:
        formats += _("或 CSV（UTF-8 或 GBK 编码）")
    return _("只支持 %(f)s文件。请在 Excel 或 WPS 中“另存为”其中一种格式，或使用下载的模板。") % {"f": formats}


# --- text ---------------------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Zero-width characters removed, every run of spaces (NBSP, U+3000, thin ...) one ASCII space, ends trimmed."""
    return _SPACE_RUN.sub(" ", value.translate(ZERO_WIDTH)).strip()


def clean_person_name(value) -> str:
    """A name as typed: a Chinese name loses every space ("张　伟" → "张伟"); a Latin one (a minority
    transliteration) keeps single spaces between its words."""
    text = clean_text(str(value)) if value is not None else ""
    return text.replace(" ", "") if _CJK.search(text) else text


def unwrap(text: str) -> str:
    """="2312…" (a number kept as text by a formula) → 2312…"""
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        return text[2:-1].replace('""', '"')
    return text


def header_key(value) -> str:
    """A header cell as compared: no spaces, no required-mark, no bracketed hint ("身份证号码（必填）*")."""
    text = _HINT.sub("", clean_text(str(value))) if value is not None else ""
    return text.replace(" ", "").strip("*＊:：")


def _cell(value):
    if isinstance(value, str):
        text = unwrap(clean_text(value))
        return text or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


# --- the grid of one sheet -> Sheet -------------------------------------------------------------------------


def _names(columns) -> dict[str, str]:
    """header key → the caller's column name."""
    names = {}
    for column in columns or ():
        names[header_key(column)] = column
        for synonym in HEADER_SYNONYMS.get(column, ()):
            names.setdefault(header_key(synonym), column)
    return names


def _score(row, names) -> int:
    keys = [header_key(v) for v in row if v not in (None, "")]
    if names:
        return len({names[k] for k in keys if k in names})
    return sum(1 for v in row if isinstance(v, str) and v.strip())


def _header_index(grid: list[list], names) -> tuple[int, int]:
    """(index of the header row in the grid, its score): the first of the best among the first rows."""
    best, at = 0, None
    for index, row in enumerate(grid[: TITLE_ROWS + 1]):
        score = _score(row, names)
        if score > best:
            best, at = score, index
    if at is None:  # nothing matched: the first row with something in it
        at = next((i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)), 0)
    return at, best


def _headers(values, names, max_columns: int) -> list[str]:
    headers = []
    for v in values:
        key = header_key(v)
        headers.append(names.get(key, key) if names else (clean_text(str(v)) if v is not None else ""))
    if len(headers) > max_columns and any(headers[max_columns:]):
        raise FileRejected(_("表头超过 %(n)s 列，请使用下载的模板。") % {"n": max_columns})
    headers = headers[:max_columns]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _sheet(grid: list[list], names, *, header_at: int) -> Sheet:
    max_columns, max_rows = limit("IMPORT_MAX_COLUMNS"), limit("IMPORT_MAX_ROWS")
    if not grid:
        raise FileRejected(_("文件是空的。"))
    headers = _headers(grid[header_at], names, max_columns)
    sheet = Sheet(headers=headers, rows=[], header_row=header_at + 1)
    width = len(headers)
    if not width:
        return sheet
    if len(grid) - header_at - 1 > max_rows:
        raise FileRejected(rows_message(max_rows))
    for index in range(header_at + 1, len(grid)):
        values = [_cell(v) for v in grid[index][:width]]
        if any(v is not None for v in values):
            sheet.rows.append((index + 1, values))
    return sheet


def _filled(grid) -> bool:
    return any(v not in (None, "") for row in grid for v in row)


def _choose(grids: list[list[list]], columns) -> Sheet:
    """Of the visible sheets: the one with the header (or, with no columns named, the first with data)."""
    names = _names(columns)
    found = []
    for position, grid in grids:
        if not _filled(grid):
            continue
        at, score = _header_index(grid, names)
        found.append((position, grid, at, score))
    if not found:
        raise FileRejected(_("文件是空的。"))
    with_header = [f for f in found if f[3] > 0] if names else found
    chosen = max(with_header or found, key=lambda f: f[3]) if names else found[0]
    position, grid, at = chosen[:3]
    sheet = _sheet(grid, names, header_at=at)
    sheet.sheet_count = len(with_header) or 1
    sheet.position = position
    return sheet


# --- formats ------------------------------------------------------------------------------------------------


def _unreadable() -> str:
    return _("无法读取该文件，请确认它是 Excel、WPS 或 OpenDocument 表格且未加密。") + resave()


def _read_book(data: bytes, *, ods: bool, columns) -> Sheet:
    import python_calamine

    if ods or data[:4] == ZIP_SIGNATURE:
        archive = check_office_archive(data)  # bounded before calamine parses it
        spans = archive.sheets
    elif is_compound(data):
        check_biff(data)
        spans = []
    else:
        raise FileRejected(
            _(
                "文件内容不是表格（可能是 PDF、网页或文本改了扩展名）。"
                "请用 Excel 或 WPS 打开原表格，另存为 .xlsx 后再上传。"
            )
        )
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise FileRejected(_unreadable()) from exc
    try:
        grids, merges = [], {}
        for position, meta in enumerate(book.sheets_metadata):
            if str(meta.visible).rsplit(".", 1)[-1] != "Visible" or "WorkSheet" not in str(meta.typ):
                continue
            ws = book.get_sheet_by_index(position)
            if ws.height:
                check_span(ws.end[0] + 1, ws.end[1] + 1)
            grids.append((position, [list(row) for row in ws.to_python(skip_empty_area=False)]))
            merges[position] = [r[1][0] for r in (ws.merged_cell_ranges or [])]  # last row (0-based) of each
            if position < len(spans):
                merges[position] += [row - 1 for row in spans[position]["covered_rows"]]
        sheet = _choose(grids, columns)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(_unreadable()) from exc
    finally:
        book.close()
    sheet.merged_cells = any(last >= sheet.header_row for last in merges.get(sheet.position, []))
    return sheet


def _decode(data: bytes) -> str:
    """UTF-16 when it says so (Excel's "Unicode 文本"), else UTF-8 (with or without BOM), else GB18030 — a
    superset of GBK, so a GBK file and a name with a rare character (䶮) that only GB18030 holds both decode."""
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))


def _delimiter(text: str, names) -> str:
    """Comma, tab or semicolon: the one that splits the first rows into the best header, scored as the header
    itself is found (the caller's column names; with none named, the most filled cells); comma on a tie."""
    head = text[:CSV_SAMPLE].splitlines()[: TITLE_ROWS + 1]
    return max(CSV_DELIMITERS, key=lambda d: _header_index(list(csv.reader(head, delimiter=d)), names)[1])


def _read_csv(data: bytes, *, columns) -> Sheet:
    text = _decode(data)
    bound = limit("IMPORT_MAX_ROWS") + TITLE_ROWS + 1
    grid = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text, _names(columns))):
            grid.append(row)
            if len(grid) > bound:
                raise FileRejected(rows_message(limit("IMPORT_MAX_ROWS")))
    except csv.Error as exc:  # a cell over 128 K characters (a quote left open runs on to the end)
        raise FileRejected(_("无法读取该 CSV 文件，请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。")) from exc
    return _choose([(0, grid)], columns)


def read_sheet(data: bytes, filename: str, *, allow_csv: bool = True, columns=None) -> Sheet:
    """Read the sheet of an uploaded spreadsheet (see the module docstring). `columns`: the caller's column
    names, to find the header among title rows and take clerks' synonyms of them; without it, the header is the
    first fullest row of the first rows."""
    if len(data) > limit("IMPORT_MAX_BYTES"):
        raise FileRejected(too_large_message(limit("IMPORT_MAX_BYTES"), import_=True))
    name = filename.lower()
    if name.endswith(EXCEL_SUFFIXES):
        return _read_book(data, ods=name.endswith(".ods"), columns=columns)
    if allow_csv and name.endswith(".csv"):
        return _read_csv(data, columns=columns)
    raise FileRejected(formats_message(allow_csv=allow_csv))
