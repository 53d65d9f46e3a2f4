"""Materials (documents kept but never parsed): the content signature must match the extension."""

import zipfile

import puremagic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .archives import check_office_archive
from .limits import FileRejected, check_upload_size, limit

# --- materials ----------------------------------------------------------------------------------------------

JPEG = {".jpg", ".jpeg", ".jpe", ".jfif"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls
# extension -> the extensions puremagic may name for such content
SIGNATURES = {
    ".pdf": {".pdf"},
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": {".png"},
    ".doc": {".doc", ".xls"},
    ".xls": {".doc", ".xls"},
    ".docx": {".docx"},
    ".xlsx": {".xlsx"},
    ".zip": {".zip", ".docx", ".xlsx"},
}
KIND_NAMES = {
    ".pdf": "PDF",
    ".jpg": "JPEG 图片",
    ".jpeg": "JPEG 图片",
    ".png": "PNG 图片",
    ".doc": "Word 97-2003 文档",
    ".xls": "Excel 97-2003 工作簿",
    ".docx": "Word 文档",
    ".xlsx": "Excel 工作簿",
    ".zip": "ZIP 压缩包",
}
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/"}


def suffix(name: str) -> str:
    return name[name.rfind(".") :].lower() if "." in name else ""


def _identified(fp) -> set[str]:
    try:
        matches = puremagic.magic_stream(fp)
    except (puremagic.PureError, ValueError):
        return set()
    finally:
        fp.seek(0)
    found = {m.extension for m in matches if m.byte_match}
    if any(m.byte_match.startswith(OLE2) for m in matches):
        found |= {".doc", ".xls"}
    return found


def check_material(uploaded_file, *, allowed) -> None:
    """Refuse a material whose content is not what its extension says (an .exe or a web page renamed .pdf), or
    whose extension is not allowed; .docx/.xlsx must also be bounded, real Office archives."""
    check_upload_size(uploaded_file)
    ext = suffix(uploaded_file.name)
    if ext not in allowed or ext not in SIGNATURES:
        raise FileRejected(_("不支持 %(ext)s 文件。") % {"ext": ext or _("无扩展名的")})
    if not uploaded_file.size:
        raise FileRejected(_("文件是空的，请重新选择文件。"))
    fp = uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file
    fp.seek(0)
    mismatch = FileRejected(
        _("文件「%(name)s」的内容不是 %(kind)s（扩展名与实际内容不符）。请上传原始的 %(kind)s 文件，不要只修改扩展名。")
        % {"name": uploaded_file.name[:100], "kind": KIND_NAMES[ext]}
    )
    if not _identified(fp) & SIGNATURES[ext]:
        raise mismatch
    if ext in OOXML_PARTS:
        if not zipfile.is_zipfile(fp):  # reads the end record only
            raise mismatch
        check_office_archive(fp, scan=False, max_uncompressed=limit("MATERIAL_MAX_UNCOMPRESSED_BYTES"), import_=False)
        names = zipfile.ZipFile(fp).namelist()
        fp.seek(0)
        if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PARTS[ext]) for n in names):
            raise mismatch


# --- form validators ----------------------------------------------------------------------------------------


class MaterialValidator:
    """A FileField validator: the content matches the (allowed) extension. Extensions outside `allowed` are left to
    the service, which refuses them with its own message."""

    def __init__(self, allowed):
        self.allowed = set(allowed)

    def __call__(self, uploaded_file):
        try:
            check_upload_size(uploaded_file)
            if suffix(uploaded_file.name) in self.allowed:
                check_material(uploaded_file, allowed=self.allowed)
        except FileRejected as exc:
            raise ValidationError(str(exc), code="file_rejected") from exc


class SpreadsheetValidator:
    """A FileField validator for a spreadsheet to import: at most IMPORT_MAX_BYTES; with check_archive, an .xlsx
    is also checked as an archive here (for uploads parsed later, by a background job). The reading itself
    (core.importing.read_sheet) checks again."""

    def __init__(self, *, check_archive: bool = False):
        self.check_archive = check_archive

    def __call__(self, uploaded_file):
        try:
            check_upload_size(uploaded_file, setting="IMPORT_MAX_BYTES", import_=True)
            if self.check_archive and suffix(uploaded_file.name) == ".xlsx":
                check_office_archive(uploaded_file.file if hasattr(uploaded_file, "file") else uploaded_file)
        except FileRejected as exc:
            raise ValidationError(str(exc), code="file_rejected") from exc
