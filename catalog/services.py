"""Reference-data imports. Auditing them is the caller's job (accounts sits above catalog)."""

from django.core.files.uploadedfile import UploadedFile

from core.importing import FileRejected, ImportError_, ImportReport, import_spreadsheet, read_sheet
from core.uploads import check_upload_size

from .resources import OccupationResource, RegionResource

RESOURCES = {"occupation": OccupationResource, "region": RegionResource}


def uploaded_sheet(uploaded_file: UploadedFile, *, allow_csv: bool = True):
    """Read an upload into a Sheet, or raise FileRejected with a Chinese reason."""
    check_upload_size(uploaded_file, setting="IMPORT_MAX_BYTES", import_=True)  # IMPORT_MAX_BYTES, 10 MB
    return read_sheet(uploaded_file.read(), uploaded_file.name, allow_csv=allow_csv)


def reference_import(*, kind: str, uploaded_file: UploadedFile) -> ImportReport:
    """Import occupations or regions from an uploaded .xlsx/.csv: every row valid, or nothing saved."""
    try:
        sheet = uploaded_sheet(uploaded_file)
    except FileRejected as exc:
        return ImportReport(errors=[ImportError_(None, "", str(exc))])
    return import_spreadsheet(RESOURCES[kind](), sheet)
