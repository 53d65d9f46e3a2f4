"""Subsidy claims: preparation, verification by the rules, review, public notice, approval into the ledger."""

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import user_may_act_on_region
from accounts.services import audit_log
from catalog.workdays import add_working_days
from core import clock
from core.enqueue import enqueue_on_commit
from core.errors import DomainError
from core.masking import mask_name
from core.progress import progress_changed
from trainees.models import Trainee
from trainees.services.records import training_records_append_bulk
from training.models import ClassStatus, Enrollment

from .. import rules
from ..models import (
    ClaimKind,
    ClaimLine,
    ClaimMaterial,
    ClaimStatusChange,
    Finding,
    LineStatus,
    MaterialKind,
    Objection,
    PublicNotice,
    Severity,
    SubsidyClaim,
)
from ..models import (
    ClaimStatus as S,
)
from ..rules.context import load
from .standards import line_amount, setting_for, standard_for

DECIDERS = (Role.COUNTY, Role.CITY)
CLAIMABLE_CLASS = {ClassStatus.COMPLETED, ClassStatus.CLOSED}


def require_owner(actor: User, claim: SubsidyClaim) -> None:
    if actor.role != Role.INSTITUTION or actor.institution_id != claim.institution_id:
        raise PermissionDenied(_("只能处理本机构的补贴申请。"))


def require_bureau(actor: User, claim: SubsidyClaim) -> None:
    if not user_may_act_on_region(actor, claim.county, DECIDERS):
        raise PermissionDenied(_("该补贴申请不在您的管辖范围内。"))


def _move(claim: SubsidyClaim, to_status: str, actor: User | None, reason: str = "", action: str = "") -> None:
    ClaimStatusChange.objects.create(
        claim=claim, from_status=claim.status, to_status=to_status, reason=reason, actor=actor
    )
    claim.status = to_status
    claim.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action=action or f"claim.{to_status}",
        target=claim,
        region=claim.county,
        details={"reason": reason} if reason else {},
    )


def _locked(claim: SubsidyClaim) -> SubsidyClaim:
    return (
        SubsidyClaim.objects.select_for_update(of=("self",))
        .select_related("training_class__program__skill_level", "county", "standard")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_create(*, actor: User, training_class, kind: str = ClaimKind.TRAINING) -> SubsidyClaim:
    """A claim for a completed class: one line per enrolled person, the amount from the applicable standard."""
    if actor.role != Role.INSTITUTION or actor.institution_id != training_class.institution_id:
        raise PermissionDenied(_("只能为本机构的培训班申请补贴。"))
    if training_class.status not in CLAIMABLE_CLASS:
        raise DomainError(_("培训班结业后才能申请补贴（当前为“%(s)s”）。") % {"s": training_class.get_status_display()})
    if SubsidyClaim.objects.filter(training_class=training_class, kind=kind).exists():
        raise DomainError(_("该培训班已有同类补贴申请，不能重复申请。"), field="kind")
    standard = standard_for(training_class, kind=kind)
    if standard is None:
        raise DomainError(_("没有适用于该培训班的补贴标准，请联系人社局。"))
    try:
        with transaction.atomic():
            claim = SubsidyClaim.objects.create(
                training_class=training_class,
                institution=training_class.institution,
                county=training_class.county,
                kind=kind,
                standard=standard,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("该培训班已有同类补贴申请，不能重复申请。"), field="kind") from None
    _build_lines(claim)
    ClaimStatusChange.objects.create(claim=claim, to_status=S.DRAFT, actor=actor)
    audit_log(
        actor=actor,
        action="claim.created",
        target=claim,
        region=claim.county,
        details={"lines": claim.lines.count(), "requested": str(claim.requested_amount)},
    )
    return claim


def _build_lines(claim: SubsidyClaim) -> None:
    """Lines for every enrolled person; amounts from the standard and each person's attendance by day."""
    from ..rules.context import _attendance

    training_class = claim.training_class
    _, by_day = _attendance(claim)
    enrollments = Enrollment.objects.filter(training_class=training_class).values_list("id", "trainee_id")
    lines = [
        ClaimLine(
            claim=claim,
            enrollment_id=e,
            trainee_id=t,
            amount=line_amount(
                claim.standard, standard_hours=training_class.program.standard_hours, hours_by_day=by_day.get(e, {})
            ),
        )
        for e, t in enrollments
    ]
    ClaimLine.objects.bulk_create(lines, batch_size=1000)
    claim.requested_amount = sum((line.amount for line in lines), Decimal(0))
    claim.save(update_fields=["requested_amount"])


@transaction.atomic
def claim_submit(*, actor: User, claim: SubsidyClaim) -> SubsidyClaim:
    """Submit (or resubmit after a return): verification starts in the background."""
    claim = _locked(claim)
    require_owner(actor, claim)
    if claim.status not in (S.DRAFT, S.RETURNED):
        raise DomainError(_("当前状态为“%(s)s”，不能提交。") % {"s": claim.get_status_display()})
    resubmission = claim.status == S.RETURNED
    if resubmission:  # the roster, attendance or results may have been corrected: recompute lines and amounts
        claim.findings.all().delete()
        claim.lines.all().delete()
        _build_lines(claim)
    claim.submitted_at = clock.now()
    claim.save(update_fields=["submitted_at"])
    _move(claim, S.RESUBMITTED if resubmission else S.SUBMITTED, actor)
    _move(claim, S.VERIFYING, actor, action="claim.verification_queued")
    from ..tasks import verify_claim

    enqueue_on_commit(verify_claim, claim.pk)
    return claim


def _finding_rows(claim: SubsidyClaim, ctx) -> list[Finding]:
    rows = []
    for rule in rules.REGISTRY:
        for hit in rule.run(ctx):
            rows.append(
                Finding(
                    claim=claim,
                    line_id=hit.line_id,
                    rule_code=rule.code,
                    rule_version=rule.version,
                    severity=rule.severity,
                    message=(rule.message + hit.detail)[:500],
                    inputs=json.loads(json.dumps(hit.inputs, default=str)),
                )
            )
    return rows


@transaction.atomic
def claim_verify(claim_id: int) -> SubsidyClaim:
    """Run every rule over the whole claim. Idempotent: a re-run replaces the findings, never adds to them;
    warnings already accepted by staff stay accepted when the same rule finds the same thing again."""
    claim = _locked(SubsidyClaim(pk=claim_id))
    if claim.status not in (S.VERIFYING, S.VERIFIED, S.UNDER_REVIEW, S.PUBLIC_NOTICE):
        return claim
    ctx = load(claim, setting_for(claim.county))
    # An acceptance holds for the same rule finding the same thing on the same line, not for a new finding.
    accepted = {(f.line_id, f.rule_code, f.message): f for f in claim.findings.exclude(accepted_reason="")}
    rows = _finding_rows(claim, ctx)
    for row in rows:
        kept = accepted.get((row.line_id, row.rule_code, row.message))
        if kept and row.severity == Severity.WARNING:
            row.accepted_reason, row.accepted_by = kept.accepted_reason, kept.accepted_by
    claim.findings.all().delete()
    Finding.objects.bulk_create(rows, batch_size=1000)
    # A line approved earlier that now has a blocking finding (a phone follow-up denial, say) is decided again.
    blocked = {r.line_id for r in rows if r.severity == Severity.BLOCKING and r.line_id}
    claim.lines.filter(pk__in=blocked, status=LineStatus.APPROVED).update(
        status=LineStatus.PENDING if claim.status != S.PUBLIC_NOTICE else LineStatus.REJECTED,
        decision_reason=_("重新核验发现阻断性问题。"),
    )
    claim.verified_at = clock.now()
    claim.save(update_fields=["verified_at"])
    if claim.status == S.VERIFYING:
        _move(claim, S.VERIFIED, None, action="claim.verified")
    return claim


@transaction.atomic
def claim_reverify(*, actor: User, claim: SubsidyClaim) -> None:
    claim = _locked(claim)
    require_bureau(actor, claim)
    if claim.status not in (S.VERIFIED, S.UNDER_REVIEW):
        raise DomainError(_("当前状态不能重新核验。"))
    audit_log(actor=actor, action="claim.reverify_requested", target=claim, region=claim.county)
    from ..tasks import verify_claim

    enqueue_on_commit(verify_claim, claim.pk)


@transaction.atomic
def line_decide(*, actor: User, line: ClaimLine, approve: bool, reason: str = "") -> ClaimLine:
    """Approve or reject one line. A blocking finding cannot be approved; a warning can, with a written reason."""
    claim = _locked(line.claim)
    require_bureau(actor, claim)
    if claim.status not in (S.VERIFIED, S.UNDER_REVIEW):
        raise DomainError(_("只有核验完成的申请可以审核。"))
    line = ClaimLine.objects.select_for_update().get(pk=line.pk, claim=claim)
    reason = (reason or "").strip()
    findings = list(line.findings.all())
    if approve:
        if any(f.severity == Severity.BLOCKING for f in findings):
            raise DomainError(_("该人员有阻断性问题，不能通过。"))
        open_warnings = [f for f in findings if f.severity == Severity.WARNING and not f.accepted_reason]
        if open_warnings and not reason:
            raise DomainError(_("该人员有提示性问题：通过须填写接受理由。"), field="reason")
        for f in open_warnings:
            f.accepted_reason, f.accepted_by = reason[:500], actor
            f.save(update_fields=["accepted_reason", "accepted_by"])
    elif not reason:
        raise DomainError(_("不通过须填写理由。"), field="reason")
    line.status = LineStatus.APPROVED if approve else LineStatus.REJECTED
    line.decision_reason, line.decided_by = reason[:500], actor
    line.save(update_fields=["status", "decision_reason", "decided_by"])
    if claim.status == S.VERIFIED:
        claim.reviewed_by = actor
        claim.save(update_fields=["reviewed_by"])
        _move(claim, S.UNDER_REVIEW, actor, action="claim.review_started")
    audit_log(
        actor=actor,
        action="claim.line_approved" if approve else "claim.line_rejected",
        target=claim,
        region=claim.county,
        details={"line": line.pk, "reason": reason[:200]},
    )
    return line


@transaction.atomic
def claim_accept_warning(*, actor: User, finding: Finding, reason: str) -> Finding:
    """Accept a claim-level warning (one that names no line) with a written reason."""
    claim = _locked(finding.claim)
    require_bureau(actor, claim)
    if finding.severity != Severity.WARNING:
        raise DomainError(_("阻断性问题不能接受。"))
    if not (reason or "").strip():
        raise DomainError(_("请填写接受理由。"), field="reason")
    finding.accepted_reason, finding.accepted_by = reason.strip()[:500], actor
    finding.save(update_fields=["accepted_reason", "accepted_by"])
    audit_log(
        actor=actor,
        action="claim.warning_accepted",
        target=claim,
        region=claim.county,
        details={"rule": finding.rule_code, "reason": reason.strip()[:200]},
    )
    return finding


@transaction.atomic
def claim_return(*, actor: User, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    claim = _locked(claim)
    require_bureau(actor, claim)
    if claim.status not in (S.VERIFIED, S.UNDER_REVIEW):
        raise DomainError(_("当前状态不能退回。"))
    if not (reason or "").strip():
        raise DomainError(_("退回须填写理由。"), field="reason")
    claim.lines.update(status=LineStatus.PENDING, decision_reason="")
    _move(claim, S.RETURNED, actor, reason.strip())
    return claim


@transaction.atomic
def claim_reject(*, actor: User, claim: SubsidyClaim, reason: str) -> SubsidyClaim:
    claim = _locked(claim)
    require_bureau(actor, claim)
    if claim.status not in (S.VERIFIED, S.UNDER_REVIEW):
        raise DomainError(_("当前状态不能作出不予补贴决定。"))
    if not (reason or "").strip():
        raise DomainError(_("请填写理由。"), field="reason")
    claim.lines.update(status=LineStatus.REJECTED)
    _move(claim, S.REJECTED, actor, reason.strip())
    return claim


def notice_content(claim: SubsidyClaim) -> list[dict]:
    """The published rows: institution, class, occupation, level, masked name and ID, amount."""
    tc = claim.training_class
    rows = []
    lines = claim.lines.filter(status=LineStatus.APPROVED).select_related("trainee").order_by("id")
    for line in lines:
        rows.append(
            {
                "line": line.pk,
                "institution": claim.institution.name,
                "class": tc.name,
                "occupation": tc.program.occupation.name,
                "level": tc.program.skill_level.name,
                "name": mask_name(line.trainee.name),
                "id_number": line.trainee.id_number_masked,
                "amount": str(line.amount),
            }
        )
    return rows


def content_hash(content: list[dict]) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def claim_send_to_notice(*, actor: User, claim: SubsidyClaim) -> PublicNotice:
    """Publish the approved lines for the region's number of working days (holidays and 调休 counted)."""
    claim = _locked(claim)
    require_bureau(actor, claim)
    if claim.status != S.UNDER_REVIEW:
        raise DomainError(_("请先审核每一名人员。"))
    if claim.lines.filter(status=LineStatus.PENDING).exists():
        raise DomainError(_("还有人员未审核。"))
    if not claim.lines.filter(status=LineStatus.APPROVED).exists():
        raise DomainError(_("没有审核通过的人员，请作出不予补贴决定。"))
    if claim.findings.filter(line__status=LineStatus.APPROVED, severity=Severity.BLOCKING).exists():
        raise DomainError(_("有审核通过的人员存在阻断性问题，请重新审核。"))
    if claim.findings.filter(line__isnull=True, severity=Severity.BLOCKING).exists():
        raise DomainError(_("申请存在阻断性问题，不能公示。"))
    if claim.findings.filter(line__isnull=True, severity=Severity.WARNING, accepted_reason="").exists():
        raise DomainError(_("请先处理整体性提示（填写接受理由）。"))
    content = notice_content(claim)
    today = clock.today()
    days = setting_for(claim.county).notice_working_days
    notice = PublicNotice.objects.create(
        claim=claim,
        published_at=clock.now(),
        content=content,
        content_hash=content_hash(content),
        ends_on=add_working_days(today, days),
    )
    _move(claim, S.PUBLIC_NOTICE, actor, action="claim.noticed")
    return notice


def notice_is_intact(notice: PublicNotice) -> bool:
    return content_hash(notice.content) == notice.content_hash


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
    objection = Objection.objects.select_for_update(of=("self",)).select_related("notice__claim").get(pk=objection.pk)
    claim = objection.notice.claim
    require_bureau(actor, claim)
    if objection.status != Objection.Status.OPEN:
        raise DomainError(_("该异议已处理。"))
    if not (resolution or "").strip():
        raise DomainError(_("请填写处理意见。"), field="resolution")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution, objection.resolved_by = resolution.strip(), actor
    objection.save()
    if upheld and not objection.line_id:  # against the claim as a whole: no subsidy for it
        claim.lines.update(status=LineStatus.REJECTED, decision_reason=_("公示异议成立：") + resolution.strip()[:400])
        claim = _locked(claim)
        _move(claim, S.REJECTED, actor, _("公示异议成立：") + resolution.strip()[:400])
    if upheld and objection.line_id:
        ClaimLine.objects.filter(pk=objection.line_id).update(
            status=LineStatus.REJECTED, decision_reason=_("公示异议成立：") + resolution.strip()[:400]
        )
    audit_log(
        actor=actor,
        action="claim.objection_upheld" if upheld else "claim.objection_dismissed",
        target=claim,
        region=claim.county,
        details={"objection": objection.pk},
    )
    return objection


def notices_due(today) -> list[int]:
    """Claims whose notice ended before today with no open objection."""
    return list(
        PublicNotice.objects.filter(ends_on__lt=today, closed_at__isnull=True, claim__status=S.PUBLIC_NOTICE)
        .exclude(objections__status=Objection.Status.OPEN)
        .values_list("claim_id", flat=True)
    )


@transaction.atomic
def claim_approve_after_notice(claim_id: int) -> SubsidyClaim:
    """The notice ended without an open objection: approve, and append each approved line to the archive
    ledger. People are locked (in id order) and re-checked, so two claims approved at the same moment cannot
    both subsidize the same person, occupation and level; a partial unique index backs this up."""
    claim = _locked(SubsidyClaim(pk=claim_id))
    notice = claim.notice
    if claim.status != S.PUBLIC_NOTICE or notice.objections.filter(status=Objection.Status.OPEN).exists():
        return claim
    if clock.today() <= notice.ends_on:
        return claim
    tc = claim.training_class
    program = tc.program
    lines = list(
        claim.lines.filter(status=LineStatus.APPROVED).select_related("enrollment__certificate").order_by("trainee_id")
    )
    list(
        Trainee.objects.select_for_update()
        .filter(pk__in=[line.trainee_id for line in lines])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ctx = load(claim, setting_for(claim.county))
    # Every blocking rule again, now that other claims may have been approved and follow-ups recorded.
    still = {hit.line_id for rule in rules.REGISTRY if rule.severity == Severity.BLOCKING for hit in rule.run(ctx)}
    if any(
        hit.line_id is None for rule in rules.REGISTRY if rule.severity == Severity.BLOCKING for hit in rule.run(ctx)
    ):
        still = {line.pk for line in lines}
    records = []
    for line in lines:
        if line.pk in still:
            line.status, line.decision_reason = (
                LineStatus.REJECTED,
                _("批准前复核发现阻断性问题（如已在其他申请中获得补贴）。"),
            )
            line.save(update_fields=["status", "decision_reason"])
            continue
        records.append(
            {
                "trainee_id": line.trainee_id,
                "amount": line.amount,
                "source_ref": f"claim-{claim.pk}-line-{line.pk}",
                "certificate_number": line.enrollment.certificate.number if line.enrollment.certificate_id else "",
                "category_id": line.enrollment.category_id,
            }
        )
    training_records_append_bulk(
        records=records,
        occupation=program.occupation,
        skill_level=program.skill_level,
        training_type=tc.training_type,
        start_date=tc.start_date,
        end_date=tc.end_date,
        county=tc.county,
        institution=tc.institution,
    )
    claim.approved_amount = claim.lines.filter(status=LineStatus.APPROVED).aggregate(s=Sum("amount"))["s"] or 0
    claim.save(update_fields=["approved_amount"])
    notice.closed_at = clock.now()
    notice.save(update_fields=["closed_at"])
    if not records:  # every line fell at the final check: nothing to approve
        _move(claim, S.REJECTED, None, _("批准前复核：所有人员均不符合补贴条件。"), action="claim.rejected_at_approval")
        return claim
    _move(claim, S.APPROVED, None, action="claim.approved")
    progress_changed(counties={tc.county_id}, months={clock.today()})
    return claim


STUCK_AFTER_MINUTES = 5


def claims_stuck_in_verification() -> list[int]:
    """Claims submitted for verification whose task never ran (broker down at submission, worker lost)."""
    cutoff = clock.now() - timezone.timedelta(minutes=STUCK_AFTER_MINUTES)
    return list(SubsidyClaim.objects.filter(status=S.VERIFYING, submitted_at__lt=cutoff).values_list("pk", flat=True))


MATERIAL_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".zip"}
MATERIAL_MAX_BYTES = 50 * 1024 * 1024


@transaction.atomic
def claim_material_add(
    *, actor: User, claim: SubsidyClaim, kind: str, uploaded_file=None, reference: str = ""
) -> ClaimMaterial:
    """Attach one item of the checklist (a file, or for the lesson video a reference to where it is stored)
    while the claim is being prepared or corrected."""
    claim = _locked(claim)
    require_owner(actor, claim)
    if claim.status not in (S.DRAFT, S.RETURNED):
        raise DomainError(_("只有草稿或退回修改的申请可以补充材料。"))
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
