"""The materials of a claim (申请材料): one item of the checklist at a time, a file or, for the lesson video, a
reference to where it is stored, while the institution prepares or corrects the claim."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core.errors import DomainError

from ..models import ClaimMaterial, MaterialKind, SubsidyClaim
from ..workflows import CLAIM
from .claims import _locked

MATERIAL_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".zip"}
MATERIAL_MAX_BYTES = 50 * 1024 * 1024


@transaction.atomic
def claim_material_add(
    *, actor: User, claim: SubsidyClaim, kind: str, uploaded_file=None, reference: str = ""
) -> ClaimMaterial:
    """Attach one item of the checklist (a file, or for the lesson video a reference to where it is stored)
    while the claim is being prepared or corrected."""
    claim = _locked(claim)
    CLAIM.check(actor, claim, "add_material")
    if kind not in MaterialKind.values:
        raise DomainError(_("材料类型不正确。"), field="kind")
    reference = (reference or "").strip()
    if uploaded_file is None and not reference:
        raise DomainError(_("请上传文件或填写存储位置。"), field="file")
    if uploaded_file is not None:
        name = uploaded_file.name
        if (name[name.rfind(".") :].lower() if "." in name else "") not in MATERIAL_TYPES:
            raise DomainError(_("只能上传 PDF、Word、Excel、图片或 ZIP 文件。"), field="file")
        if uploaded_file.size > MATERIAL_MAX_BYTES:
            raise DomainError(_("文件不能超过 50 MB。"), field="file")
    material = ClaimMaterial.objects.create(
        claim=claim, kind=kind, file=uploaded_file or "", reference=reference[:300], uploaded_by=actor
    )
    audit_log(
        actor=actor,
        action="claim.material_added",
        target=claim,
        region=claim.county,
        details={"kind": kind, "file": uploaded_file.name[:200] if uploaded_file else "", "reference": reference[:100]},
    )
    return material
