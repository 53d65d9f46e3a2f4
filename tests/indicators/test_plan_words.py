"""The computed indicators count what their plans' words mean (issue 15): only 职业资格/职业技能等级证书 are new
certificates, a certificate counts where the person is registered or else where they trained, HLJ 2025–2027's 7万
高技能人才 are training person-times at 高级工 and above, 新建公共实训基地 are bases built in the period. Each builds
facts that should count and facts that should not, and checks that the incremental refresh, the full recompute
and a direct count of the facts agree."""

from datetime import date

import pytest
from django.apps import apps
from django.db.models import Q

from catalog.models import Occupation, SkillLevel
from core.models import PendingRefresh
from indicators.services.rollups import progress_recompute_all, progress_refresh
from institutions.models import InstitutionType
from institutions.services.institutions import institution_update_profile
from tests.indicators.factories import (
    breakdown_table,
    certificate,
    ledger,
    month_cells,
    occupation,
    person,
    progress_table,
    public_base,
    region,
    total,
)
from tests.institutions.factories import bureau_actor
from tests.trainees.factories import registrar
from trainees.models import Certificate, CertificateType, SubsidyKind, Trainee, TrainingRecord
from trainees.services.certificates import certificate_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

MAR, MAY, JUN = date(2024, 3, 1), date(2024, 5, 1), date(2024, 6, 1)
COUNTED_TYPES = [CertificateType.QUALIFICATION, CertificateType.SKILL_LEVEL]


def refresh_equals_recompute(counties: list[str], months: list[date]) -> None:
    """The incremental refresh of `counties` leaves the roll-up exactly as the full recompute makes it."""
    progress_refresh(counties=[region(c).pk for c in counties], months=months)
    incremental = progress_table(), breakdown_table()
    progress_recompute_all()
    assert incremental == (progress_table(), breakdown_table())


def unregistered(county: str = "231202") -> Trainee:
    """A person with no registered county (registered through the service in `county`, then cleared)."""
    someone = person(county)
    Trainee.objects.filter(pk=someone.pk).update(registered_region=None)
    someone.refresh_from_db()
    return someone


def in_unit(prefix: str) -> Q:
    return Q(region__code__startswith=prefix)


# --- certificates: which kinds ---------------------------------------------------------------------------------


def test_only_qualification_and_skill_level_certificates_are_new_and_high_skilled_certificates():
    someone = person("231281")
    certificate(someone, issued=date(2024, 5, 2), level="level3")
    progress_recompute_all()
    for kind in CertificateType.values:  # 资格, 等级, 专项职业能力, 特种作业, 培训合格证 — all 高级工
        certificate(someone, issued=date(2024, 6, 5), level="level3", type=kind)
    certificate(someone, issued=date(2024, 6, 6), level="level5", type=CertificateType.QUALIFICATION)  # 初级工
    certificate(someone, issued=date(2024, 6, 7), level=None, type=CertificateType.TRAINING)

    refresh_equals_recompute(["231281"], [JUN])

    assert month_cells("new_certificates", "231281") == {MAY: 1, JUN: 3}
    assert month_cells("high_skilled_certificates", "231281") == {MAY: 1, JUN: 2}
    for prefix in ["231281", "2312", "23"]:
        counted = Certificate.objects.filter(in_unit(prefix), type__in=COUNTED_TYPES)
        assert total("new_certificates", prefix) == counted.count() == 4
        assert total("high_skilled_certificates", prefix) == counted.filter(skill_level__rank__gte=4).count() == 3


def test_the_plans_name_no_special_ability_certificate_indicator():
    """专项职业能力 appears in HLJ 2025–2027 only as 考核标准 to develop (reported), never as certificates to count:
    no definition counts 专项职业能力证书."""
    from indicators.definitions import DEFINITIONS

    assert not any("special_ability" in code for code in DEFINITIONS)


# --- certificates: where they count ----------------------------------------------------------------------------


def test_a_certificate_counts_where_the_person_is_registered_even_if_trained_elsewhere():
    someone = person("231221")
    ledger(someone, county="231202", occupation_index=3)

    held = certificate(someone, issued=date(2024, 6, 5), occupation_index=3, trained_in="231283")

    assert held.region.code == "231221"


def test_without_registration_a_certificate_counts_where_the_person_trained_in_its_occupation_else_last():
    someone = unregistered()
    ledger(someone, county="231202", end=date(2024, 3, 20), occupation_index=3)
    ledger(someone, county="231281", end=date(2024, 5, 20), occupation_index=4)  # later, another occupation
    progress_recompute_all()

    same_occupation = certificate(someone, issued=date(2024, 6, 5), occupation_index=3)
    other_occupation = certificate(someone, issued=date(2024, 6, 6), occupation_index=5)
    told = certificate(someone, issued=date(2024, 6, 7), occupation_index=3, trained_in="231283")
    refresh_equals_recompute(["231202", "231281", "231283"], [JUN])

    assert (same_occupation.region.code, other_occupation.region.code, told.region.code) == (
        "231202",
        "231281",
        "231283",
    )
    for county in ["231202", "231281", "231283"]:
        assert month_cells("new_certificates", county) == {JUN: 1}
        assert total("new_certificates", county) == Certificate.objects.filter(region__code=county).count()
    assert total("new_certificates", "2312") == 3


def test_a_certificate_of_a_person_without_registration_or_training_counts_nowhere():
    someone = unregistered()

    held = certificate(someone, issued=date(2024, 6, 5))
    progress_recompute_all()

    assert held.region is None and total("new_certificates", "23") == 0


def test_recording_a_certificate_refreshes_the_county_it_counts_in():
    someone = unregistered()
    ledger(someone, county="231281", occupation_index=0)

    held = certificate_add(
        actor=registrar("231202"),
        trainee=someone,
        type=CertificateType.SKILL_LEVEL,
        number="S-FALLBACK-1",
        occupation=occupation(0),
        skill_level=SkillLevel.objects.get(code="level3"),
        issuing_body="绥化市职业技能鉴定中心",
        issue_date=date(2024, 6, 5),
    )

    assert held.region.code == "231281"
    assert set(PendingRefresh.objects.values_list("county__code", "month")) == {("231281", JUN)}


def test_the_migration_gives_existing_certificates_the_region_the_service_would():
    from importlib import import_module

    backfill = import_module("trainees.migrations.0008_certificate_region").backfill_regions
    registered, trained, nowhere = person("231221"), unregistered(), unregistered()
    ledger(trained, county="231202", end=date(2024, 3, 20), occupation_index=3)
    ledger(trained, county="231281", end=date(2024, 5, 20), occupation_index=4)
    first = Occupation.objects.order_by("code")
    old = [
        Certificate.objects.create(
            trainee=who,
            type=CertificateType.SKILL_LEVEL,
            number=f"OLD-{n}",
            occupation=first[index],
            issuing_body="鉴定中心",
            issue_date=date(2024, 6, 1),
        )
        for n, (who, index) in enumerate([(registered, 0), (trained, 3), (trained, 5), (nowhere, 0)])
    ]

    backfill(apps, None)

    regions = [Certificate.objects.get(pk=c.pk).region for c in old]
    assert [r.code if r else None for r in regions] == ["231221", "231202", "231281", None]


# --- 其中：高技能人才 (HLJ 2025–2027) ------------------------------------------------------------------------


def test_high_skilled_training_counts_subsidized_training_at_advanced_worker_level_and_above():
    someone = person()
    ledger(someone, end=date(2024, 3, 10), level="level3")
    progress_recompute_all()
    for level in ["level1", "level2", "level3"]:  # 高级技师 技师 高级工
        ledger(someone, end=date(2024, 6, 10), level=level, county="231281")
    ledger(someone, end=date(2024, 6, 11), level="level4", county="231281")  # 中级工
    ledger(someone, end=date(2024, 6, 12), level="level5", county="231281")  # 初级工
    ledger(someone, end=date(2024, 6, 13), level="level3", county="231281", subsidy_kind=SubsidyKind.NONE)
    ledger(someone, end=date(2024, 6, 14), level="level2", county="231281", subsidy_kind=SubsidyKind.SKILL_UPGRADE)
    certificate(someone, issued=date(2024, 6, 15), level="level2")  # a certificate is not a training

    refresh_equals_recompute(["231281", "231202"], [JUN])

    assert month_cells("high_skilled_training", "231281") == {JUN: 3}
    assert month_cells("high_skilled_training", "231202") == {MAR: 1}
    for prefix in ["231281", "231202", "2312"]:
        rows = TrainingRecord.objects.filter(county__code__startswith=prefix, subsidy_kind=SubsidyKind.TRAINING)
        assert total("high_skilled_training", prefix) == rows.filter(skill_level__rank__gte=4).count()


# --- 新建公共实训基地 -------------------------------------------------------------------------------------------


def test_public_training_bases_count_bases_by_their_founding_month_not_their_designation():
    public_base(designated_on=date(2024, 6, 10), founded_on=date(2024, 3, 1))
    progress_recompute_all()
    public_base(county="231281", designated_on=date(2024, 6, 20))  # built when designated
    public_base(county="231281", designated_on=date(2024, 6, 21), founded_on=date(2018, 6, 1))  # built long ago
    public_base(county="231281", designated_on=date(2024, 6, 22), founded_on=None)  # no founding recorded
    public_base(county="231281", designated_on=date(2024, 6, 23), type=InstitutionType.PRIVATE_TRAINING)

    refresh_equals_recompute(["231281"], [JUN, date(2018, 6, 1)])

    assert month_cells("public_training_bases", "231202") == {MAR: 1}
    assert month_cells("public_training_bases", "231281") == {JUN: 1, date(2018, 6, 1): 1}
    in_period = (date(2022, 1, 1), date(2025, 12, 1))  # HLJ 2022–2025: the base built in 2018 is not new
    assert total("public_training_bases", "2312", months=in_period) == 2
    assert total("public_training_bases", "2312") == 3


def test_changing_a_founding_date_refreshes_the_month_it_left_and_the_month_it_joins():
    base = public_base(designated_on=date(2024, 6, 10), founded_on=date(2024, 3, 1))
    PendingRefresh.objects.all().delete()

    institution_update_profile(
        actor=bureau_actor(region("231202")), institution=base, changes={"founded_on": date(2024, 5, 2)}
    )

    assert set(PendingRefresh.objects.values_list("county__code", "month")) == {("231202", MAR), ("231202", MAY)}
    refresh_equals_recompute(["231202"], [MAR, MAY])
    assert month_cells("public_training_bases", "231202") == {MAY: 1}


def test_the_bureau_records_a_bases_founding_date_on_its_edit_page(client):
    from tests.institutions.pages_kit import profile_data

    base = public_base(founded_on=None)
    client.force_login(bureau_actor(region("231202")))

    response = client.post(f"/institutions/{base.pk}/edit/", profile_data(base, founded_on="2024-05-02"))

    assert response.status_code == 302
    base.refresh_from_db()
    assert base.founded_on == date(2024, 5, 2)
    assert "2024" in client.get(f"/institutions/{base.pk}/").content.decode()
    assert set(PendingRefresh.objects.values_list("county__code", "month")) >= {("231202", MAY)}
