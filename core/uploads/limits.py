"""Limits on uploaded files (settings, with defaults here), their messages, and the upload handler that stops
writing a file to disk past the size cap."""

from django.conf import settings
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
    "IMPORT_MAX_CELLS": 3_000_000,  # rows x columns spanned by the filled cells of one sheet: the reader builds
    # the sheet as a dense grid (a 10,000-row roster of 15 columns: 150,000)
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
