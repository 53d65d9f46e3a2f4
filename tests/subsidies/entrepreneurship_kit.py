"""创业培训 test helpers: a world whose program is one entrepreneurship stage, a class of it played through the
services, and a stage's row in a person's ledger."""

from catalog.models import EntrepreneurshipStage
from subsidies.models import SubsidyStandard
from trainees.models import TrainingRecord

from ..trainees.factories import add_record
from .factories import World, completed_class, make_standard_row, training_type


def stage(code: str = "syb") -> EntrepreneurshipStage:
    return EntrepreneurshipStage.objects.get(code=code)


def entrepreneurship_world(code: str = "syb", **kw) -> World:
    return World.make(
        occupation=None,
        skill_level=None,
        entrepreneurship_stage=stage(code),
        training_type=training_type("entrepreneurship"),
        **kw,
    )


def entrepreneurship_class(code: str = "syb", world: World | None = None, **kw):
    """A completed class of one stage, under a province standard for 创业培训 of any level (800 yuan; written
    with the ORM: standard_create cannot take an any-level standard on PostgreSQL, see factories_standards)."""
    if not SubsidyStandard.objects.filter(training_type=training_type("entrepreneurship")).exists():
        make_standard_row("23", amount=800, training_type=training_type("entrepreneurship"))
    kw.setdefault("name", "2025年第1期SYB创业培训班")
    return completed_class(world or entrepreneurship_world(code), standard=None, **kw)


def stage_record(trainee, code: str, ref: str, **kw) -> TrainingRecord:
    """A subsidized stage in the person's ledger."""
    return add_record(
        trainee,
        ref=ref,
        occupation=None,
        skill_level=None,
        entrepreneurship_stage=stage(code),
        training_type=training_type("entrepreneurship"),
        **kw,
    )
