"""公示: the approved lines published, masked, for the region's number of working days, with a hash that makes a
later edit detectable; and the approval when the notice ends without an open objection (the daily task)."""

import hashlib
import json

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.workdays import add_working_days
from core import clock
from core.errors import DomainError
from core.masking import mask_name
from core.progress import progress_changed
from trainees.models import Trainee
from trainees.services.records import training_records_append_bulk

from .. import rules
from ..models import LineStatus, Objection, PublicNotice, Severity, SubsidyClaim
from ..rules.context import load
from ..workflows import CLAIM, LINE
from .claims import _locked, _move
from .standards import setting_for


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
                # An entrepreneurship class (创业培训) publishes its stage where the occupation goes, and no level.
                "occupation": (tc.program.occupation or tc.program.entrepreneurship_stage).name,
                "level": tc.program.skill_level.name if tc.program.skill_level_id else "",
                "name": mask_name(line.trainee.name),
                "id_number": line.trainee.id_number_masked,
                "amount": str(line.amount),
            }
        )
    return rows


def content_hash(content: list[dict]) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def notice_is_intact(notice: PublicNotice) -> bool:
    return content_hash(notice.content) == notice.content_hash


@transaction.atomic
def claim_send_to_notice(*, actor: User, claim: SubsidyClaim) -> PublicNotice:
    """Publish the approved lines for the region's number of working days (holidays and 调休 counted)."""
    claim = _locked(claim)
    noticed = CLAIM.check(actor, claim, "send_to_notice")
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
    _move(claim, noticed.target, actor, action="claim.noticed")
    return notice


def notices_due(today) -> list[int]:
    """Claims whose notice ended before today with no open objection."""
    return list(
        PublicNotice.objects.filter(
            ends_on__lt=today, closed_at__isnull=True, claim__status__in=CLAIM.sources("approve")
        )
        .exclude(objections__status=Objection.Status.OPEN)
        .values_list("claim_id", flat=True)
    )


def _still_blocked(claim: SubsidyClaim, lines) -> set[int]:
    """The lines a blocking rule still finds (all of them when one finds the claim as a whole). Every blocking
    rule runs once, now that other claims may have been approved and follow-ups recorded."""
    found = rules.blocked(load(claim, setting_for(claim.county)))
    return {line.pk for line in lines} if found.whole_claim else set(found.line_ids)


@transaction.atomic
def claim_approve_after_notice(claim_id: int) -> SubsidyClaim:
    """The notice ended without an open objection: approve, and append each approved line to the archive
    ledger. People are locked (in id order) and re-checked, so two claims approved at the same moment cannot
    both subsidize the same person, occupation and level; a partial unique index backs this up."""
    claim = _locked(SubsidyClaim(pk=claim_id))
    try:
        approval = CLAIM.check(None, claim, "approve")
    except DomainError:  # approved or rejected since (a task run twice, an objection upheld)
        return claim
    notice = claim.notice
    if notice.objections.filter(status=Objection.Status.OPEN).exists() or clock.today() <= notice.ends_on:
        return claim
    tc = claim.training_class
    program = tc.program
    lines = list(
        claim.lines.filter(status=LineStatus.APPROVED)
        .select_related("enrollment__certificate")
        .prefetch_related("enrollment__groups")
        .order_by("trainee_id")
    )
    list(
        Trainee.objects.select_for_update()
        .filter(pk__in=[line.trainee_id for line in lines])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    still = _still_blocked(claim, lines)
    records = []
    for line in lines:
        if line.pk in still:
            line.status = LINE["strike"].target
            line.decision_reason = _("批准前复核发现阻断性问题（如已在其他申请中获得补贴）。")
            line.save(update_fields=["status", "decision_reason"])
            continue
        records.append(
            {
                "trainee_id": line.trainee_id,
                "amount": line.amount,
                "source_ref": f"claim-{claim.pk}-line-{line.pk}",
                "certificate_number": line.enrollment.certificate.number if line.enrollment.certificate_id else "",
                # The groups frozen on the enrollment go to the ledger as they are (primary first).
                "group_ids": _groups_primary_first(line.enrollment),
            }
        )
    training_records_append_bulk(
        records=records,
        occupation=program.occupation,
        skill_level=program.skill_level,
        entrepreneurship_stage=program.entrepreneurship_stage,
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
        fell = CLAIM.check(None, claim, "reject_at_approval")
        reason = _("批准前复核：所有人员均不符合补贴条件。")
        _move(claim, fell.target, None, reason, action="claim.rejected_at_approval")
        return claim
    _move(claim, approval.target, None, action="claim.approved")
    progress_changed(counties={tc.county_id}, months={clock.today()})
    return claim


def _groups_primary_first(enrollment) -> list[int]:
    ids = [g.pk for g in enrollment.groups.all()] or [enrollment.category_id] * bool(enrollment.category_id)
    return sorted(ids, key=lambda pk: pk != enrollment.category_id)
