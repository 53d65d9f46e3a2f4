"""The class itself: designated institution, listed program, approval before the start, hours."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Severity
from .base import Hit, rule


@rule(
    code="INSTITUTION_NOT_DESIGNATED",
    label=_("机构非定点"),
    severity=Severity.BLOCKING,
    version=1,
    message="培训期间机构不是定点（已认定）状态",
)
def institution_designated(ctx):
    if not ctx.institution_designated:
        yield Hit(None, {"start": str(ctx.start), "end": str(ctx.end)})


@rule(
    code="PROGRAM_NOT_LISTED",
    label=_("项目不在目录内"),
    severity=Severity.BLOCKING,
    version=1,
    message="培训期间项目不在补贴性培训项目目录内",
)
def program_listed(ctx):
    if not ctx.program_listed:
        yield Hit(None, {"start": str(ctx.start), "end": str(ctx.end)})


@rule(
    code="NOT_APPROVED_BEFORE_START",
    label=_("开班前未审批"),
    severity=Severity.BLOCKING,
    version=1,
    message="开班前未经审批",
)
def approved_before_start(ctx):
    """The latest approval (a change request clears it) on a day before the start, in local time."""
    approved = ctx.approved_at
    if not (approved and timezone.localtime(approved).date() < ctx.start):
        yield Hit(None, {"start": str(ctx.start)})


@rule(
    code="HOURS_BELOW_STANDARD",
    label=_("课时少于标准"),
    severity=Severity.BLOCKING,
    version=1,
    message="课程表课时少于项目标准课时",
)
def scheduled_hours(ctx):
    if ctx.scheduled_hours < ctx.standard_hours:
        yield Hit(None, {"scheduled": ctx.scheduled_hours, "standard": ctx.standard_hours})
