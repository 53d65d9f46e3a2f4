"""Every uploaded file is bounded before it is parsed (issue 12, item 3): through the real pages, refused in Chinese
with nothing saved; forms and the upload handler stop files over the size limits; a material must be what its extension
says (item 10)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import override_settings

from accounts.forms import ReferenceImportForm
from catalog.models import Occupation
from core.importing import FileRejected
from core.uploads import LimitedUploadHandler, check_material
from indicators.forms import TargetImportForm
from institutions.forms import ImportForm
from institutions.models import Institution
from subsidies.forms import MaterialForm as ClaimMaterialForm
from tests.training.factories import World, make_class, roster_xlsx, rows
from training.forms import RosterUploadForm
from training.models import ClassMaterial, Enrollment, ImportJob

from .bombs import (
    TOO_BIG,
    XLSX,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- (f) through the real pages: refused in Chinese, nothing saved ------------------------------------------


def bomb_upload(path: Path, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)


def test_the_roster_upload_page_refuses_the_bomb_and_starts_no_job(client, bomb_file):
    w = World()
    c = make_class(w.program, w.owner)
    client.force_login(w.owner)
    response = client.post(f"/classes/{c.pk}/roster/", {"file": bomb_upload(bomb_file)}, follow=True)
    assert [m.message for m in response.context["messages"]] == [TOO_BIG]
    assert not ImportJob.objects.exists() and not Enrollment.objects.exists()


def test_the_directory_import_page_refuses_the_bomb(client, county_user, bomb_file):
    client.force_login(county_user)
    response = client.post("/institutions/import/institutions/", {"file": bomb_upload(bomb_file, "机构.xlsx")})
    assert response.status_code == 400 and TOO_BIG in response.content.decode()
    assert not Institution.objects.exists()


def test_the_reference_data_import_page_refuses_the_bomb(client, admin_user, bomb_file):
    client.force_login(admin_user)
    before = Occupation.objects.count()
    upload = bomb_upload(bomb_file, "职业.xlsx")
    response = client.post("/accounts/reference-import/", {"kind": "occupation", "file": upload})
    assert response.status_code == 400 and TOO_BIG in response.content.decode()
    assert Occupation.objects.count() == before


@pytest.mark.parametrize("form_class", [ReferenceImportForm, ImportForm, TargetImportForm, RosterUploadForm])
def test_an_import_over_10_mb_is_refused_by_its_form(form_class):
    upload = SimpleUploadedFile("名单.xlsx", roster_xlsx(rows(1)))
    upload.size = 10 * 1024 * 1024 + 1  # as the upload handler reports it; no need to allocate 10 MB
    form = form_class({"kind": "occupation"}, {"file": upload})
    assert not form.is_valid() and form.errors["file"] == ["文件超过 10 MB，请拆分后分批导入。"]


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_the_upload_handler_stops_writing_a_file_past_the_limit():
    body = b"x" * (5 * 1024 * 1024)
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + body + b"\r\n--B--\r\n"
    )
    meta = {"CONTENT_TYPE": "multipart/form-data; boundary=B", "CONTENT_LENGTH": str(len(multipart))}
    handlers = [LimitedUploadHandler(), MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    _post, files = MultiPartParser(meta, io.BytesIO(multipart), handlers).parse()
    kept = files["file"]
    assert 1024 * 1024 < kept.size <= 1024 * 1024 + 64 * 1024  # over the limit, so the form refuses it
    with pytest.raises(FileRejected, match="文件超过 1 MB"):
        check_material(kept, allowed={".pdf"})
    kept.close()


# --- (g) materials: the content must be what the extension says ---------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


@pytest.mark.parametrize("content", [HTML, EXE, b"just some text"], ids=["html", "exe", "text"])
def test_a_class_material_renamed_to_pdf_is_refused_and_a_real_pdf_is_kept(client, content):
    w = World()
    c = make_class(w.program, w.owner)
    client.force_login(w.owner)
    url = f"/classes/{c.pk}/materials/"
    fake = SimpleUploadedFile("培训计划.pdf", content, content_type="application/pdf")
    refused = client.post(url, {"kind": "syllabus", "file": fake}, follow=True)
    [message] = [m.message for m in refused.context["messages"]]
    assert "的内容不是 PDF（扩展名与实际内容不符）" in message
    assert not ClassMaterial.objects.filter(training_class=c).exists()
    real = SimpleUploadedFile("培训计划.pdf", PDF, content_type="application/pdf")
    client.post(url, {"kind": "syllabus", "file": real})
    assert list(ClassMaterial.objects.filter(training_class=c).values_list("original_name", flat=True)) == [
        "培训计划.pdf"
    ]


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("申请表.pdf", PDF, True),
        ("申请表.pdf", HTML, False),
        ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, True),
        ("照片.png", PDF, False),
        ("花名册.xlsx", roster_xlsx(rows(1)), True),
        ("花名册.xlsx", b"PK\x03\x04" + b"\x00" * 64, False),  # a zip signature, but no workbook
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, True),
        ("视频截图.zip", EXE, False),
    ],
)
def test_a_claim_material_must_be_what_its_extension_says(name, content, ok):
    form = ClaimMaterialForm({"kind": "claim_form"}, {"file": SimpleUploadedFile(name, content)})
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert "扩展名与实际内容不符" in form.errors["file"][0]


def test_a_material_over_50_mb_is_refused_by_the_form():
    upload = SimpleUploadedFile("申请表.pdf", PDF)
    upload.size = 50 * 1024 * 1024 + 1
    form = ClaimMaterialForm({"kind": "claim_form"}, {"file": upload})
    assert not form.is_valid() and form.errors["file"] == ["文件超过 50 MB，请压缩或拆分后再上传。"]
