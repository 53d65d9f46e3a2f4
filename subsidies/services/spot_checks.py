"""双随机、一公开: random classes, random inspectors, from a published seed anyone can replay."""

import random

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from catalog.models import Region
from core import clock
from core.errors import DomainError
from core.policy import require
from training.models import ClassStatus, TrainingClass

from ..models import Inspector, SpotCheck, SpotCheckVisit


def draw(
    *,
    seed: str,
    classes: list[TrainingClass],
    inspectors: list[Inspector],
    sample_size: int,
    last_inspector: dict[int, int],
) -> list[tuple[TrainingClass, Inspector]]:
    """Pure and reproducible: the same seed, classes and inspectors (both taken in id order) give the same
    pairs. An inspector from the class's own institution, or who inspected it last time, is never chosen."""
    rng = random.Random(seed)  # noqa: S311 - the published seed must replay the draw
    classes = sorted(classes, key=lambda c: c.pk)
    chosen = rng.sample(classes, min(sample_size, len(classes)))
    pairs = []
    for training_class in chosen:
        pool = [
            i
            for i in sorted(inspectors, key=lambda i: i.pk)
            if i.institution_id != training_class.institution_id
            and last_inspector.get(training_class.institution_id) != i.pk
        ]
        if pool:
            pairs.append((training_class, rng.choice(pool)))
    return pairs


@transaction.atomic
def spot_check_draw(*, actor: User, region: Region, sample_size: int, seed: str = "") -> SpotCheck:
    require(actor, "spot_check.draw", region, _("只能在本级区划抽查。"))
    if sample_size <= 0:
        raise DomainError(_("抽取数量应大于 0。"), field="sample_size")
    seed = seed.strip() or clock.now().strftime("%Y%m%d%H%M%S") + f"-{region.code}"
    classes = list(TrainingClass.objects.filter(status=ClassStatus.IN_TRAINING, county__code__startswith=region.code))
    inspectors = list(Inspector.objects.filter(region=region, is_active=True))
    if not classes:
        raise DomainError(_("辖区内当前没有在培的培训班。"))
    if not inspectors:
        raise DomainError(_("请先建立检查人员库。"))
    last = dict(
        SpotCheckVisit.objects.filter(training_class__institution__in={c.institution_id for c in classes})
        .order_by("spot_check__drawn_at")
        .values_list("training_class__institution_id", "inspector_id")
    )
    check = SpotCheck.objects.create(region=region, seed=seed, sample_size=sample_size, drawn_by=actor)
    pairs = draw(seed=seed, classes=classes, inspectors=inspectors, sample_size=sample_size, last_inspector=last)
    SpotCheckVisit.objects.bulk_create(
        [SpotCheckVisit(spot_check=check, training_class=c, inspector=i) for c, i in pairs]
    )
    audit_log(
        actor=actor,
        action="spot_check.drawn",
        target=check,
        region=region,
        details={"seed": seed, "visits": len(pairs)},
    )
    return check


@transaction.atomic
def visit_record(*, actor: User, visit: SpotCheckVisit, result: str, notes: str, visited_on) -> SpotCheckVisit:
    region = visit.spot_check.region
    require(actor, "spot_check.record_visit", visit, _("只能登记本辖区培训班的检查结果。"))
    if result not in SpotCheckVisit.Result.values or result == SpotCheckVisit.Result.PENDING:
        raise DomainError(_("请选择检查结果。"), field="result")
    visit.result, visit.notes, visit.visited_on = result, notes.strip(), visited_on
    visit.save()
    audit_log(
        actor=actor,
        action="spot_check.visited",
        target=visit.spot_check,
        region=region,
        details={"class": visit.training_class_id, "result": result},
    )
    return visit
