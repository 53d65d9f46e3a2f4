"""The real-name register: one trainee per ID number, found through the blind index."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region, TraineeCategory
from core import clock
from core.bulk import copy_insert, insert_ignoring_conflicts
from core.errors import DomainError
from core.masking import mask_id_number, mask_phone
from core.policy import can

from .. import idnumber
from ..crypto import blind_index, encrypt
from ..models import Trainee, TraineeAccess, TraineeCategoryAssignment
from ..validators import clean_mobile, clean_name

REVEALABLE_FIELDS = {"id_number": _("身份证号"), "phone": _("手机号码"), "bank_account": _("银行账号")}


def parse_id_number(raw, *, gender: str | None = None, birth_date: date | None = None) -> idnumber.IdNumber:
    try:
        number = idnumber.parse(raw)
        idnumber.check_consistency(number, gender=gender, birth_date=birth_date)
    except idnumber.InvalidIdNumber as exc:
        raise DomainError(str(exc), field="id_number") from None
    return number


def trainee_find(id_number_raw) -> Trainee | None:
    """Exact lookup by ID number (normalised, through the blind index). No scope: callers scope."""
    try:
        number = idnumber.parse(id_number_raw)
    except idnumber.InvalidIdNumber:
        return None
    return Trainee.objects.filter(id_index=blind_index(number.value)).first()


def _set_phone(trainee: Trainee, raw) -> None:
    phone = clean_mobile(raw)
    trainee.phone = phone
    trainee.phone_masked = mask_phone(phone) if phone else ""
    trainee.phone_index = blind_index(phone) if phone else ""


@transaction.atomic
def trainee_register(
    *,
    actor: User,
    id_number: str,
    name: str,
    county: Region,
    phone: str = "",
    gender: str | None = None,
    birth_date: date | None = None,
    **fields,
) -> Trainee:
    """Record a person by real name. A second registration of the same ID number is refused (the person
    is already in the archive: find them instead)."""
    if county is None or not can(actor, "trainee.register", county):
        raise PermissionDenied(_("只能在本辖区登记学员。"))
    number = parse_id_number(id_number, gender=gender, birth_date=birth_date)
    trainee = Trainee(
        name=clean_name(name),
        id_number=number.value,
        id_index=blind_index(number.value),
        id_number_masked=mask_id_number(number.value),
        gender=number.gender,
        birth_date=number.birth_date,
        registered_region=county,
        **fields,
    )
    _set_phone(trainee, phone)
    if Trainee.objects.filter(id_index=trainee.id_index).exists():
        raise DomainError(_("该身份证号已登记，请通过身份证号查找该学员。"), field="id_number")
    trainee.full_clean(exclude=["id_number", "phone", "bank_account"])
    try:
        with transaction.atomic():
            trainee.save()
    except IntegrityError:  # registered concurrently
        raise DomainError(_("该身份证号已登记，请通过身份证号查找该学员。"), field="id_number") from None
    TraineeAccess.objects.create(trainee=trainee, county=county)
    audit_log(
        actor=actor,
        action="trainee.registered",
        target=trainee,
        region=county,
        details={"converted_from_15": number.converted_from_15},
    )
    return trainee


@transaction.atomic
def trainee_update_contact(*, actor: User, trainee: Trainee, phone: str | None = None, **fields) -> Trainee:
    """Phone, regions, education, employment, pension status. Identity (name, ID) never changes here."""
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    changed = []
    if phone is not None:
        _set_phone(trainee, phone)
        changed.append("phone")
    for name, value in fields.items():
        if name not in {
            "hukou_region",
            "residence_region",
            "education",
            "employment_status",
            "social_security_number",
            "draws_pension",
            "bank_account",
        }:
            raise DomainError(_("字段 %(f)s 不能在此修改。") % {"f": name})
        setattr(trainee, name, value)
        changed.append(name)
    trainee.full_clean(exclude=["id_number", "phone", "bank_account"])
    trainee.save()
    audit_log(
        actor=actor,
        action="trainee.updated",
        target=trainee,
        region=trainee.registered_region,
        details={"fields": sorted(changed)},
    )
    return trainee


@transaction.atomic
def category_assign(
    *,
    actor: User,
    trainee: Trainee,
    category: TraineeCategory,
    valid_from: date,
    evidence: str = "",
    valid_to: date | None = None,
) -> TraineeCategoryAssignment:
    if valid_to and valid_to < valid_from:
        raise DomainError(_("截止日期不能早于起始日期。"), field="valid_to")
    if TraineeCategoryAssignment.objects.filter(trainee=trainee, category=category, valid_from=valid_from).exists():
        raise DomainError(_("该类别在该日期已登记。"), field="valid_from")
    assignment = TraineeCategoryAssignment.objects.create(
        trainee=trainee, category=category, valid_from=valid_from, valid_to=valid_to, evidence=evidence
    )
    audit_log(
        actor=actor,
        action="trainee.category_assigned",
        target=trainee,
        region=trainee.registered_region,
        details={"category": category.code, "valid_from": str(valid_from)},
    )
    return assignment


def categories_on(trainee: Trainee, day: date) -> list[TraineeCategory]:
    """The categories in force on `day`: what an enrollment freezes."""
    return [
        a.category
        for a in trainee.categories.select_related("category")
        if a.valid_from <= day and (a.valid_to is None or a.valid_to >= day)
    ]


@transaction.atomic
def trainee_reveal(*, actor: User, trainee: Trainee, field: str, reason: str = "") -> str:
    """Show one full value to a bureau user whose scope holds the person, and audit that it was seen."""
    if field not in REVEALABLE_FIELDS:
        raise DomainError(_("不支持查看该字段。"))
    if not can(actor, "trainee.reveal", trainee):
        raise PermissionDenied(_("您无权查看该学员的完整信息。"))
    value = getattr(trainee, field) or ""
    audit_log(
        actor=actor,
        action="trainee.revealed",
        target=trainee,
        region=actor.region,
        details={"field": field, "reason": reason[:200]},
    )
    return value


def trainee_link(*, trainee: Trainee, county: Region, institution=None) -> None:
    """Record that `county`'s bureau (and `institution`) may see this person: called by the training app
    when the person enrolls."""
    TraineeAccess.objects.get_or_create(trainee=trainee, county=county, institution=institution)


def trainees_link_bulk(*, actor: User, people: list[dict], county: Region, institution=None) -> dict[str, int]:
    """Create or link many people at once (a roster): `people` are dicts with a parsed `number`
    (idnumber.IdNumber), a clean `name` and optional `phone`, `hukou_region`, `education`, `employment_status`.
    Existing people (by blind index) are linked, never duplicated; new ones are written in one COPY.
    Returns {id_index: trainee id}. A constant number of queries whatever the roster size."""
    by_index = {blind_index(p["number"].value): p for p in people}
    ids = dict(Trainee.objects.filter(id_index__in=list(by_index)).values_list("id_index", "id"))
    now = clock.now()
    rows = []
    for index, person in by_index.items():
        if index in ids:
            continue
        number, phone = person["number"], person.get("phone") or ""
        hukou = person.get("hukou_region")
        rows.append(
            (
                person["name"],
                encrypt(number.value),
                index,
                mask_id_number(number.value),
                number.gender,
                number.birth_date,
                encrypt(phone) if phone else "",
                mask_phone(phone) if phone else "",
                blind_index(phone) if phone else "",
                "",
                hukou.pk if hukou else None,
                None,
                person.get("education") or "",
                person.get("employment_status") or "",
                "",
                False,
                county.pk,
                now,
            )
        )
    copy_insert(Trainee, NEW_TRAINEE_FIELDS, rows)
    if rows:
        ids.update(Trainee.objects.filter(id_index__in=[r[2] for r in rows]).values_list("id_index", "id"))
        audit_log(actor=actor, action="trainee.registered_bulk", region=county, details={"created": len(rows)})
    institution_id = institution.pk if institution else None
    insert_ignoring_conflicts(
        TraineeAccess, ["trainee", "county", "institution"], [(pk, county.pk, institution_id) for pk in ids.values()]
    )
    return ids


NEW_TRAINEE_FIELDS = [
    "name",
    "id_number",
    "id_index",
    "id_number_masked",
    "gender",
    "birth_date",
    "phone",
    "phone_masked",
    "phone_index",
    "bank_account",
    "hukou_region",
    "residence_region",
    "education",
    "employment_status",
    "social_security_number",
    "draws_pension",
    "registered_region",
    "created_at",
]


def categories_assign_bulk(*, assignments: list[tuple[int, int]], valid_from: date, evidence: str = "") -> None:
    """Record (trainee id, category id) pairs given on a roster; a category already starting that day is kept."""
    insert_ignoring_conflicts(
        TraineeCategoryAssignment,
        ["trainee", "category", "valid_from", "evidence"],
        [(trainee_id, category_id, valid_from, evidence) for trainee_id, category_id in assignments],
    )


def categories_in_force(*, trainee_ids: list[int], day: date) -> dict[int, list[int]]:
    """Every category (id) in force on `day` for each person, in the catalog's order, in one query: the groups
    an enrollment freezes (the first is its primary category)."""
    result: dict[int, list[int]] = {}
    rows = (
        TraineeCategoryAssignment.objects.filter(trainee_id__in=trainee_ids, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("trainee_id", "category__sort_order", "category__code")
        .values_list("trainee_id", "category_id")
    )
    for trainee_id, category_id in rows:
        groups = result.setdefault(trainee_id, [])
        if category_id not in groups:  # the same category started twice
            groups.append(category_id)
    return result
