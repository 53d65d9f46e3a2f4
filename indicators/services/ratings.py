"""Institution performance and rating (seed 000 §26: the directories are adjusted by quality and integrity).

For each institution and year, from its classes that ended that year:
    pass rate        = passed / enrolled
    certificate rate = enrollments with a certificate / passed
    employment rate  = employed within 6 months / enrolled — no follow-up of employment is recorded in this
                       system yet, so it is left out and its weight moves to the pass rate
and the integrity signals: spot-check visits finding issues or fake training, phone follow-ups where the
person denied attending, objections upheld during public notice.

    score = 100 × (0.6 × pass rate + 0.4 × certificate rate)
            − 5 per spot check with issues − 30 per spot check finding fake training
            − 10 per denial on a phone follow-up − 10 per objection upheld          (floor 0)
    grade = A (≥ 85), B (≥ 70), C (≥ 55), D (below 55, or any fake training) — D flags the designation for review.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q

from institutions.services.institutions import institution_set_rating
from subsidies.models import FollowUpOutcome, Objection, PhoneFollowUp, SpotCheckVisit
from training.models import ClassStatus, Enrollment, EnrollmentResult

from ..models import InstitutionRating

GRADES = [(Decimal(85), "A"), (Decimal(70), "B"), (Decimal(55), "C")]


def grade_for(score: Decimal, fake: int) -> str:
    if fake:
        return "D"
    return next((grade for floor, grade in GRADES if score >= floor), "D")


def score_for(m: dict) -> Decimal:
    base = 100 * (Decimal("0.6") * Decimal(str(m["pass_rate"])) + Decimal("0.4") * Decimal(str(m["certificate_rate"])))
    penalty = 5 * m["spot_issues"] + 30 * m["spot_fake"] + 10 * m["follow_up_denials"] + 10 * m["objections_upheld"]
    return max(Decimal(0), base - penalty).quantize(Decimal("0.1"))


def _metrics(year: int) -> dict[int, dict]:
    """Every input per institution, one grouped query each."""
    metrics = defaultdict(
        lambda: {
            "enrolled": 0,
            "passed": 0,
            "certified": 0,
            "spot_issues": 0,
            "spot_fake": 0,
            "follow_up_denials": 0,
            "objections_upheld": 0,
        }
    )
    rows = (
        Enrollment.objects.filter(
            training_class__status__in=[ClassStatus.COMPLETED, ClassStatus.CLOSED], training_class__end_date__year=year
        )
        .values("training_class__institution_id")
        .annotate(
            enrolled=Count("id"),
            passed=Count("id", filter=Q(result=EnrollmentResult.PASSED)),
            certified=Count("id", filter=Q(certificate__isnull=False)),
        )
    )
    for r in rows:
        metrics[r["training_class__institution_id"]].update(
            enrolled=r["enrolled"], passed=r["passed"], certified=r["certified"]
        )
    visits = (
        SpotCheckVisit.objects.filter(spot_check__drawn_at__year=year)
        .values("training_class__institution_id")
        .annotate(
            issues=Count("id", filter=Q(result=SpotCheckVisit.Result.ISSUES)),
            fake=Count("id", filter=Q(result=SpotCheckVisit.Result.FAKE)),
        )
    )
    for r in visits:
        metrics[r["training_class__institution_id"]].update(spot_issues=r["issues"], spot_fake=r["fake"])
    denials = (
        PhoneFollowUp.objects.filter(outcome=FollowUpOutcome.DENIES, claim__training_class__end_date__year=year)
        .values("claim__institution_id")
        .annotate(n=Count("id"))
    )
    for r in denials:
        metrics[r["claim__institution_id"]]["follow_up_denials"] = r["n"]
    upheld = (
        Objection.objects.filter(status=Objection.Status.UPHELD, notice__claim__training_class__end_date__year=year)
        .values("notice__claim__institution_id")
        .annotate(n=Count("id"))
    )
    for r in upheld:
        metrics[r["notice__claim__institution_id"]]["objections_upheld"] = r["n"]
    for m in metrics.values():
        m["pass_rate"] = round(m["passed"] / m["enrolled"], 4) if m["enrolled"] else 0.0
        m["certificate_rate"] = round(m["certified"] / m["passed"], 4) if m["passed"] else 0.0
        m["employment_rate"] = None  # not recorded yet; see the module docstring
    return metrics


@transaction.atomic
def ratings_compute(*, year: int) -> int:
    """Nightly: rate every institution with activity in `year` and publish its latest grade."""
    rated = 0
    for institution_id, m in _metrics(year).items():
        if not m["enrolled"] and not (m["spot_fake"] or m["spot_issues"]):
            continue
        score = score_for(m)
        grade = grade_for(score, m["spot_fake"])
        InstitutionRating.objects.update_or_create(
            institution_id=institution_id, year=year, defaults={"metrics": m, "score": score, "grade": grade}
        )
        institution_set_rating(institution_id=institution_id, year=year, grade=grade)
        rated += 1
    return rated
