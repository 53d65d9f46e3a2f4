"""Reference-data imports. Auditing them is the caller's job (accounts sits above catalog)."""

from django.core.files.uploadedfile import UploadedFile

from .importing import ImportError_, ImportReport, import_spreadsheet, load_dataset
from .resources import OccupationResource, RegionResource

MAX_IMPORT_BYTES = 10 * 1024 * 1024

RESOURCES = {"occupation": OccupationResource, "region": RegionResource}


def reference_import(*, kind: str, uploaded_file: UploadedFile) -> ImportReport:
    """Import occupations or regions from an uploaded .xlsx/.csv: every row valid, or nothing saved."""
    if uploaded_file.size > MAX_IMPORT_BYTES:
        return ImportReport(errors=[ImportError_(None, "", "文件超过 10 MB，请拆分后再导入。")])
    try:
        dataset = load_dataset(uploaded_file.read(), uploaded_file.name)
    except ValueError as exc:
        return ImportReport(errors=[ImportError_(None, "", str(exc))])
    except Exception:  # a corrupt or foreign file: say so, save nothing
        return ImportReport(errors=[ImportError_(None, "", "无法读取文件，请确认是 .xlsx 或 .csv 格式。")])
    return import_spreadsheet(RESOURCES[kind](), dataset)
