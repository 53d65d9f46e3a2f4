"""Reading uploaded spreadsheets and writing exports, shared by every app that imports or exports.

Errors name the Excel row and column in Chinese; imports are all or nothing; exports never let a cell
become a formula. An .xlsx is checked as an archive (core.uploads) before openpyxl opens it, and read in
streaming mode up to IMPORT_MAX_ROWS rows and the header's width.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.resources import ModelResource

from .uploads import (
    FileRejected,
    check_office_archive,
    limit,
    rows_message,
    too_large_message,
    unreadable_message,
)

EXCEL_HEADER_ROWS = 1  # data row 1 is Excel row 2
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ImportError_:  # the name ImportError is a builtin
    row: int | None  # Excel row number; None for file-level errors
    column: str
    message: str

    def __str__(self):
        where = _("第 %(row)s 行「%(column)s」：") % {"row": self.row, "column": self.column} if self.row else ""
        return f"{where}{self.message}"


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (Excel row number, cell values), blank rows dropped
    errors: list[ImportError_] = field(default_factory=list)  # cells that cannot be taken as data
    sheet_count: int = 1
    merged_cells: bool = False

    def records(self):
        """(Excel row, {header: value}) for each row."""
        for number, values in self.rows:
            yield number, dict(zip(self.headers, values, strict=False))

    def missing(self, required) -> list[str]:
        return [c for c in required if c not in self.headers]


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def _read_xlsx(data: bytes) -> Sheet:
    archive = check_office_archive(data)  # bounded before anything parses it; finds merged cells on the way
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(unreadable_message()) from exc
    try:
        return _read_first_sheet(book, merged_cells=archive.merged_cells)
    except FileRejected:
        raise
    except Exception as exc:  # the rows are parsed lazily: a broken sheet fails here, not at load_workbook
        raise FileRejected(unreadable_message()) from exc
    finally:
        book.close()


def _header(values, max_columns: int) -> list[str]:
    """Row 1, up to its last filled cell."""
    headers = [str(v).strip() if v is not None else "" for v in values]
    if len(headers) > max_columns and any(headers[max_columns:]):
        raise FileRejected(_("表头超过 %(n)s 列，请使用下载的模板。") % {"n": max_columns})
    headers = headers[:max_columns]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _read_first_sheet(book, *, merged_cells: bool) -> Sheet:
    ws = book.active
    ws.reset_dimensions()  # the declared dimension neither pads every row to 16,384 columns nor hides rows
    max_columns, max_rows = limit("IMPORT_MAX_COLUMNS"), limit("IMPORT_MAX_ROWS")
    # values only: several times faster than cell objects
    header_values = next(ws.iter_rows(min_row=1, max_row=1, max_col=max_columns + 1, values_only=True), None)
    if header_values is None:
        raise FileRejected(_("文件是空的。"))
    headers = _header(header_values, max_columns)
    sheet = Sheet(headers=headers, rows=[], sheet_count=len(book.sheetnames), merged_cells=merged_cells)
    width = len(headers)
    if not width:
        return sheet
    last = max_rows + EXCEL_HEADER_ROWS
    for number, values in enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        if number > last:  # a row beyond the limit, or the blank rows openpyxl fills in before one
            raise FileRejected(rows_message(max_rows))
        if all(v is None for v in values):
            continue
        cleaned = []
        for column, value in zip(headers, values[:width], strict=False):
            # With data_only=False a formula cell reads as its formula text.
            if isinstance(value, str) and value.startswith("="):
                sheet.errors.append(ImportError_(number, column, _("单元格是公式，请粘贴为数值后再导入。")))
                value = None
            cleaned.append(_clean(value))
        if any(v is not None for v in cleaned):
            sheet.rows.append((number, cleaned))
    return sheet


def _read_csv(data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))
    reader = csv.reader(io.StringIO(text))
    max_columns, max_rows = limit("IMPORT_MAX_COLUMNS"), limit("IMPORT_MAX_ROWS")
    headers = _header(next(reader, []), max_columns)
    sheet = Sheet(headers=headers, rows=[])
    width = len(headers)
    for number, row in enumerate(reader, start=1 + EXCEL_HEADER_ROWS):
        if number > max_rows + EXCEL_HEADER_ROWS:
            raise FileRejected(rows_message(max_rows))
        values = [_clean(v) for v in row[:width]]
        if any(v is not None for v in values):
            sheet.rows.append((number, values))
    return sheet


def read_sheet(data: bytes, filename: str, *, allow_csv: bool = True) -> Sheet:
    """Read the first sheet of an uploaded .xlsx (or .csv: UTF-8 with or without BOM, or GBK)."""
    if len(data) > limit("IMPORT_MAX_BYTES"):
        raise FileRejected(too_large_message(limit("IMPORT_MAX_BYTES"), import_=True))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if allow_csv and name.endswith(".csv"):
        return _read_csv(data)
    raise FileRejected(
        _("只支持 .xlsx 或 .csv 文件，请使用下载的模板。") if allow_csv else _("只支持 .xlsx 文件，请使用下载的模板。")
    )


def import_spreadsheet(resource: ModelResource, sheet: Sheet) -> ImportReport:
    """Import through a django-import-export resource: validate every row first; save only if none fails."""
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    required = [columns[a] for a in resource._meta.import_id_fields] + list(getattr(resource, "required_columns", []))
    report = ImportReport(total=len(sheet.rows), errors=list(sheet.errors))
    missing = sheet.missing(required)
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not report.total:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
    if report.errors:
        return report
    dataset = tablib.Dataset(
        *[values + [None] * (len(sheet.headers) - len(values)) for _, values in sheet.rows], headers=sheet.headers
    )
    excel_rows = [number for number, _ in sheet.rows]
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False)
        for invalid in result.invalid_rows:
            for attr, messages in invalid.error_dict.items():
                for message in messages:
                    report.errors.append(ImportError_(excel_rows[invalid.number - 1], columns.get(attr, attr), message))
        for number, errors in result.row_errors():
            for error in errors:
                report.errors.append(ImportError_(excel_rows[number - 1], "", str(error.error)))
        if report.errors:
            return report
        result = resource.import_data(dataset, dry_run=False, raise_errors=True)
    report.created = result.totals.get("new", 0)
    report.updated = result.totals.get("update", 0)
    return report


def export_xlsx(headers: list[str], rows, *, title: str = "Sheet1") -> bytes:
    """Write rows to .xlsx. Every text cell is stored as text, so "=HYPERLINK(...)" stays a string and
    never runs as a formula when the file is opened."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value):
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell
