"""The plans as their texts state them (issue 15): every indicator's comparator (≥ / 左右 / ≤) and attribute
(预期性 / 约束性) loaded from the seeds, the national indicators as reference ones, the indicators the first load
missed, a loaded plan brought up to the file, the dashboard showing all of it, and docs/indicators.md current."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from core.clock import replaying as clock
from core.errors import DomainError
from indicators.definitions import DEFINITIONS
from indicators.management.commands.indicators_doc import DOC_FILE, render
from indicators.models import Indicator, KeyTask, Plan, Target
from indicators.selectors.dashboard import dashboard
from indicators.services.plans import PLANS_FILE, plans_load, reported_value_set
from indicators.services.rollups import progress_recompute_all
from tests.indicators.factories import ledger, person, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2025, 6, 30)
PLANS = json.loads(PLANS_FILE.read_text(encoding="utf-8"))["plans"]


def indicator(plan: str, code: str) -> Indicator:
    return Indicator.objects.get(plan__code=plan, code=code)


# --- the file -----------------------------------------------------------------------------------------------


def test_every_indicator_of_every_plan_states_its_comparator_attribute_and_source():
    for plan in PLANS:
        assert plan["seed"] in {"000", "001", "002", "003", "004"}, plan["code"]
        for item in plan["indicators"]:
            where = (plan["code"], item["code"])
            assert item["comparator"] in Indicator.Comparator.values, where
            assert item["attribute"] in [*Indicator.Attribute.values, ""], where
            assert item["source"] in Indicator.Source.values, where
            if item["source"] == Indicator.Source.COMPUTED:
                assert item["definition"] in DEFINITIONS, where


def test_every_definition_states_the_plans_words_it_implements_and_their_seed():
    for code, definition in DEFINITIONS.items():
        assert definition.rule and definition.seed, code


def test_docs_indicators_md_is_what_the_command_writes():
    assert DOC_FILE.read_text(encoding="utf-8") == render(), "run `python manage.py indicators_doc`"
    call_command("indicators_doc", "--check")


# --- the load ---------------------------------------------------------------------------------------------------


@pytest.fixture
def plans():
    plans_load()


def test_the_plans_load_with_the_comparators_and_attributes_of_their_texts(plans):
    studios = indicator("hlj-2022-2025", "master_studios")
    assert (studios.comparator, studios.attribute) == ("about", "")
    assert indicator("hlj-2022-2025", "high_skill_training_bases").comparator == Indicator.Comparator.ABOUT
    for plan in ["hlj-2022-2025", "jilin-2022-2025"]:  # their 专栏1 lists every main indicator as 预期性, ≥
        main = Indicator.objects.filter(plan__code=plan, definition__gt="")
        assert {(i.attribute, i.comparator) for i in main} == {("expected", "at_least")}, plan
    assert not Indicator.objects.filter(plan__code="hlj-2025-2027").exclude(attribute="").exists()  # says none
    # 职业技能实训基地 and 竞赛集训基地 are not in the directory: Jilin's 32 bases cannot be counted, only reported.
    bases = indicator("jilin-2022-2025", "training_bases")
    assert (bases.source, bases.definition) == (Indicator.Source.REPORTED, "")


def test_the_national_indicators_are_references_with_the_national_figure_as_their_target(plans):
    national = Indicator.objects.filter(plan__code="national-2021-2025")

    assert set(national.values_list("source", flat=True)) == {Indicator.Source.REFERENCE}
    figures = dict(Target.objects.filter(indicator__in=national, region=None).values_list("indicator__code", "value"))
    assert figures == {
        "subsidized_training": 75_000_000,
        "migrant_workers": 30_000_000,
        "new_certificates": 40_000_000,
        "high_skilled": 8_000_000,
        "public_training_bases": 200,
        "national_occupational_standards": 250,
    }


def test_the_indicators_and_deadline_the_first_reading_missed_are_loaded(plans):
    high = indicator("hlj-2025-2027", "high_skilled")
    assert (high.definition, high.parent.code) == ("high_skilled_training", "all_training")
    honours = {
        code: (i.source, i.unit, i.targets.get().value)
        for code in ["longjiang_craftsmen", "longjiang_technical_experts", "chief_technicians"]
        for i in [indicator("hlj-2025-2027", code)]
    }
    assert honours == {
        "longjiang_craftsmen": ("reported", "名", 20),
        "longjiang_technical_experts": ("reported", "名", 100),
        "chief_technicians": ("reported", "名", 50),
    }
    ratios = Indicator.objects.filter(plan__code="suihua-2020-2021", unit="%").order_by("sort_order")
    assert [(i.source, i.kind, i.comparator, i.targets.get(region=region("2312")).value) for i in ratios] == [
        ("reported", "stock", "at_least", 25),
        ("reported", "stock", "at_least", 30),
    ]
    # 各地各部门要在本方案印发之日（2019-11-18）起10个工作日内制定具体的推进方案.
    assert KeyTask.objects.get(plan__code="suihua-2019", number="14").deadline == date(2019, 12, 2)


def test_loading_again_brings_an_earlier_load_up_to_the_file_and_keeps_the_targets_set_since(plans):
    high = indicator("hlj-2025-2027", "high_skilled")
    Indicator.objects.filter(pk=high.pk).update(definition="high_skilled_certificates")
    Indicator.objects.filter(plan__code="national-2021-2025").update(source="computed")
    Indicator.objects.filter(code="master_studios").update(comparator="at_least")
    indicator("hlj-2025-2027", "chief_technicians").delete()
    KeyTask.objects.filter(plan__code="suihua-2019", number="14").update(deadline=None)
    Target.objects.filter(indicator=high, year=2026).update(value=71_000)  # corrected by the province

    assert plans_load() == 0

    assert indicator("hlj-2025-2027", "high_skilled").definition == "high_skilled_training"
    assert set(Indicator.objects.filter(plan__code="national-2021-2025").values_list("source", flat=True)) == {
        "reference"
    }
    assert indicator("hlj-2022-2025", "master_studios").comparator == "about"
    assert indicator("hlj-2025-2027", "chief_technicians").targets.get().value == 50
    assert KeyTask.objects.get(plan__code="suihua-2019", number="14").deadline == date(2019, 12, 2)
    assert Target.objects.get(indicator=high, year=2026).value == 71_000
    assert Plan.objects.count() == len(PLANS)


def test_a_reference_indicator_without_a_definition_takes_reported_values_one_with_one_does_not(plans, admin_user):
    standards = indicator("national-2021-2025", "national_occupational_standards")
    reported_value_set(
        actor=admin_user, indicator=standards, region=None, period=date(2025, 3, 1), value=120, evidence="人社部公告"
    )

    with pytest.raises(DomainError):
        reported_value_set(
            actor=admin_user,
            indicator=indicator("national-2021-2025", "subsidized_training"),
            region=None,
            period=date(2025, 3, 1),
            value=1,
            evidence="x",
        )


# --- the dashboard ----------------------------------------------------------------------------------------------


@pytest.fixture
def trained(plans):
    someone = person()
    ledger(someone, end=date(2024, 3, 20), count=3)
    ledger(someone, end=date(2024, 4, 20), county="231281", count=2)
    progress_recompute_all()


def test_a_reference_row_shows_the_provinces_contribution_and_share_of_the_national_figure_and_no_status(
    client, trained, province_user
):
    client.force_login(province_user)
    with clock(TODAY):
        page = client.get("/dashboard/23/?plan=national-2021-2025")
        data = client.get("/api/dashboard/?region=23&plan=national-2021-2025").json()

    html = page.content.decode()
    row = next(r for r in data["rows"] if r["code"] == "subsidized_training")
    assert (row["source"], row["done"], row["national"], row["target"]) == ("reference", 5, 75_000_000, None)
    assert row["national_share"] == round(5 / 75_000_000, 6)
    assert (row["share"], row["status"], row["forecast"]) == (None, "", None)
    assert 'data-testid="status-subsidized_training"' not in html
    assert 'data-testid="contribution-subsidized_training"' in html and "占全国目标" in html
    assert ">参考</span>" in html and "75000000" in html


def test_each_row_shows_its_comparator_attribute_and_source(client, trained, province_user):
    client.force_login(province_user)
    with clock(TODAY):
        html = client.get("/dashboard/23/?plan=hlj-2022-2025").content.decode()
        plan = Plan.objects.get(code="hlj-2022-2025")
        rows = dashboard(user=province_user, plan=plan, region=region("23"))["rows"]

    assert 'data-testid="comparator-master_studios">左右</span>' in html
    assert 'data-testid="comparator-subsidized_training">≥</span>' in html
    assert 'data-testid="attribute-subsidized_training">预期性</div>' in html
    assert 'data-testid="attribute-master_studios"' not in html  # the plan gives it none
    assert 'data-testid="source-subsidized_training">系统统计</span>' in html
    assert 'data-testid="source-master_studios">填报</span>' in html
    assert 'data-testid="status-subsidized_training"' in html
    assert {r["code"] for r in rows} >= {"subsidized_training", "master_studios"}


def test_a_reference_indicator_is_never_listed_as_at_risk(plans, admin_user):
    from indicators.selectors import indicators_at_risk

    with clock(TODAY):
        cells = indicators_at_risk(admin_user, limit=100)

    plans_listed = {c["plan"].code for c in cells}
    assert "hlj-2022-2025" in plans_listed  # nothing done halfway through its last year: at risk
    assert "national-2021-2025" not in plans_listed
