"""Completion: each person's assessment result and certificate."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from core.errors import DomainError
from trainees.models import Certificate

from ..models import Enrollment, EnrollmentResult
from .classes import check


@transaction.atomic
def enrollment_record_result(
    *,
    actor: User,
    enrollment: Enrollment,
    result: str,
    score: Decimal | None = None,
    certificate: Certificate | None = None,
) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("training_class__county")
        .get(pk=enrollment.pk)
    )
    training_class = enrollment.training_class
    check(actor, training_class, "record_result")  # the owner, once the training has started
    if result not in EnrollmentResult.values:
        raise DomainError(_("考核结果不正确。"), field="result")
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise DomainError(_("成绩应在 0 到 100 之间。"), field="score")
    if certificate is not None:
        if certificate.trainee_id != enrollment.trainee_id:
            raise DomainError(_("证书不属于该学员。"), field="certificate")
        if result != EnrollmentResult.PASSED:
            raise DomainError(_("只有考核合格的学员才能关联证书。"), field="certificate")
    enrollment.result, enrollment.score, enrollment.certificate = result, score, certificate
    enrollment.save(update_fields=["result", "score", "certificate"])
    audit_log(
        actor=actor,
        action="enrollment.result_recorded",
        target=training_class,
        region=training_class.county,
        details={"enrollment": enrollment.pk, "result": result},
    )
    return enrollment
