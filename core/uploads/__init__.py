"""Bounds on every uploaded file, checked before anything parses it (issue 12).

- Size as uploaded: at most UPLOAD_MAX_BYTES for any file (LimitedUploadHandler stops writing it to disk beyond
  that and the forms refuse it), IMPORT_MAX_BYTES for a spreadsheet to import.
- Office files (.xlsx, .docx) are zip archives. `check_office_archive` first reads the end-of-central-directory
  record and the central directory, inflating nothing: number of members, total declared uncompressed size,
  compression ratio of each member. It then inflates every member itself in 64 KB chunks with a running byte
  count, so a member whose header understates its size is stopped as soon as it passes what it declared, and
  parses each XML member with a streaming expat parser that refuses a DTD or entity declaration (billion laughs,
  XXE) and counts rows, cells per row and elements, so no XML part can make openpyxl build more than a bounded
  amount in memory. openpyxl itself parses with defusedxml (`openpyxl.xml.DEFUSEDXML`) as a second guard.
- Materials (application and claim documents, kept but never parsed): `check_material` compares the content
  signature (puremagic) with the extension, so an .exe or an HTML page renamed to .pdf is refused.

Every refusal is a FileRejected (or, in forms, a ValidationError) with a Chinese message that says what the limit
is and how to fix the file. The limits are settings (config/settings/base.py); the defaults are here.
"""

from .archives import OfficeArchive, check_office_archive, rows_message
from .binary import check_biff, is_compound
from .grid import check_span
from .limits import (
    DEFAULTS,
    MB,
    FileRejected,
    LimitedUploadHandler,
    check_upload_size,
    limit,
    resave,
    too_large_message,
    unreadable_message,
)
from .materials import MaterialValidator, SpreadsheetValidator, check_material, suffix

__all__ = [
    "DEFAULTS",
    "MB",
    "FileRejected",
    "LimitedUploadHandler",
    "MaterialValidator",
    "OfficeArchive",
    "SpreadsheetValidator",
    "check_biff",
    "check_material",
    "check_office_archive",
    "check_span",
    "check_upload_size",
    "is_compound",
    "limit",
    "resave",
    "rows_message",
    "suffix",
    "too_large_message",
    "unreadable_message",
]
