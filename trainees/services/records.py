"""The archive ledger: every training and subsidy a person received."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from catalog.models import EntrepreneurshipStage, Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from core.bulk import copy_insert, insert_ignoring_conflicts

from ..models import RecordSource, SubsidyKind, Trainee, TraineeAccess, TrainingRecord, TrainingRecordGroup


@transaction.atomic
def training_record_append(
    *,
    trainee: Trainee,
    occupation: Occupation | None,
    skill_level: SkillLevel | None,
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
    groups: list[TraineeCategory] = (),
    entrepreneurship_stage: EntrepreneurshipStage | None = None,
) -> TrainingRecord:
    """Append one training to a person's archive with the person's groups (人员类别) frozen for it, the first in
    the catalog's order as its primary category; idempotent on (source, source_ref), so an approval that runs
    twice records once."""
    groups = sorted(set(groups), key=lambda c: (c.sort_order, c.code))
    record, created = TrainingRecord.objects.get_or_create(
        source=source,
        source_ref=source_ref,
        defaults={
            "trainee": trainee,
            "occupation": occupation,
            "skill_level": skill_level,
            "entrepreneurship_stage": entrepreneurship_stage,
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
            "category": groups[0] if groups else None,
        },
    )
    if created:
        TrainingRecordGroup.objects.bulk_create([TrainingRecordGroup(record=record, category=c) for c in groups])
    TraineeAccess.objects.get_or_create(trainee=trainee, county=county, institution=institution)
    return record


def training_records_append_bulk(
    *,
    records: list[dict],
    occupation: Occupation | None,
    skill_level: SkillLevel | None,
    training_type: TrainingType,
    start_date: date,
    end_date: date,
    county: Region,
    institution=None,
    subsidy_kind: str = SubsidyKind.TRAINING,
    source: str = RecordSource.CLAIM,
    entrepreneurship_stage: EntrepreneurshipStage | None = None,
) -> None:
    """Append the approved lines of one claim to the ledger in at most four statements. `records` hold trainee_id,
    amount, source_ref, certificate_number and the groups frozen on the enrollment (group_ids, the primary one
    first; or only its category_id, a one-element set). A subsidy for the same person, occupation and level
    from another claim violates the ledger's partial unique index and aborts the transaction (never paid
    twice); so does one for the same entrepreneurship stage (创业培训, given as `entrepreneurship_stage` with
    no occupation or level)."""
    now = clock.now()
    groups = {r["source_ref"]: _group_ids(r) for r in records}
    institution_id = institution.pk if institution else None
    copy_insert(
        TrainingRecord,
        RECORD_FIELDS,
        [
            (
                r["trainee_id"],
                occupation.pk if occupation else None,
                skill_level.pk if skill_level else None,
                training_type.pk,
                subsidy_kind,
                start_date,
                end_date,
                end_date.year,
                county.pk,
                institution_id,
                institution.credit_code if institution else "",
                r["amount"],
                r.get("certificate_number", ""),
                source,
                r["source_ref"],
                now,
                (groups[r["source_ref"]] or [None])[0],
                entrepreneurship_stage.pk if entrepreneurship_stage else None,
            )
            for r in records
        ],
    )
    if any(groups.values()):
        written = TrainingRecord.objects.filter(source=source, source_ref__in=list(groups))
        copy_insert(
            TrainingRecordGroup,
            ["record", "category"],
            [(pk, c) for pk, ref in written.values_list("pk", "source_ref") for c in groups[ref]],
        )
    insert_ignoring_conflicts(
        TraineeAccess,
        ["trainee", "county", "institution"],
        [(r["trainee_id"], county.pk, institution_id) for r in records],
    )


def _group_ids(record: dict) -> list[int]:
    if "group_ids" in record:
        return list(dict.fromkeys(record["group_ids"]))
    return [record["category_id"]] if record.get("category_id") else []


RECORD_FIELDS = [
    "trainee",
    "occupation",
    "skill_level",
    "training_type",
    "subsidy_kind",
    "start_date",
    "end_date",
    "year",
    "county",
    "institution",
    "institution_credit_code",
    "amount",
    "certificate_number",
    "source",
    "source_ref",
    "created_at",
    "category",
    "entrepreneurship_stage",
]
