"""Who may be subsidized at all."""

from django.utils.translation import gettext_lazy as _

from training.models import EnrollmentResult

from ..models import Severity
from .base import Hit, rule
from .facts import age_on

MIN_AGE = 16


@rule(code="AGE_UNDER_16", label=_("未满16周岁"), severity=Severity.BLOCKING, version=1, message="开班时未满 16 周岁")
def age_at_start(ctx):
    for line in ctx.lines:
        age = age_on(line.birth_date, ctx.start)
        if age < MIN_AGE:
            # The age, not the birth date: inputs are kept beside the masked line (core.masking).
            yield Hit(line.line_id, {"class_start": str(ctx.start), "age": age})


@rule(
    code="DRAWS_PENSION",
    label=_("领取养老金"),
    severity=Severity.BLOCKING,
    version=1,
    message="按月领取基本养老金的人员不属于补贴对象",
)
def draws_pension(ctx):
    for line in ctx.lines:
        if line.draws_pension:
            yield Hit(line.line_id, {"draws_pension": True})


@rule(
    code="CATEGORY_NOT_ELIGIBLE",
    label=_("人员类别不符"),
    severity=Severity.BLOCKING,
    version=1,
    message="人员类别不属于该培训类型的补贴对象",
)
def category_eligible(ctx):
    if not ctx.eligible_categories:
        return
    for line in ctx.lines:
        if not line.groups & ctx.eligible_categories:  # eligible through any of the person's groups
            yield Hit(line.line_id, {"category": line.category_id, "eligible": sorted(ctx.eligible_categories)})


@rule(
    code="NOT_PASSED",
    label=_("考核未合格"),
    severity=Severity.BLOCKING,
    version=1,
    message="考核不合格或未考核，只补贴合格人员",
)
def passed_only(ctx):
    for line in ctx.lines:
        if line.result != EnrollmentResult.PASSED:
            yield Hit(line.line_id, {"result": line.result})
