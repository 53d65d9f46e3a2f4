"""The subsidized program directory: list, delist and relist programs of designated institutions."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Occupation, SkillLevel, TrainingType
from core.errors import DomainError
from core.policy import require

from ..models import Institution, Program, ProgramStatus, ProgramStatusChange
from ..workflows import LISTING
from .common import check_effective_date, require_reason

# The audit action of each act of the listing workflow (institutions/workflows.py); a first listing is
# "program.listed" too.
AUDIT_ACTIONS = {"delist": "program.delisted", "relist": "program.listed"}


def _require_program_scope(actor: User, program: Program) -> None:
    require(actor, "program.decide", program, _("您无权处理该机构（不在您的管辖范围内）。"))


def _require_designated(institution: Institution) -> None:
    if not institution.is_designated:
        raise DomainError(
            _("“%(name)s”当前为“%(status)s”，只有已认定的机构才能列入培训项目。")
            % {"name": institution.name, "status": institution.get_status_display()},
            field="institution",
        )


@transaction.atomic
def program_list(
    *,
    actor: User,
    institution: Institution,
    occupation: Occupation | None,
    skill_level: SkillLevel | None,
    training_type: TrainingType,
    mode: str,
    theory_hours: int,
    practice_hours: int,
    fee: Decimal,
    listed_on: date,
    entrepreneurship_stage=None,
) -> Program:
    """List a program: an occupation and a level, or (创业培训) an entrepreneurship stage and neither."""
    institution = Institution.objects.select_for_update(of=("self",)).select_related("county").get(pk=institution.pk)
    _require_program_scope(actor, Program(institution=institution))
    _require_designated(institution)
    check_effective_date(listed_on, institution.designated_since)
    program = Program(
        institution=institution,
        occupation=occupation,
        skill_level=skill_level,
        entrepreneurship_stage=entrepreneurship_stage,
        training_type=training_type,
        mode=mode,
        theory_hours=theory_hours,
        practice_hours=practice_hours,
        fee=fee,
        listed_on=listed_on,
    )
    program.full_clean(validate_unique=False, validate_constraints=False)
    if entrepreneurship_stage is not None and (occupation or skill_level):
        raise DomainError(_("创业培训项目按培训阶段列入，不填写职业和技能等级。"), field="occupation")
    if entrepreneurship_stage is None and not (occupation and skill_level):
        raise DomainError(_("请选择职业（工种）和技能等级。"), field="occupation")
    if fee < 0:
        raise DomainError(_("培训费不能为负数。"), field="fee")
    if (theory_hours or 0) + (practice_hours or 0) <= 0:
        raise DomainError(_("理论课时与实操课时合计应大于 0。"), field="theory_hours")
    same = (
        {"entrepreneurship_stage": entrepreneurship_stage}
        if entrepreneurship_stage is not None
        else {"occupation": occupation, "skill_level": skill_level, "training_type": training_type}
    )
    duplicate = Program.objects.filter(institution=institution, mode=mode, **same).first()
    if duplicate:
        raise DomainError(
            _("该机构已有相同的项目（%(p)s，%(s)s），请勿重复列入；已移出的项目可重新列入。")
            % {"p": duplicate, "s": duplicate.get_status_display()},
            field="occupation",
        )
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:  # a concurrent request listed the same program
        raise DomainError(_("该机构已有相同的项目，请勿重复列入。"), field="occupation") from None
    ProgramStatusChange.objects.create(
        program=program,
        from_status="",
        to_status=ProgramStatus.LISTED,
        effective_date=listed_on,
        reason=_("列入目录"),
        actor=actor,
    )
    audit_log(
        actor=actor,
        action="program.listed",
        target=program,
        region=institution.county,
        details={"institution": institution.name, "hours": program.standard_hours, "fee": str(fee)},
    )
    return program


@transaction.atomic
def program_set_status(*, actor: User, program: Program, to_status: str, reason: str, effective_date: date) -> Program:
    """Delist a listed program, or relist a delisted one (only while its institution is designated)."""
    program = Program.objects.select_for_update(of=("self",)).select_related("institution__county").get(pk=program.pk)
    _require_program_scope(actor, program)
    step = LISTING.transition_to(program, to_status)
    if step is None:
        raise DomainError(_("项目当前已是“%(s)s”。") % {"s": program.get_status_display()})
    LISTING.check(actor, program, step.action, denied=_("您无权处理该机构（不在您的管辖范围内）。"))
    if step.action == "relist":
        _require_designated(program.institution)
    reason = require_reason(reason)
    last = program.status_changes.order_by("-effective_date", "-created_at").first()
    check_effective_date(effective_date, last.effective_date if last else None)
    ProgramStatusChange.objects.create(
        program=program,
        from_status=program.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
        actor=actor,
    )
    program.status = to_status
    if step.action == "relist":
        program.listed_on, program.delisted_on = effective_date, None
    else:
        program.delisted_on = effective_date
    program.save(update_fields=["status", "listed_on", "delisted_on"])
    audit_log(
        actor=actor,
        action=AUDIT_ACTIONS[step.action],
        target=program,
        region=program.institution.county,
        details={"reason": reason, "effective_date": str(effective_date)},
    )
    return program
