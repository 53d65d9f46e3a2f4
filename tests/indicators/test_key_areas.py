"""The key-area indicators of 黑龙江 2025–2027 (seed 001): 重点领域职业技能培训 (25万) and
重点领域培训取得高级工以上证书 (2万), on hand-built facts with tags of occupations and programs; the full
recompute, the incremental refresh and a direct count (worked out here in Python, not from the definitions)
agree."""

from datetime import date

import pytest

from catalog.models import KeyArea, Region
from indicators.models import Breakdown
from indicators.services.rollups import progress_recompute_all, progress_refresh
from institutions.models import UrgentOccupationList
from institutions.services.key_areas import key_area_tag_end, occupation_key_area_tag, program_key_area_tag
from tests.accounts.factories import UserFactory
from tests.indicators.factories import (
    breakdown_table,
    certificate,
    ledger,
    month_cells,
    occupation,
    person,
    progress_table,
    region,
    total,
)
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory, bureau_actor
from trainees.models import Certificate, CertificateType, SubsidyKind, TrainingRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MAR, JUN, JUL = date(2024, 3, 1), date(2024, 6, 1), date(2024, 7, 1)
CARE, SNOW, SKY = 5, 6, 7  # occupation indexes: tagged 康养照护; tagged 冰雪经济 until February; a tagged program's
JILIN_URGENT, UNTAGGED = 8, 9


def province():
    return UserFactory(username="province-official", role="province", region=Region.objects.get(code="23"))


def area(code: str) -> KeyArea:
    return KeyArea.objects.get(code=code)


@pytest.fixture
def facts():
    """Tags, ledger rows that should count and rows that should not, and certificates of both kinds."""
    official = province()
    occupation_key_area_tag(
        actor=official, occupation=occupation(CARE), key_area=area("care"), valid_from=date(2024, 1, 1)
    )
    snow = occupation_key_area_tag(
        actor=official, occupation=occupation(SNOW), key_area=area("ice_snow_economy"), valid_from=date(2023, 1, 1)
    )
    key_area_tag_end(actor=official, tag=snow, valid_to=date(2024, 2, 29))  # ended before the trainings below
    institution = DesignatedInstitutionFactory(county=region("231202"))
    program = ProgramFactory(institution=institution, occupation=occupation(SKY))
    program_key_area_tag(
        actor=official, program=program, key_area=area("low_altitude_economy"), valid_from=date(2024, 1, 1)
    )
    jilin = UrgentOccupationList.objects.create(region=region("22"), year=2024, published_by=bureau_actor(region("22")))
    jilin.occupations.add(occupation(JILIN_URGENT))

    trained, untrained, late = person(), person(), person()
    ledger(trained, occupation_index=CARE)  # counts: 康养照护
    ledger(trained, occupation_index=SKY, institution=institution)  # counts: the program's tag, 低空经济
    ledger(trained, occupation_index=SKY, institution=institution, level="level4")  # another level: not the program
    ledger(trained, occupation_index=SKY)  # no institution: not the program
    ledger(trained, occupation_index=CARE, end=date(2023, 12, 20))  # before the tag began
    ledger(trained, occupation_index=CARE, subsidy_kind=SubsidyKind.NONE)  # not subsidized
    ledger(trained, occupation_index=SNOW)  # the tag ended before the training
    ledger(trained, occupation_index=JILIN_URGENT)  # Jilin's urgent list is no key area
    ledger(trained, occupation_index=UNTAGGED)
    ledger(late, occupation_index=CARE, end=date(2024, 7, 1))  # counts; but ended after the certificate below

    issued = date(2024, 6, 5)
    certificate(trained, issued=issued, level="level3", occupation_index=CARE)  # counts
    qualification = certificate(trained, issued=issued, level="level2", occupation_index=CARE)  # counts
    Certificate.objects.filter(pk=qualification.pk).update(type=CertificateType.QUALIFICATION)
    training_card = certificate(trained, issued=issued, level="level3", occupation_index=CARE)
    Certificate.objects.filter(pk=training_card.pk).update(type=CertificateType.TRAINING)  # 培训合格证
    certificate(trained, issued=issued, level="level4", occupation_index=CARE)  # 中级工
    certificate(untrained, issued=issued, level="level3", occupation_index=CARE)  # no training behind it
    certificate(late, issued=issued, level="level3", occupation_index=CARE)  # trained only afterwards
    certificate(trained, issued=issued, level="level3", occupation_index=SNOW)  # tag ended
    certificate(trained, issued=issued, level="level3", occupation_index=JILIN_URGENT)
    return official, institution


def test_key_area_training_counts_subsidized_training_in_tagged_occupations_and_programs(facts):
    progress_recompute_all()

    assert month_cells("key_area_training", "231202") == {MAR: 2, JUL: 1}
    assert month_cells("key_area_training", "23") == {MAR: 2, JUL: 1}
    by_area = dict(
        Breakdown.objects.filter(definition="key_area_training", unit="23", dimension="key_area").values_list(
            "key", "value"
        )
    )
    assert by_area == {"康养照护": 2, "低空经济": 1}


def test_key_area_advanced_certificates_count_advanced_certificates_obtained_through_tagged_training(facts):
    progress_recompute_all()

    assert month_cells("key_area_advanced_certificates", "231202") == {JUN: 2}


def test_the_key_area_breakdowns_sum_to_their_indicators_totals(facts):
    progress_recompute_all()

    for definition in ["key_area_training", "key_area_advanced_certificates"]:
        by_area = Breakdown.objects.filter(definition=definition, unit="231202", dimension="key_area")
        assert sum(by_area.values_list("value", flat=True)) == total(definition, "231202") > 0
    assert not Breakdown.objects.filter(definition="subsidized_training", dimension="key_area").exists()


def key_area_cells(definition: str, unit: str = "231202") -> dict:
    qs = Breakdown.objects.filter(definition=definition, unit=unit, dimension="key_area")
    return dict(qs.values_list("key", "value"))


def test_an_occupation_that_changed_area_within_the_year_counts_in_each_area_by_the_training_day(facts):
    """The roll-up takes a county-year-occupation group's area from its rows' least and greatest area; where they
    differ it recounts by area (rollup_areas)."""
    official, _ = facts
    occupation_key_area_tag(
        actor=official, occupation=occupation(CARE), key_area=area("rural_revitalization"), valid_from=date(2024, 3, 21)
    )  # 康养照护 until 20 March, then 乡村振兴: mixed within the year and within March
    ledger(person(), occupation_index=CARE, end=date(2024, 3, 25))

    progress_recompute_all()
    full = breakdown_table()
    assert key_area_cells("key_area_training") == {"康养照护": 1, "乡村振兴": 2, "低空经济": 1}
    assert key_area_cells("key_area_advanced_certificates") == {"乡村振兴": 2}  # the area on the issue day
    progress_refresh(counties=[region("231202").pk], months=[date(2024, 3, 1)])
    assert breakdown_table() == full


def _tagged(tags, day) -> bool:
    return any(t.valid_from <= day and (t.valid_to is None or day <= t.valid_to) for t in tags)


def direct_counts(prefix: str) -> tuple[int, int]:
    """The two indicators counted row by row from the facts and the tags."""
    from catalog.models import OccupationKeyArea
    from institutions.models import ProgramKeyArea

    occupation_tags, program_tags = {}, {}
    for t in OccupationKeyArea.objects.all():
        occupation_tags.setdefault(t.occupation_id, []).append(t)
    for t in ProgramKeyArea.objects.all():
        key = (t.program.institution_id, t.program.occupation_id, t.program.skill_level_id, t.program.training_type_id)
        program_tags.setdefault(key, []).append(t)
    trainings = 0
    records = TrainingRecord.objects.filter(county__code__startswith=prefix, subsidy_kind=SubsidyKind.TRAINING)
    for r in records:
        key = (r.institution_id, r.occupation_id, r.skill_level_id, r.training_type_id)
        trainings += _tagged(occupation_tags.get(r.occupation_id, []), r.end_date) or _tagged(
            program_tags.get(key, []), r.end_date
        )
    certificates = 0
    kinds = {CertificateType.SKILL_LEVEL, CertificateType.QUALIFICATION}
    for c in Certificate.objects.filter(trainee__registered_region__code__startswith=prefix).select_related(
        "skill_level"
    ):
        trained = TrainingRecord.objects.filter(
            trainee_id=c.trainee_id, occupation_id=c.occupation_id, end_date__lte=c.issue_date
        ).exists()
        high = c.skill_level is not None and c.skill_level.rank >= 4
        certificates += (
            high and c.type in kinds and trained and _tagged(occupation_tags.get(c.occupation_id, []), c.issue_date)
        )
    return trainings, certificates


def test_recompute_incremental_refresh_and_a_direct_count_agree(facts):
    official, _ = facts
    progress_recompute_all()
    someone = person()
    ledger(someone, occupation_index=CARE, end=date(2024, 8, 10))
    ledger(someone, occupation_index=UNTAGGED, end=date(2024, 8, 11))
    certificate(someone, issued=date(2024, 9, 1), level="level3", occupation_index=CARE)
    occupation_key_area_tag(
        actor=official, occupation=occupation(UNTAGGED), key_area=area("new_energy"), valid_from=date(2024, 8, 11)
    )

    progress_refresh(counties=[region("231202").pk], months=[date(2024, 8, 1), date(2024, 9, 1)])
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()

    assert (progress_table(), breakdown_table()) == incremental
    for prefix in ["231202", "2312", "23"]:
        assert (total("key_area_training", prefix), total("key_area_advanced_certificates", prefix)) == direct_counts(
            prefix
        )
    assert direct_counts("23") == (5, 3)


def test_the_dashboard_breaks_the_main_indicator_down_by_key_area(facts, client):
    from tests.indicators.factories import plan_with

    plan, _ = plan_with("key_area_training", region_code="23", start=date(2024, 1, 1), end=date(2024, 12, 31))
    progress_recompute_all()
    official, _ = facts
    client.force_login(official)

    page = client.get("/dashboard/23/", {"plan": plan.code, "year": 2024}).content.decode()

    table = page.split('data-testid="breakdown-key_area"')[1].split("</table>")[0]
    assert "康养照护" in table and "低空经济" in table


def test_no_key_area_breakdown_shows_while_nothing_is_tagged(client):
    from tests.indicators.factories import plan_with

    plan, _ = plan_with("key_area_training", region_code="23", start=date(2024, 1, 1), end=date(2024, 12, 31))
    ledger(person())
    progress_recompute_all()
    client.force_login(province())

    response = client.get("/dashboard/23/", {"plan": plan.code, "year": 2024})

    assert response.status_code == 200 and 'data-testid="breakdown-key_area"' not in response.content.decode()
