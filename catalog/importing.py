"""Importing a spreadsheet through a django-import-export resource, all or nothing, with errors that name
the Excel row and column in Chinese. Later apps reuse `import_spreadsheet` for their own resources."""

from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.resources import ModelResource

EXCEL_HEADER_ROWS = 1  # data row 1 is Excel row 2


@dataclass
class ImportError_:
    row: int | None  # Excel row number; None for file-level errors
    column: str
    message: str

    def __str__(self):
        where = _("第 %(row)s 行「%(column)s」") % {"row": self.row, "column": self.column} if self.row else ""
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


def load_dataset(data: bytes, filename: str) -> tablib.Dataset:
    """Read an uploaded .xlsx or .csv (UTF-8, with or without BOM, or GBK) into a dataset."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return tablib.Dataset().load(data, format="xlsx")
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return tablib.Dataset().load(data.decode(encoding), format="csv")
            except UnicodeDecodeError:
                continue
    raise ValueError(_("只支持 .xlsx 或 .csv 文件，请使用下载的模板。"))


def _drop_empty_rows(dataset: tablib.Dataset) -> tuple[tablib.Dataset, list[int]]:
    """The dataset without blank rows, and the Excel row number of each row kept."""
    clean = tablib.Dataset(headers=[str(h).strip() if h is not None else "" for h in dataset.headers])
    excel_rows = []
    for index, row in enumerate(dataset):
        if any(v is not None and str(v).strip() for v in row):
            clean.append([v.strip() if isinstance(v, str) else v for v in row])
            excel_rows.append(index + 1 + EXCEL_HEADER_ROWS)
    return clean, excel_rows


def import_spreadsheet(resource: ModelResource, dataset: tablib.Dataset) -> ImportReport:
    """Validate every row first; save only if no row has an error."""
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    required = [columns[a] for a in resource._meta.import_id_fields] + list(getattr(resource, "required_columns", []))
    dataset, excel_rows = _drop_empty_rows(dataset)
    report = ImportReport(total=len(dataset))
    missing = [c for c in required if c not in dataset.headers]
    if missing:
        report.errors.append(ImportError_(None, "", _("表头缺少列：%s。请使用下载的模板。") % "、".join(missing)))
        return report
    if not report.total:
        report.errors.append(ImportError_(None, "", _("文件中没有数据行。")))
        return report
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
