"""Plans of the seeds, a year of synthetic subsidized training in 绥化's counties (so every chart has data),
and the roll-up computed from it."""

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from catalog.models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from trainees.models import RecordSource, SubsidyKind, TrainingRecord
from trainees.services.records import training_records_append_bulk

from .models import Plan
from .services.plans import plans_load
from .services.ratings import ratings_compute
from .services.rollups import progress_recompute_all


def _year_of_activity():
    """About 2,500 approved subsidy lines over the last twelve months, spread over 绥化's counties and the city's
    own level (市本级: its 市直 institutions' trainings, placed at the city itself)."""
    if TrainingRecord.objects.filter(source_ref__startswith="demo-year-").exists():
        return
    rng = Random(2312)  # noqa: S311 - reproducible demo data
    claimed = TrainingRecord.objects.filter(source="claim").values("trainee_id")
    people = list(
        TrainingRecord.objects.filter(county__code__startswith="2312")
        .exclude(trainee_id__in=claimed)
        .order_by()
        .values_list("trainee_id", flat=True)
        .distinct()[:2500]
    )
    counties = list(Region.objects.filter(code__startswith="2312", level__in=["county", "city"]))
    occupations = list(
        Occupation.objects.filter(
            code__in=["4-10-01-05", "4-03-02-01", "6-31-01-03", "4-10-01-06", "5-05-01-01", "4-01-02-02"]
        )
    )
    levels = list(SkillLevel.objects.filter(code__in=["level5", "level4", "level3"]))
    types = list(TrainingType.objects.filter(code__in=["employment_skills", "skill_upgrade"]))
    categories = list(
        TraineeCategory.objects.filter(
            code__in=["migrant_worker", "registered_unemployed", "poverty_alleviated", "enterprise_worker"]
        )
    )
    today = clock.today()
    for n, trainee_id in enumerate(people):
        end = today - timedelta(days=rng.randrange(15, 360))  # approved ten days later: at least 5 days ago
        with clock.replaying(end + timedelta(days=10)):  # approved ten days after the class ended
            training_records_append_bulk(
                records=[
                    {
                        "trainee_id": trainee_id,
                        "amount": Decimal(1000),
                        "source_ref": f"demo-year-{n}",
                        "category_id": rng.choice(categories).pk,
                    }
                ],
                occupation=rng.choice(occupations),
                skill_level=rng.choice(levels),
                training_type=rng.choice(types),
                start_date=end - timedelta(days=20),
                end_date=end,
                county=rng.choice(counties),
                subsidy_kind=SubsidyKind.TRAINING,
                source=RecordSource.HISTORY,  # counted at the end of the class, in every training indicator
            )


def _city_own_2019():
    """The Suihua 2019 plan's 市本级 (1,254 of 8,000): 80 trainings of 2019 placed at 绥化市 itself, migrated
    history of its 市直 institutions, so the 2019 dashboard's 市本级 row has progress like its counties'."""
    if TrainingRecord.objects.filter(source_ref__startswith="demo-city-2019-").exists():
        return
    rng = Random(231200)  # noqa: S311 - reproducible demo data
    city = Region.objects.get(code="2312")
    people = list(TrainingRecord.objects.order_by().values_list("trainee_id", flat=True).distinct()[:80])
    occupation = Occupation.objects.get(code="6-31-01-03")
    for n, trainee_id in enumerate(people):
        end = date(2019, 3, 1) + timedelta(days=rng.randrange(0, 280))
        with clock.replaying(end + timedelta(days=10)):
            training_records_append_bulk(
                records=[{"trainee_id": trainee_id, "amount": Decimal(1800), "source_ref": f"demo-city-2019-{n}"}],
                occupation=occupation,
                skill_level=SkillLevel.objects.get(code="level4"),
                training_type=TrainingType.objects.get(code="skill_upgrade"),
                start_date=end - timedelta(days=30),
                end_date=end,
                county=city,
                subsidy_kind=SubsidyKind.TRAINING,
                source=RecordSource.HISTORY,
            )


def seed(stdout):
    loaded = plans_load()
    _year_of_activity()
    _city_own_2019()
    cells = progress_recompute_all()
    ratings_compute(year=clock.today().year)
    stdout.write(f"demo indicators: {loaded} plans loaded ({Plan.objects.count()} in all), {cells} progress cells")
