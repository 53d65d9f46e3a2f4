"""The archive ledger: every training and subsidy a person received."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from catalog.models import Occupation, Region, SkillLevel, TrainingType

from ..models import RecordSource, SubsidyKind, Trainee, TraineeAccess, TrainingRecord


@transaction.atomic
def training_record_append(
    *,
    trainee: Trainee,
    occupation: Occupation,
    skill_level: SkillLevel,
    training_type: TrainingType,
    start_date: date,
    end_date: date,
    county: Region,
    amount: Decimal,
    source_ref: str,
    subsidy_kind: str = SubsidyKind.TRAINING,
    institution=None,
    certificate_number: str = "",
    source: str = RecordSource.CLAIM,
) -> TrainingRecord:
    """Append one training to a person's archive; idempotent on (source, source_ref), so an approval that
    runs twice records once."""
    record, _ = TrainingRecord.objects.get_or_create(
        source=source,
        source_ref=source_ref,
        defaults={
            "trainee": trainee,
            "occupation": occupation,
            "skill_level": skill_level,
            "training_type": training_type,
            "subsidy_kind": subsidy_kind,
            "start_date": start_date,
            "end_date": end_date,
            "year": end_date.year,
            "county": county,
            "institution": institution,
            "institution_credit_code": institution.credit_code if institution else "",
            "amount": amount,
            "certificate_number": certificate_number,
        },
    )
    TraineeAccess.objects.get_or_create(trainee=trainee, county=county, institution=institution)
    return record
