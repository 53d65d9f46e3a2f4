import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import MaterialKind
from subsidies.services import claims, materials

from .factories import claim_day, completed_class, ensure_standard, institution_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def draft():
    ensure_standard()
    h = completed_class()
    with clock(claim_day(h)):
        claim = claims.claim_create(actor=h.owner, training_class=h.training_class)
    return h, claim


def test_the_institution_attaches_files_and_a_video_reference_to_its_draft_claim(draft):
    h, claim = draft
    materials.claim_material_add(
        actor=h.owner,
        claim=claim,
        kind=MaterialKind.CLAIM_FORM,
        uploaded_file=SimpleUploadedFile("申请表.pdf", b"%PDF-1.4"),
    )
    materials.claim_material_add(
        actor=h.owner, claim=claim, kind=MaterialKind.VIDEO, reference="nas://2025/03/lesson.mp4"
    )
    assert sorted(claim.materials.values_list("kind", flat=True)) == [MaterialKind.CLAIM_FORM, MaterialKind.VIDEO]
    assert AuditEvent.objects.filter(action="claim.material_added").count() == 2


@pytest.mark.parametrize(("name", "size", "message"), [("x.exe", 10, "只能上传"), ("x.pdf", 51 * 1024 * 1024, "50 MB")])
def test_wrong_type_or_size_is_refused(draft, name, size, message):
    h, claim = draft
    upload = SimpleUploadedFile(name, b"x")
    upload.size = size
    with pytest.raises(DomainError, match=message):
        materials.claim_material_add(actor=h.owner, claim=claim, kind=MaterialKind.ROSTER, uploaded_file=upload)
    assert not claim.materials.exists()


def test_materials_cannot_change_after_submission_or_be_added_by_another_institution(draft):
    h, claim = draft
    with clock(claim_day(h)):
        claims.claim_submit(actor=h.owner, claim=claim)
    with pytest.raises(DomainError, match="只有草稿"):
        materials.claim_material_add(actor=h.owner, claim=claim, kind=MaterialKind.VIDEO, reference="nas://x")
    other = completed_class(first=20).institution
    with pytest.raises(PermissionDenied):
        materials.claim_material_add(
            actor=institution_user(other), claim=claim, kind=MaterialKind.VIDEO, reference="nas://x"
        )
