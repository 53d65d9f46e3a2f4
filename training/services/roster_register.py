"""The roster rows against what the system already knows, in a fixed number of queries: names and pensions in
the register, classes of this system that overlap in time (errors), and the soft warnings of the subsidy
history, the entrepreneurship stage and the migrated archive."""

from django.utils.translation import gettext as _

from trainees.crypto import blind_index
from trainees.models import Trainee
from trainees.selectors import archived_trainings_between, subsidized_for_stage, subsidy_history

from ..models import ClassSession, ClassStatus, Enrollment, TrainingClass

YEARLY_LIMIT = 3
ACTIVE = [ClassStatus.SUBMITTED, ClassStatus.RETURNED, ClassStatus.APPROVED, ClassStatus.IN_TRAINING]


def _overlaps(a: ClassSession, b: ClassSession) -> bool:
    return a.date == b.date and a.start_time < b.end_time and b.start_time < a.end_time


def check_against_register(training_class: TrainingClass, check) -> None:
    """Names against the register, overlapping classes, and the soft warnings, into `check` (roster.RosterCheck):
    a fixed number of queries."""
    by_index = {blind_index(r.number.value): r for r in check.rows}
    people = {
        t.id_index: t
        for t in Trainee.objects.filter(id_index__in=list(by_index)).only("id", "id_index", "name", "draws_pension")
    }
    for index, trainee in people.items():
        row = by_index[index]
        if trainee.name != row.name:
            check.error(row.row, "姓名", _("姓名与该身份证号已登记的姓名不一致。"))
        if trainee.draws_pension:
            check.error(row.row, "身份证号码", _("该人员按月领取基本养老金，不属于补贴对象。"))
    ids = {t.pk: t.id_index for t in people.values()}
    if not ids:
        return
    _check_overlaps(training_class, check, ids, by_index)
    _soft_warnings(training_class, check, ids, by_index)


def _check_overlaps(training_class, check, ids, by_index) -> None:
    own = list(training_class.sessions.all())
    others = (
        Enrollment.objects.filter(trainee_id__in=list(ids), training_class__status__in=ACTIVE)
        .exclude(training_class=training_class)
        .filter(
            training_class__start_date__lte=training_class.end_date,
            training_class__end_date__gte=training_class.start_date,
        )
        .values_list("trainee_id", "training_class_id", "training_class__name")
    )
    by_class: dict[int, list] = {}
    for trainee_id, class_id, class_name in others:
        by_class.setdefault(class_id, []).append((trainee_id, class_name))
    sessions: dict[int, list[ClassSession]] = {}
    for s in ClassSession.objects.filter(training_class_id__in=list(by_class)):
        sessions.setdefault(s.training_class_id, []).append(s)
    for class_id, members in by_class.items():
        if any(_overlaps(a, b) for a in own for b in sessions.get(class_id, [])) or not own:
            for trainee_id, class_name in members:
                row = by_index[ids[trainee_id]]
                check.error(row.row, "身份证号码", _("已在“%(c)s”的花名册中，培训时间与本班重叠。") % {"c": class_name})


def _soft_warnings(training_class, check, ids, by_index) -> None:
    per_year, pairs = subsidy_history(trainee_ids=list(ids), year=training_class.start_date.year)
    program = training_class.program
    rank = program.skill_level.rank if program.skill_level_id else None  # None: 创业培训, no occupation or level
    for trainee_id, index in ids.items():
        row = by_index[index]
        if per_year.get(trainee_id, 0) >= YEARLY_LIMIT:
            check.warnings.append(
                {
                    "row": row.row,
                    "message": _("该学员 %(y)s 年已享受补贴性培训 %(n)s 次。")
                    % {"y": training_class.start_date.year, "n": per_year[trainee_id]},
                }
            )
        if rank is not None and any(occ == program.occupation_id and r >= rank for occ, r in pairs.get(trainee_id, [])):
            check.warnings.append({"row": row.row, "message": _("该学员已享受过本职业同等级或更高等级的培训补贴。")})
    if program.entrepreneurship_stage_id:  # 创业培训: each stage is subsidized once (DUPLICATE_ENTREPRENEURSHIP_STAGE)
        for trainee_id in subsidized_for_stage(trainee_ids=list(ids), stage_id=program.entrepreneurship_stage_id):
            message = _("该学员已享受过本阶段的创业培训补贴。")
            check.warnings.append({"row": by_index[ids[trainee_id]].row, "message": message})
    # Migrated history has dates only: a warning here; the claim's TIME_OVERLAP rule blocks on the session days.
    archived = archived_trainings_between(
        trainee_ids=list(ids), start=training_class.start_date, end=training_class.end_date
    )
    for trainee_id, trainings in archived.items():
        for first, last, where in trainings:
            message = _("档案中有 %(f)s 至 %(t)s 的培训记录%(i)s，与本班培训日期重叠。")
            where = f"（{where}）" if where else ""
            check.warnings.append(
                {"row": by_index[ids[trainee_id]].row, "message": message % {"f": first, "t": last, "i": where}}
            )
