"""创业后续服务 (seed 000 §(四): 规范创业培训管理，加强……后续服务): after an entrepreneurship class (创业培训, a
program of one stage), the institution or the county records each person who started a business, within
FOLLOW_UP_MONTHS of the class's end. The seeds name the follow-up but no period: six months, the period local
rules commonly use for 创业培训后续跟踪, is kept here until a region's setting asks for another."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core import clock
from core.errors import DomainError
from core.policy import require
from institutions.validators import normalize_code, validate_credit_code
from trainees.models import RecordSource, TrainingRecord

from .models import BusinessStartFollowUp, ClassStatus, Enrollment, TrainingClass

FOLLOW_UP_MONTHS = 6
ENDED = (ClassStatus.COMPLETED, ClassStatus.CLOSED)


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter: 31 August + 6 = 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_until(training_class: TrainingClass) -> date:
    """The last day a business start may be recorded for the class."""
    return months_after(training_class.end_date, FOLLOW_UP_MONTHS)


def _stage_record(enrollment: Enrollment) -> TrainingRecord | None:
    """The person's subsidized ledger row of the class's stage from this system's claims, if approved yet."""
    stage_id = enrollment.training_class.program.entrepreneurship_stage_id
    return TrainingRecord.objects.filter(
        trainee_id=enrollment.trainee_id, entrepreneurship_stage_id=stage_id, source=RecordSource.CLAIM
    ).first()


@transaction.atomic
def business_start_record(
    *,
    actor: User,
    enrollment: Enrollment,
    started_on: date,
    business_name: str,
    evidence: str,
    credit_code: str = "",
) -> BusinessStartFollowUp:
    training_class = (
        TrainingClass.objects.select_for_update()
        .select_related("program", "county")
        .get(pk=enrollment.training_class_id)
    )
    require(actor, "class.follow_up", training_class, _("只有培训机构或所在县（市、区）人社部门可以登记创业情况。"))
    if not training_class.program.entrepreneurship_stage_id:
        raise DomainError(_("只有创业培训班登记创业后续服务。"))
    if training_class.status not in ENDED:
        raise DomainError(_("培训班结业后才能登记创业情况。"))
    today = clock.today()
    until = follow_up_until(training_class)
    if today > until:
        raise DomainError(
            _("已超过结业后 %(m)s 个月的登记期限（%(d)s）。") % {"m": FOLLOW_UP_MONTHS, "d": until}, field="started_on"
        )
    if started_on > today:
        raise DomainError(_("创业日期不能晚于今天。"), field="started_on")
    business_name, evidence = business_name.strip(), evidence.strip()
    if not business_name:
        raise DomainError(_("请填写企业（个体工商户）名称。"), field="business_name")
    if not evidence:
        raise DomainError(_("请说明证明材料（如营业执照）。"), field="evidence")
    credit_code = normalize_code(credit_code)
    if credit_code:
        try:
            validate_credit_code(credit_code)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), field="credit_code") from None
    enrollment = Enrollment.objects.select_related("training_class__program").get(pk=enrollment.pk)
    try:
        with transaction.atomic():
            follow_up = BusinessStartFollowUp.objects.create(
                enrollment=enrollment,
                training_class=training_class,
                trainee_id=enrollment.trainee_id,
                record=_stage_record(enrollment),
                started_on=started_on,
                business_name=business_name,
                credit_code=credit_code,
                evidence=evidence,
                recorded_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("该学员的创业情况已登记。")) from None
    audit_log(
        actor=actor,
        action="business_start.recorded",
        target=training_class,
        region=training_class.county,
        details={"enrollment": enrollment.pk, "started_on": str(started_on)},
    )
    return follow_up


@dataclass(frozen=True)
class FollowUpStatus:
    """What the class and claim pages show: how many of the roster started a business, and until when."""

    started: int
    roster: int
    until: date
    open: bool  # the class has ended and the period has not

    @property
    def label(self) -> str:
        return _("已创业 %(n)s / %(r)s 人（登记截至 %(d)s）") % {"n": self.started, "r": self.roster, "d": self.until}


def follow_up_status(training_class: TrainingClass) -> FollowUpStatus | None:
    """None for a class that is not an entrepreneurship class (two counts otherwise)."""
    if not training_class.program.entrepreneurship_stage_id:
        return None
    until = follow_up_until(training_class)
    return FollowUpStatus(
        started=training_class.business_starts.count(),
        roster=training_class.enrollments.count(),
        until=until,
        open=training_class.status in ENDED and clock.today() <= until,
    )
