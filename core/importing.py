"""Reading uploaded spreadsheets and writing exports, shared by every app that imports or exports.

Errors name the Excel row and column in Chinese; imports are all or nothing; exports never let a cell
become a formula. Reading (every format a clerk has: .xlsx, .xls, .et, .ods, .csv) is core.spreadsheets.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import openpyxl
import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.resources import ModelResource

from .spreadsheets import ImportError_, Sheet, formats_message, read_sheet
from .uploads import FileRejected

__all__ = ["FileRejected", "ImportError_", "ImportReport", "Sheet", "export_xlsx", "formats_message", "read_sheet"]

EXCEL_HEADER_ROWS = 1  # data row 1 is Excel row 2
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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
