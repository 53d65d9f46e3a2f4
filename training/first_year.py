"""Seed 004 (绥化): a designated institution must run at least one class of 30 people in its first designated
year, or it loses its eligibility for subsidized training. The question needs the classes, so it is asked here,
above the institutions app (which keeps the designation): the bureau's work item lists the institutions whose
first year ended without such a class, with the evidence, and leads to the designation workflow's suspension
with the reason filled in. Three queries for any number of institutions."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from institutions.models import Institution, InstitutionStatus
from institutions.selectors import institution_list, one_year_before
from institutions.workflows import DESIGNATION

from .models import ClassStatus, TrainingClass

MIN_FIRST_YEAR_CLASS = 30  # people on the roster of one class
RAN = [ClassStatus.IN_TRAINING, ClassStatus.COMPLETED, ClassStatus.CLOSED]  # the class took place
SHOWN = 10  # classes named in the reason (the form takes 1,000 characters)
NOT_COUNTED = [ClassStatus.DRAFT, ClassStatus.REJECTED]  # never an opening: not shown as evidence either


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass
class FirstYear:
    """An institution's first designated year [since, until) and its classes that started in it."""

    institution: Institution
    since: date
    until: date  # exclusive
    classes: list[tuple[str, date, str, int]] = field(default_factory=list)  # name, start, status label, people

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.until.toordinal() - 1)

    @property
    def reason(self) -> str:
        """The suspension's reason, with the evidence."""
        shown = self.classes[:SHOWN]
        held = "、".join(_("%(n)s（%(d)s 开班，%(p)s 人）") % {"n": n, "d": d, "p": p} for n, d, _s, p in shown)
        if len(self.classes) > SHOWN:
            held += _("等 %(n)s 期") % {"n": len(self.classes)}
        return _(
            "认定首年（%(f)s 至 %(t)s）未开展一期 %(m)s 人以上的培训班，按规定取消其开展补贴性培训资格。"
            "首年开班情况：%(c)s。"
        ) % {"f": self.since, "t": self.last_day, "m": MIN_FIRST_YEAR_CLASS, "c": held or _("未开班")}

    @property
    def suspend_url(self) -> str:
        """The institution's page with the designation workflow's suspension chosen and its reason filled in."""
        query = urlencode({"to_status": DESIGNATION["suspend"].target, "reason": self.reason})
        return reverse("institutions:detail", args=[self.institution.pk]) + f"?{query}#transition"


def _candidates(user: User, today: date) -> QuerySet[Institution]:
    """Designated institutions in the user's scope whose first designated year has ended."""
    designated = institution_list(user=user, filters={"status": InstitutionStatus.DESIGNATED}, today=today)
    return designated.filter(designated_since__lte=one_year_before(today))


def _met(designations: dict[int, date]) -> set[int]:
    """Of these institutions (pk → designated since), those that ran a class of 30 people in their first year."""
    if not designations:
        return set()
    windows = {pk: (since, one_year_after(since)) for pk, since in designations.items()}
    rows = (
        TrainingClass.objects.filter(
            institution_id__in=list(windows),
            status__in=RAN,
            start_date__gte=min(w[0] for w in windows.values()),
            start_date__lt=max(w[1] for w in windows.values()),
        )
        .annotate(people=Count("enrollments"))
        .filter(people__gte=MIN_FIRST_YEAR_CLASS)
        .values_list("institution_id", "start_date")
    )
    return {pk for pk, start in rows if windows[pk][0] <= start < windows[pk][1]}


def first_year_shortfalls(*, user: User, today: date | None = None) -> QuerySet[Institution]:
    """The work item: institutions whose first designated year ended without a class of 30 people."""
    today = today or clock.today()
    candidates = dict(_candidates(user, today).values_list("pk", "designated_since"))
    met = _met(candidates)
    missing = [pk for pk in candidates if pk not in met]
    return (
        Institution.objects.filter(pk__in=missing).select_related("county").order_by("designated_since", "name", "pk")
    )


def first_year_evidence(institutions) -> list[FirstYear]:
    """Each institution's first year with the classes that started in it (one query for all)."""
    years = {i.pk: FirstYear(i, i.designated_since, one_year_after(i.designated_since)) for i in institutions}
    if not years:
        return []
    rows = (
        TrainingClass.objects.filter(
            institution_id__in=list(years),
            start_date__gte=min(y.since for y in years.values()),
            start_date__lt=max(y.until for y in years.values()),
        )
        .exclude(status__in=NOT_COUNTED)
        .annotate(people=Count("enrollments"))
        .order_by("start_date", "pk")
        .values_list("institution_id", "name", "start_date", "status", "people")
    )
    for pk, name, start, status, people in rows:
        year = years[pk]
        if year.since <= start < year.until:
            year.classes.append((name, start, str(ClassStatus(status).label), people))
    return list(years.values())
