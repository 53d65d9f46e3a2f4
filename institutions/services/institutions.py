"""Institutions: registration, the designation workflow, profile changes, teachers, venues, inspections."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.errors import DomainError
from core.masking import mask_id_number
from core.policy import can
from core.progress import progress_changed

from ..models import (
    AnnualInspection,
    Institution,
    InstitutionStatusChange,
    ProfileChangeRequest,
    Teacher,
    Venue,
)
from ..models import (
    InstitutionStatus as S,
)
from ..validators import normalize_code
from ..workflows import CHANGE_REQUEST, DESIGNATION
from .common import (
    check_effective_date,
    require_bureau_scope,
    require_own_institution,
    require_reason,
)

# The audit action of each act of the designation workflow (institutions/workflows.py).
AUDIT_ACTIONS = {
    "designate": "institution.designated",
    "suspend": "institution.suspended",
    "reinstate": "institution.reinstated",
    "revoke": "institution.revoked",
}


def _clean_fields(institution: Institution) -> None:
    institution.credit_code = normalize_code(institution.credit_code)
    institution.full_clean()
    if institution.county.level not in Institution.SEAT_LEVELS:  # a province-level seat: nobody would decide it
        raise DomainError(_("所在地请选择县（市、区），市直机构选择“市本级”。"), field="county")


def _founding(institution: Institution) -> tuple:
    return institution.county_id, institution.founded_on, institution.type


def _founding_changed(before: tuple | None, institution: Institution) -> None:
    """The plans' 新建公共实训基地 counts institutions by county, founding month and type (the indicators'
    'foundings' facts): a change of any of them recounts the cells it left and the one it joins."""
    after = _founding(institution)
    cells = [cell for cell in (before, after) if cell and cell[1] is not None]
    if before != after and cells:
        progress_changed(counties={c for c, _m, _t in cells}, months={m for _c, m, _t in cells})


@transaction.atomic
def institution_register(*, actor: User, applied_on: date | None = None, **fields) -> Institution:
    """A bureau records an institution's application for designation (status 申请中), dated `applied_on`
    (today unless a past application is being entered)."""
    applied_on = applied_on or clock.today()
    check_effective_date(applied_on, None)
    institution = Institution(status=S.APPLIED, **fields)
    require_bureau_scope(actor, institution)
    _clean_fields(institution)
    institution.save()
    _founding_changed(None, institution)
    InstitutionStatusChange.objects.create(
        institution=institution,
        from_status="",
        to_status=S.APPLIED,
        effective_date=applied_on,
        reason=_("登记申请"),
        actor=actor,
    )
    audit_log(actor=actor, action="institution.applied", target=institution, region=institution.county)
    return institution


@transaction.atomic
def institution_transition(
    *, actor: User, institution: Institution, to_status: str, reason: str, effective_date: date
) -> Institution:
    """Move the institution to `to_status` by the one act of DESIGNATION that leads there from its status."""
    institution = Institution.objects.select_for_update(of=("self",)).select_related("county").get(pk=institution.pk)
    require_bureau_scope(actor, institution)
    if to_status not in S.values:
        raise DomainError(_("未知的认定状态：%(s)s。") % {"s": to_status}, field="to_status")
    step = DESIGNATION.transition_to(institution, to_status)
    if step is None:
        raise DomainError(
            _("不能从“%(frm)s”变更为“%(to)s”。") % {"frm": institution.get_status_display(), "to": S(to_status).label}
        )
    DESIGNATION.check(actor, institution, step.action, denied=_("您无权处理该机构（不在您的管辖范围内）。"))
    reason = require_reason(reason)
    last = institution.status_changes.order_by("-effective_date", "-created_at").first()
    check_effective_date(effective_date, last.effective_date if last else None)
    InstitutionStatusChange.objects.create(
        institution=institution,
        from_status=institution.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
        actor=actor,
    )
    previous = institution.status
    institution.status = to_status
    if to_status == S.DESIGNATED:
        institution.designated_since = effective_date
    institution.save(update_fields=["status", "designated_since"])
    audit_log(
        actor=actor,
        action=AUDIT_ACTIONS[step.action],
        target=institution,
        region=institution.county,
        details={"from": previous, "to": to_status, "effective_date": str(effective_date), "reason": reason},
    )
    return institution


def institution_record_class(*, institution: Institution, start_date: date) -> None:
    """Called by the training app when a subsidized class starts: keeps the 12-month activity flag true."""
    Institution.objects.filter(
        Q(last_class_on__isnull=True) | Q(last_class_on__lt=start_date), pk=institution.pk
    ).update(last_class_on=start_date)


def _as_text(value) -> str:
    return "" if value is None else str(value.pk if hasattr(value, "pk") else value)


def _field_text(institution: Institution, name: str) -> str:
    return _as_text(getattr(institution, name))


@transaction.atomic
def institution_update_profile(*, actor: User, institution: Institution, changes: dict) -> ProfileChangeRequest | None:
    """Bureau staff in scope change any field directly. An institution user changes its contact fields
    directly; changes to key fields (name, credit code, type, county, licence) wait for the bureau."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if can(actor, "institution.edit_own"):  # an institution's own user: self-service
        require_own_institution(actor, institution)
        direct = {k: v for k, v in changes.items() if k in Institution.SELF_SERVICE_FIELDS}
        pending = {k: v for k, v in changes.items() if k in Institution.KEY_FIELDS}
    else:
        require_bureau_scope(actor, institution)
        editable = Institution.SELF_SERVICE_FIELDS + Institution.KEY_FIELDS
        direct, pending = {k: v for k, v in changes.items() if k in editable}, {}
        # Status and the activity date move only through their own services.
        if "county" in direct and not can(actor, "institution.decide", Institution(county=direct["county"])):
            raise PermissionDenied(_("不能把机构迁到您管辖范围以外的县（市、区）。"))
    before = {k: _field_text(institution, k) for k in direct}
    founding = _founding(institution)
    for name, value in direct.items():
        setattr(institution, name, value)
    _clean_fields(institution)
    institution.save()
    _founding_changed(founding, institution)
    changed = {k: [before[k], _field_text(institution, k)] for k in direct if before[k] != _field_text(institution, k)}
    if changed:
        audit_log(
            actor=actor,
            action="institution.updated",
            target=institution,
            region=institution.county,
            details={"changes": changed},
        )
    pending = {k: v for k, v in pending.items() if _field_text(institution, k) != _as_text(v)}
    if not pending:
        return None
    _validate_pending(institution, pending)
    request = ProfileChangeRequest.objects.create(
        institution=institution, submitted_by=actor, changes={k: _as_text(v) for k, v in pending.items()}
    )
    audit_log(
        actor=actor,
        action="institution.change_requested",
        target=institution,
        region=institution.county,
        details={"fields": sorted(pending)},
    )
    return request


def _validate_pending(institution: Institution, pending: dict) -> None:
    """Check a requested change now, so the bureau only ever decides on valid data."""
    trial = Institution.objects.get(pk=institution.pk)
    for name, value in pending.items():
        setattr(trial, name, value)
    _clean_fields(trial)


@transaction.atomic
def change_request_decide(*, actor: User, request: ProfileChangeRequest, approve: bool, reason: str = "") -> None:
    request = (
        ProfileChangeRequest.objects.select_for_update(of=("self",)).select_related("institution").get(pk=request.pk)
    )
    institution = Institution.objects.select_for_update().get(pk=request.institution_id)
    request.institution = institution
    denied = _("您无权处理该机构（不在您的管辖范围内）。")
    step = CHANGE_REQUEST.check(actor, request, "approve" if approve else "reject", denied=denied)
    if approve:
        _require_new_seat_in_scope(actor, request.changes.get("county"))
        founding = _founding(institution)
        for name, value in request.changes.items():
            field = Institution._meta.get_field(name)
            setattr(institution, field.attname, field.to_python(value) if value != "" else None)
        _clean_fields(institution)
        institution.save()
        _founding_changed(founding, institution)
    elif not reason.strip():
        raise DomainError(_("驳回时请填写理由。"), field="reason")
    request.status = step.target
    request.decided_by, request.decided_at, request.decision_reason = actor, clock.now(), reason.strip()
    request.save()
    audit_log(
        actor=actor,
        action="institution.change_approved" if approve else "institution.change_rejected",
        target=institution,
        region=institution.county,
        details={"fields": sorted(request.changes)},
    )


def _require_new_seat_in_scope(actor: User, county_pk: str | None) -> None:
    """A move decided by a county clerk stays in the clerk's county: moving an institution to another county or
    up to 市本级 (which the city decides) is for the bureau whose region holds the new seat."""
    if county_pk and not can(actor, "institution.decide", Institution(county_id=int(county_pk))):
        raise PermissionDenied(_("不能把机构迁到您管辖范围以外的县（市、区）或市本级。"))


def _require_owner_or_bureau(actor: User, institution: Institution) -> None:
    if can(actor, "institution.edit_own"):  # an institution's own user
        require_own_institution(actor, institution)
    else:
        require_bureau_scope(actor, institution)


@transaction.atomic
def teacher_add(
    *,
    actor: User,
    institution: Institution,
    name: str,
    id_number: str,
    qualifications: str = "",
    certificates: str = "",
) -> Teacher:
    """Only the masked ID number is stored; the full number is used for nothing here."""
    _require_owner_or_bureau(actor, institution)
    teacher = Teacher(
        institution=institution,
        name=name.strip(),
        id_number_masked=mask_id_number(id_number),
        qualifications=qualifications,
        certificates=certificates,
    )
    teacher.full_clean()
    teacher.save()
    audit_log(
        actor=actor,
        action="institution.teacher_added",
        target=institution,
        region=institution.county,
        details={"teacher": teacher.name},
    )
    return teacher


@transaction.atomic
def teacher_remove(*, actor: User, teacher: Teacher) -> None:
    _require_owner_or_bureau(actor, teacher.institution)
    audit_log(
        actor=actor,
        action="institution.teacher_removed",
        target=teacher.institution,
        region=teacher.institution.county,
        details={"teacher": teacher.name},
    )
    teacher.delete()


@transaction.atomic
def venue_add(*, actor: User, institution: Institution, **fields) -> Venue:
    _require_owner_or_bureau(actor, institution)
    venue = Venue(institution=institution, **fields)
    venue.full_clean()
    venue.save()
    audit_log(
        actor=actor,
        action="institution.venue_added",
        target=institution,
        region=institution.county,
        details={"venue": venue.name},
    )
    return venue


@transaction.atomic
def venue_remove(*, actor: User, venue: Venue) -> None:
    _require_owner_or_bureau(actor, venue.institution)
    audit_log(
        actor=actor,
        action="institution.venue_removed",
        target=venue.institution,
        region=venue.institution.county,
        details={"venue": venue.name},
    )
    venue.delete()


@transaction.atomic
def inspection_record(
    *, actor: User, institution: Institution, year: int, kind: str, outcome: str, inspected_on: date, notes: str = ""
) -> AnnualInspection:
    require_bureau_scope(actor, institution)
    if AnnualInspection.objects.filter(institution=institution, year=year, kind=kind).exists():
        raise DomainError(
            _("该机构 %(y)s 年度的%(k)s已登记。") % {"y": year, "k": AnnualInspection.Kind(kind).label}, field="year"
        )
    inspection = AnnualInspection(
        institution=institution,
        year=year,
        kind=kind,
        outcome=outcome,
        inspected_on=inspected_on,
        notes=notes,
        recorded_by=actor,
    )
    inspection.full_clean()
    inspection.save()
    audit_log(
        actor=actor,
        action=f"institution.{kind}_recorded",
        target=institution,
        region=institution.county,
        details={"year": year, "outcome": outcome},
    )
    return inspection


def institution_set_rating(*, institution_id: int, year: int, grade: str) -> None:
    """Called by the indicators app's nightly rating: the latest grade shown on lists and the public directory.
    A D grade flags the designation for review (see the bureau's list)."""
    changed = (
        Institution.objects.filter(pk=institution_id)
        .exclude(rating_grade=grade, rating_year=year)
        .update(rating_grade=grade, rating_year=year)
    )
    if changed and grade == "D":
        institution = Institution.objects.select_related("county").get(pk=institution_id)
        audit_log(
            actor=None,
            action="institution.rating_d",
            target=institution,
            region=institution.county,
            details={"year": year},
        )
