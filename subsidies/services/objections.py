"""Objections (异议) to a public notice: anyone may file one while the notice runs; the county or city resolves
it. An open objection holds the approval; one upheld strikes off its person, or the whole claim."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.errors import DomainError

from ..models import ClaimLine, Objection, PublicNotice
from ..workflows import CLAIM, LINE, OBJECTION
from .claims import _locked, _move


@transaction.atomic
def objection_file(
    *, notice: PublicNotice, text: str, contact_name: str, contact_phone: str, line: ClaimLine | None = None
) -> Objection:
    """Anyone may object while the notice runs; an open objection holds the claim."""
    text, contact_name = (text or "").strip(), (contact_name or "").strip()
    if not text:
        raise DomainError(_("请填写异议内容。"), field="text")
    if len(text) > 2000:
        raise DomainError(_("异议内容不能超过 2000 字。"), field="text")
    if not contact_name or not (contact_phone or "").strip():
        raise DomainError(_("请留下联系人和联系电话，以便核实（不会公开）。"), field="contact_name")
    if notice.closed_at or clock.today() > notice.ends_on:
        raise DomainError(_("公示期已结束。"))
    if line is not None and line.claim_id != notice.claim_id:
        raise DomainError(_("所选人员不在本次公示中。"))
    objection = Objection.objects.create(
        notice=notice, line=line, text=text, contact_name=contact_name[:50], contact_phone=contact_phone.strip()[:30]
    )
    audit_log(
        actor=None,
        action="claim.objection_filed",
        target=notice.claim,
        region=notice.claim.county,
        details={"objection": objection.pk},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor: User, objection: Objection, upheld: bool, resolution: str) -> Objection:
    objection = (
        Objection.objects.select_for_update(of=("self",)).select_related("notice__claim__county").get(pk=objection.pk)
    )
    claim = objection.notice.claim
    decision = OBJECTION.check(actor, objection, "uphold" if upheld else "dismiss")
    if not (resolution or "").strip():
        raise DomainError(_("请填写处理意见。"), field="resolution")
    objection.status = decision.target
    objection.resolution, objection.resolved_by = resolution.strip(), actor
    objection.save()
    reason = _("公示异议成立：") + resolution.strip()[:400]
    struck = {"status": LINE["strike"].target, "decision_reason": reason}
    if upheld and not objection.line_id:  # against the claim as a whole: no subsidy for it
        claim.lines.filter(status__in=LINE.sources("strike")).update(**struck)
        claim = _locked(claim)
        if claim.status in CLAIM.sources("reject_on_objection"):  # not already rejected by an earlier objection
            rejected = CLAIM.check(None, claim, "reject_on_objection")
            _move(claim, rejected.target, actor, reason)
    if upheld and objection.line_id:
        ClaimLine.objects.filter(pk=objection.line_id, status__in=LINE.sources("strike")).update(**struck)
    audit_log(
        actor=actor,
        action="claim.objection_upheld" if upheld else "claim.objection_dismissed",
        target=claim,
        region=claim.county,
        details={"objection": objection.pk},
    )
    return objection
