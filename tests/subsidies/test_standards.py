"""Subsidy standards are data: per region and period, never overlapping for one key; the most specific
applicable standard wins; a line's amount follows the standard's basis."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from catalog.models import Region
from core.clock import replaying as clock
from core.errors import DomainError
from institutions.services.urgent_lists import urgent_list_publish
from subsidies.models import SubsidyStandard
from subsidies.services import standards
from subsidies.services.standards import line_amount, standard_for
from training.services import classes

from ..institutions.factories import occupation
from .factories import (
    STANDARD_FROM,
    START,
    World,
    bureau,
    completed_class,
    level,
    make_standard,
    make_standard_row,
    province,
    training_type,
    verified_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def create(actor=None, **kw):
    actor = actor or province()
    fields = {
        "region": actor.region,
        "valid_from": STANDARD_FROM,
        "training_type": training_type(),
        "skill_level": level("level5"),
        "amount": Decimal(1000),
        **kw,
    }
    if (
        len(getattr(actor.region, "code", "")) == 6
    ):  # counties apply the city's: a county's own standard can only be migrated data
        standard = SubsidyStandard(**fields)
        standard.full_clean()
        standard.save()
        return standard
    return standards.standard_create(actor=actor, **fields)


def test_a_county_cannot_set_a_standard_of_its_own():
    fields = {"valid_from": STANDARD_FROM, "training_type": training_type(), "amount": Decimal(1000)}
    county = bureau("231202")
    with pytest.raises(PermissionDenied, match="县区执行上级标准"):
        standards.standard_create(actor=county, region=county.region, **fields)
    assert not SubsidyStandard.objects.filter(region=county.region).exists()


# --- no overlap for one key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((date(2024, 1, 1), date(2024, 12, 31)), (date(2024, 6, 1), None)),
        ((date(2024, 1, 1), None), (date(2030, 1, 1), date(2030, 12, 31))),  # open-ended covers the future
        ((date(2024, 1, 1), date(2024, 12, 31)), (date(2024, 12, 31), None)),  # one shared day
        ((date(2024, 3, 1), date(2024, 3, 31)), (date(2024, 1, 1), date(2024, 12, 31))),  # inside
    ],
)
def test_an_overlapping_period_for_the_same_key_is_refused(first, second):
    create(valid_from=first[0], valid_to=first[1])
    with pytest.raises(DomainError, match="有效期重叠") as caught:
        create(valid_from=second[0], valid_to=second[1], amount=Decimal(1200))
    assert caught.value.field == "valid_from"
    assert SubsidyStandard.objects.count() == 1


def test_the_next_period_and_other_keys_are_allowed():
    create(valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    create(valid_from=date(2025, 1, 1), amount=Decimal(1100))  # the next period
    create(skill_level=level("level4"), amount=Decimal(1500))  # another level
    create(mode="online", amount=Decimal(800))  # another mode
    create(occupation=occupation(0), amount=Decimal(1300))  # a named occupation
    create(urgent_only=True, amount=Decimal(1200))  # the urgent-shortage list
    create(training_type=training_type("skill_upgrade"))  # another training type
    create(actor=bureau("2312"))  # another region
    create(claim_kind="living", basis="per_day", amount=Decimal(25), min_hours_per_day=1)  # another subsidy
    assert SubsidyStandard.objects.count() == 9


def test_an_any_level_standard_can_be_created_through_the_service():
    """Standards for every level (skill_level empty) are normal data: Suihua's 100 yuan a day applies to any
    level, and subsidies/demo.py creates it this way. On PostgreSQL standard_create's
    select_for_update() runs over the model's default ordering (skill_level__rank), a LEFT OUTER JOIN to
    catalog_skilllevel, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join."""
    standard = create(actor=bureau("2312"), skill_level=None, basis="per_day", amount=Decimal(100), min_hours_per_day=6)
    assert standard.pk and standard.skill_level is None


def test_only_staff_of_the_standards_own_region_may_set_it():
    city = bureau("2312")
    with pytest.raises(PermissionDenied):
        create(actor=city, region=Region.objects.get(code="23"))
    with pytest.raises(PermissionDenied):
        create(actor=World.make().owner, region=Region.objects.get(code="231202"))
    assert not SubsidyStandard.objects.exists()


def test_a_per_day_standard_needs_a_minimum_and_a_named_occupation_is_not_urgent_only():
    with pytest.raises(DomainError, match="每天最少课时"):
        create(basis="per_day", amount=Decimal(100))
    with pytest.raises(DomainError, match="急需紧缺"):
        create(occupation=occupation(0), urgent_only=True)


INSERT = """
INSERT INTO subsidies_subsidystandard (claim_kind, region_id, valid_from, valid_to, training_type_id, occupation_id,
    urgent_only, skill_level_id, mode, basis, amount, min_hours_per_day, document)
VALUES ('training', %s, %s, %s, %s, %s, false, %s, '', 'per_person', 1000, 0, '')
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
@pytest.mark.parametrize("skill_level_code", ["level5", None])
def test_the_database_refuses_an_overlapping_row_inserted_directly(skill_level_code):
    region = Region.objects.get(code="23")
    lv = level(skill_level_code).pk if skill_level_code else None
    key = (region.pk, training_type().pk, None, lv)
    with connection.cursor() as cursor:
        cursor.execute(INSERT, (key[0], date(2024, 1, 1), date(2024, 12, 31), key[1], key[2], key[3]))
        cursor.execute(INSERT, (key[0], date(2025, 1, 1), None, key[1], key[2], key[3]))  # next period: fine
        with pytest.raises(IntegrityError, match="standard_periods_do_not_overlap"), transaction.atomic():
            cursor.execute(INSERT, (key[0], date(2024, 12, 31), date(2025, 2, 1), key[1], key[2], key[3]))
        # another key (a named occupation) may use the same dates
        cursor.execute(INSERT, (key[0], date(2024, 6, 1), None, key[1], occupation(0).pk, key[3]))
    assert SubsidyStandard.objects.count() == 3


# --- the most specific standard wins ------------------------------------------------------------------------


def draft_class(world=None, start=START, **program_kw):
    world = world or World.make(**program_kw)
    with clock(start - timedelta(days=14)):
        tc = classes.class_create(
            actor=world.owner,
            program=world.program,
            name="标准测试班",
            start_date=start,
            end_date=start,
            planned_headcount=10,
        )
    return tc


def test_county_over_city_over_province():
    tc = draft_class()
    p = create(amount=Decimal(1000))
    c = create(actor=bureau("2312"), amount=Decimal(1100))
    k = create(actor=bureau("231202"), amount=Decimal(1200))
    create(actor=bureau("231281"), amount=Decimal(9999))  # another county: never applies
    assert standard_for(tc) == k
    k.delete()
    assert standard_for(tc) == c
    c.delete()
    assert standard_for(tc) == p


def test_a_county_standard_for_any_occupation_beats_a_province_standard_for_the_occupation():
    tc = draft_class()
    create(occupation=tc.program.occupation, amount=Decimal(1500))
    county = create(actor=bureau("231202"), amount=Decimal(1000))
    assert standard_for(tc) == county


def test_named_occupation_over_the_urgent_list_over_any_occupation():
    tc = draft_class()
    anything = create(amount=Decimal(1000))
    urgent = create(urgent_only=True, amount=Decimal(1200))
    named = create(occupation=tc.program.occupation, amount=Decimal(1500))
    urgent_list_publish(
        actor=bureau("2312"),
        region=Region.objects.get(code="2312"),
        year=START.year,
        occupations=[tc.program.occupation],
    )
    assert standard_for(tc) == named
    named.delete()
    assert standard_for(tc) == urgent
    urgent_list_publish(
        actor=bureau("2312"), region=Region.objects.get(code="2312"), year=START.year, occupations=[occupation(3)]
    )  # no longer urgent
    assert standard_for(tc) == anything


def test_the_urgent_list_of_another_year_does_not_count():
    tc = draft_class()
    anything = create(amount=Decimal(1000))
    create(urgent_only=True, amount=Decimal(1200))
    urgent_list_publish(
        actor=province(), region=Region.objects.get(code="23"), year=START.year - 1, occupations=[tc.program.occupation]
    )
    assert standard_for(tc) == anything


def test_a_named_level_and_mode_beat_any():
    """Standards for any level are written directly (standard_create cannot, see above)."""
    tc = draft_class()
    any_level_any_mode = make_standard_row("23", amount=900)
    assert standard_for(tc) == any_level_any_mode
    any_level_offline = make_standard_row("23", amount=950, mode="offline")
    assert standard_for(tc) == any_level_offline
    level_any_mode = create(amount=Decimal(1000))
    assert standard_for(tc) == level_any_mode  # the level counts before the mode
    level_offline = create(amount=Decimal(1050), mode="offline")
    assert standard_for(tc) == level_offline
    create(amount=Decimal(1), mode="online", skill_level=level("level4"))  # another mode and level: never
    assert standard_for(tc) == level_offline


def test_only_standards_in_force_on_the_start_day_apply():
    tc = draft_class()
    create(valid_from=date(2024, 1, 1), valid_to=START - timedelta(days=1), amount=Decimal(800))
    current = create(valid_from=START, valid_to=START, amount=Decimal(1000))
    create(valid_from=START + timedelta(days=1), amount=Decimal(1200))
    assert standard_for(tc) == current
    assert standard_for(tc, on=START + timedelta(days=1)).amount == Decimal(1200)


def test_a_standard_of_another_training_type_never_applies():
    tc = draft_class()
    create(training_type=training_type("skill_upgrade"))
    assert standard_for(tc) is None


def test_each_kind_of_claim_has_its_own_standards():
    tc = draft_class()
    training = create(amount=Decimal(1000))
    living = create(claim_kind="living", basis="per_day", amount=Decimal(25), min_hours_per_day=1)
    assert standard_for(tc) == standard_for(tc, kind="training") == training
    assert standard_for(tc, kind="living") == living
    assert standard_for(tc, kind="assessment") is None


# --- amounts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "amount", "minimum", "expected"),
    [
        ("per_person", "1000", 0, "1000.00"),
        ("per_hour", "12.5", 0, "150.00"),  # × 12 standard hours
        ("per_hour", "0.0425", 0, "0.51"),  # 0.51 exactly: rounded to the cent, half up
        ("per_day", "100", 6, "200.00"),  # days of 6, 3 and 8 hours: 2 count
        ("per_day", "100", 3, "300.00"),
    ],
)
def test_line_amount_by_basis(basis, amount, minimum, expected):
    standard = SubsidyStandard(basis=basis, amount=Decimal(amount), min_hours_per_day=minimum)
    by_day = {date(2025, 3, 3): 6, date(2025, 3, 4): 3, date(2025, 3, 5): 8}
    assert line_amount(standard, standard_hours=12, hours_by_day=by_day) == Decimal(expected)


def test_line_amount_rounds_half_up_to_the_cent():
    standard = SubsidyStandard(basis="per_hour", amount=Decimal("0.125"), min_hours_per_day=0)
    assert line_amount(standard, standard_hours=1, hours_by_day={}) == Decimal("0.13")


def test_a_per_day_claim_pays_each_person_only_for_days_with_the_minimum_hours():
    make_standard("2312", basis="per_day", amount=100, min_hours_per_day=6, skill_level=level("level5"))
    # person 0 misses the afternoon of day 2 (3 of 6 hours that day), person 2 misses all of day 1
    absent = {(0, 3), (2, 0), (2, 1)}
    h = completed_class(attend=lambda person, session: (person, session) not in absent)
    claim = verified_claim(h)
    amounts = [claim.lines.get(enrollment=e).amount for e in h.enrollments]
    assert amounts == [Decimal("100.00"), Decimal("200.00"), Decimal("100.00")]
    assert claim.requested_amount == Decimal("400.00")
    assert claim.standard.basis == "per_day"


def test_a_per_hour_claim_pays_the_programs_standard_hours():
    make_standard_row("231202", basis="per_hour", amount="12.50", skill_level=level("level5"))
    h = completed_class(attend=lambda person, session: not (person == 0 and session == 3))
    claim = verified_claim(h)
    assert [line.amount for line in claim.lines.order_by("id")] == [Decimal("150.00")] * 3
    assert claim.requested_amount == Decimal("450.00")


def test_a_per_person_claim_pays_the_standard_to_each_line():
    h = completed_class(people=4)  # the province's 1000 yuan
    claim = verified_claim(h)
    assert claim.standard.region.code == "23"
    assert [line.amount for line in claim.lines.all()] == [Decimal("1000.00")] * 4
    assert claim.requested_amount == Decimal("4000.00")
