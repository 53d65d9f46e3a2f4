"""Scoped reads of claims, notices, payments, spot checks and follow-ups. Every list filters through the data
scope; the public reads return what the public notice and 一公开 publish, nothing more."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import data_scope_q, region_scope_q
from core import clock
from core.masking import mask_id_number
from core.policy import can
from training.models import ClassMaterial, TrainingClass
from training.selectors import class_list

from .models import (
    ClaimKind,
    ClaimLine,
    Finding,
    Inspector,
    LineStatus,
    MaterialKind,
    Objection,
    Payment,
    PaymentKind,
    PhoneFollowUp,
    PublicNotice,
    Severity,
    SpotCheck,
    SpotCheckVisit,
    SubsidyClaim,
    SubsidyStandard,
)
from .rules import rule_label
from .rules.context import attended_hours
from .services.claims import CLAIMABLE_CLASS
from .services.payments import ADVANCE_CLASS_STATUSES
from .services.review import amount_breakdown
from .services.standards import region_chain
from .workflows import AWAITING_BUREAU, CLAIM, PAYABLE_OR_PAID

RECENT_NOTICE_DAYS = 30  # how long an ended notice stays on the public list
PERSONAL = ("trainee__id_number", "trainee__phone", "trainee__bank_account")


# --- claims ---------------------------------------------------------------------------------------------


def claim_list(*, user: User, filters: dict | None = None) -> QuerySet[SubsidyClaim]:
    """Institution users: their own claims. Bureau users: their regions, drafts excluded. Finance: approved
    and settled claims in its regions."""
    filters = filters or {}
    qs = SubsidyClaim.objects.filter(data_scope_q(user, region_field="county", institution_field="institution"))
    if not can(user, "claim.view_before_approval"):
        qs = qs.filter(status__in=PAYABLE_OR_PAID)
    elif not can(user, "claim.view_drafts"):
        qs = qs.exclude(status__in=CLAIM.sources("submit"))  # a draft is the institution's own business
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("region"):
        qs = qs.filter(county__code__startswith=filters["region"].code)
    return (
        qs.select_related(
            "institution",
            "county",
            "training_class__program__occupation",
            "training_class__program__skill_level",
            "training_class__program__entrepreneurship_stage",
        )
        .annotate(line_count=Count("lines", distinct=True))
        .order_by("-created_at", "-id")
    )


def review_queue(*, user: User) -> QuerySet[SubsidyClaim]:
    """Claims waiting for the bureau: being verified, verified or under review; oldest submission first."""
    return claim_list(user=user).filter(status__in=AWAITING_BUREAU).order_by("submitted_at", "id")


def claim_lines(claim: SubsidyClaim) -> QuerySet[ClaimLine]:
    """The lines with masked people and their findings (personal columns never loaded), flagged for the
    review controls: a blocking finding (no approve button), an open warning (approving needs a reason)."""
    findings = Finding.objects.filter(line=OuterRef("pk"))
    return (
        claim.lines.select_related("trainee", "enrollment")
        .defer(*PERSONAL)
        .annotate(
            has_blocking=Exists(findings.filter(severity=Severity.BLOCKING)),
            has_open_warning=Exists(findings.filter(severity=Severity.WARNING, accepted_reason="")),
        )
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("severity", "rule_code")))
        .order_by("id")
    )


def claim_findings(claim: SubsidyClaim) -> QuerySet[Finding]:
    """Findings about the whole claim (not about one person)."""
    return claim.findings.filter(line__isnull=True).select_related("accepted_by").order_by("severity", "rule_code")


LINE_FLAGS = {  # the lines table's filter by finding (forms_review.LineFilterForm)
    "clean": ~Q(has_finding=True),
    "warning": Q(has_warning=True, has_blocking=False),
    "blocking": Q(has_blocking=True),
}


def claim_review_queryset(claim: SubsidyClaim, filters: dict | None = None) -> QuerySet[ClaimLine]:
    """claim_lines filtered by finding: `flag` (LINE_FLAGS) and `rule` (a rule code)."""
    filters, findings = filters or {}, Finding.objects.filter(line=OuterRef("pk"))
    qs = claim_lines(claim).annotate(
        has_finding=Exists(findings), has_warning=Exists(findings.filter(severity=Severity.WARNING))
    )
    if filters.get("flag"):
        qs = qs.filter(LINE_FLAGS[filters["flag"]])
    if filters.get("rule"):
        qs = qs.filter(Exists(findings.filter(rule_code=filters["rule"])))
    return qs


def next_pending_line(claim: SubsidyClaim, filters: dict | None = None, after: int = 0) -> ClaimLine | None:
    """The pending line after `after` among those the filter shows, else the first pending one: focus goes
    there after a decision."""
    pending = claim_review_queryset(claim, filters).filter(status=LineStatus.PENDING)
    return pending.filter(pk__gt=after).first() or pending.first()


def claim_review_lines(claim: SubsidyClaim, filters: dict | None = None) -> list[ClaimLine]:
    """The review table: each line with its findings labelled (`finding.label`), its flag and how its amount
    was computed (`line.breakdown`: the amount_breakdown its amount was built from, with today's attendance;
    `line.amount_differs` if that gives another amount now)."""
    lines = list(claim_review_queryset(claim, filters))
    by_day = attended_hours(claim).by_day if claim.standard_id and lines else {}
    hours = claim.training_class.program.standard_hours
    for line in lines:
        line.flag = "blocking" if line.has_blocking else ("warning" if line.has_warning else "clean")
        labelled(line.findings.all())  # the prefetched findings themselves
        line.breakdown = claim.standard_id and amount_breakdown(
            claim.standard, standard_hours=hours, hours_by_day=by_day.get(line.enrollment_id, {})
        )
        line.amount_differs = bool(line.breakdown) and line.breakdown.amount != line.amount
    return lines


def labelled(findings) -> list[Finding]:
    """Findings with their rule's Chinese label (`finding.label`); the code stays for the tooltip."""
    findings = list(findings)
    for f in findings:
        f.label = rule_label(f.rule_code)
    return findings


def claim_line_flag_counts(claim: SubsidyClaim) -> dict:
    """How many lines each finding filter shows (the filter's option labels)."""
    counts = {k: Count("id", filter=q) for k, q in LINE_FLAGS.items()}
    return claim_review_queryset(claim).aggregate(all=Count("id"), **counts)


def claim_totals(claim: SubsidyClaim) -> dict:
    """Head count and amount by line status, and the number of lines with a blocking or open warning finding."""
    rows = claim.lines.values("status").annotate(n=Count("id"), amount=Sum("amount"))
    totals = {s: {"n": 0, "amount": Decimal(0)} for s in LineStatus.values}
    for row in rows:
        totals[row["status"]] = {"n": row["n"], "amount": row["amount"] or Decimal(0)}
    totals["blocked"] = claim.lines.filter(findings__severity=Severity.BLOCKING).distinct().count()
    return totals


def claim_objections(claim: SubsidyClaim) -> QuerySet[Objection]:
    """Objections to the claim's notice; the contact phone is deferred and never shown."""
    return (
        Objection.objects.filter(notice__claim=claim)
        .select_related("notice__claim__county", "line__trainee", "resolved_by")
        .defer("contact_phone", *(f"line__{f}" for f in PERSONAL))
        .order_by("-created_at")
    )


def class_payments(training_class) -> QuerySet[Payment]:
    """The advance and settlements of one class (already fetched through a scoped selector)."""
    return Payment.objects.filter(training_class=training_class).select_related("claim", "recorded_by")


def claim_materials_checklist(claim: SubsidyClaim) -> list[dict]:
    """One row per required material: what was uploaded to the claim, the class's own files of the same kind,
    and for data kept in the system (roster, timetable, attendance) how much of it there is."""
    uploaded: dict[str, list] = {}
    for m in claim.materials.all():
        uploaded.setdefault(m.kind, []).append(m)
    class_files: dict[str, list] = {}
    for m in ClassMaterial.objects.filter(training_class_id=claim.training_class_id):
        class_files.setdefault(m.kind, []).append(m)
    tc = claim.training_class
    in_system = {
        MaterialKind.ROSTER: tc.enrollments.count(),
        MaterialKind.TIMETABLE: tc.sessions.count(),
        MaterialKind.ATTENDANCE: tc.enrollments.filter(attendances__isnull=False).distinct().count(),
    }
    in_system_notes = {
        MaterialKind.ROSTER: _("系统内花名册 %(n)s 人"),
        MaterialKind.TIMETABLE: _("系统内课程表 %(n)s 节"),
        MaterialKind.ATTENDANCE: _("系统内有考勤记录 %(n)s 人"),
    }
    rows = []
    for kind, label in MaterialKind.choices:
        rows.append(
            {
                "kind": kind,
                "label": label,
                "uploaded": uploaded.get(kind, []),
                "class_files": class_files.get(kind, []),
                "in_system": in_system.get(kind),
                "in_system_note": in_system_notes[kind] % {"n": in_system[kind]} if kind in in_system else "",
            }
        )
    return rows


def claimable_classes(*, user: User) -> QuerySet[TrainingClass]:
    """The institution's completed or closed classes that still lack a claim of at least one kind."""
    if not can(user, "claim.create") or user.institution_id is None:
        return TrainingClass.objects.none()
    kinds = len(ClaimKind.values)
    return (
        TrainingClass.objects.filter(institution_id=user.institution_id, status__in=CLAIMABLE_CLASS)
        .annotate(claim_count=Count("claims", distinct=True))
        .filter(claim_count__lt=kinds)
        .select_related("program__occupation", "program__skill_level")
        .order_by("-end_date", "-id")
    )


def classes_without_training_claim(*, user: User) -> QuerySet[TrainingClass]:
    """Claimable classes that have no training-subsidy claim yet (the one-click "申请补贴" buttons)."""
    return claimable_classes(user=user).exclude(
        Exists(SubsidyClaim.objects.filter(training_class=OuterRef("pk"), kind=ClaimKind.TRAINING))
    )


def follow_up_list(claim: SubsidyClaim) -> QuerySet[PhoneFollowUp]:
    return (
        claim.follow_ups.select_related("line__trainee", "caller")
        .defer("line__trainee__id_number", "line__trainee__phone", "line__trainee__bank_account")
        .order_by("id")
    )


# --- payments -------------------------------------------------------------------------------------------


def payable_claims(*, user: User) -> QuerySet[SubsidyClaim]:
    """Approved claims without a settlement yet."""
    settled = Payment.objects.filter(claim=OuterRef("pk"), kind=PaymentKind.SETTLEMENT)
    return (
        claim_list(user=user)
        .filter(status__in=CLAIM.sources("settle"))
        .exclude(Exists(settled))
        .order_by("created_at", "id")
    )


def payable_classes(*, user: User) -> QuerySet[TrainingClass]:
    """Approved (or running, or completed) classes without an advance yet."""
    advanced = Payment.objects.filter(training_class=OuterRef("pk"), kind=PaymentKind.ADVANCE)
    return (
        class_list(user=user)
        .filter(status__in=ADVANCE_CLASS_STATUSES)
        .exclude(Exists(advanced))
        .order_by("start_date", "id")
    )


def payable(*, user: User) -> dict:
    if not can(user, "payment.record"):
        return {"claims": SubsidyClaim.objects.none(), "classes": TrainingClass.objects.none()}
    return {"claims": payable_claims(user=user), "classes": payable_classes(user=user)}


def advance_class(*, user: User) -> QuerySet[TrainingClass]:
    """Classes on which finance may record an advance (scoped; the service decides the rest)."""
    return class_list(user=user).filter(status__in=ADVANCE_CLASS_STATUSES)


def payment_list(*, user: User) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(region_scope_q(user, "training_class__county"))
        .select_related("training_class__institution", "claim", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


def advanced_total(training_class) -> Decimal:
    return Payment.objects.filter(training_class=training_class, kind=PaymentKind.ADVANCE).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)


# --- public notice --------------------------------------------------------------------------------------


def published_notices() -> QuerySet[PublicNotice]:
    """Public, for good: every notice ever published stays viewable and verifiable (its content and hash)."""
    return PublicNotice.objects.select_related(
        "claim__institution", "claim__training_class", "claim__county__parent"
    ).order_by("-published_at", "-id")


def notice_list(*, today=None) -> QuerySet[PublicNotice]:
    """The public list: notices still running, and those ended in the last RECENT_NOTICE_DAYS days."""
    today = today or clock.today()
    return published_notices().filter(ends_on__gte=today - timedelta(days=RECENT_NOTICE_DAYS))


def ended_notice_list(*, today=None) -> QuerySet[PublicNotice]:
    """The archive: every notice whose period is over."""
    today = today or clock.today()
    return published_notices().filter(Q(closed_at__isnull=False) | Q(ends_on__lt=today))


def notice_is_open(notice: PublicNotice, today=None) -> bool:
    """For display only (the objection form); the service decides whether an objection is accepted."""
    return notice.closed_at is None and (today or clock.today()) <= notice.ends_on


def notice_rows(notice: PublicNotice) -> list[dict]:
    """The published rows, numbered; only the masked keys of the notice content. The ID number goes through the
    current mask again: notices published under the older, wider mask show no more than the scheme allows
    (the stored content, which the hash covers, is left as published)."""
    keys = ("line", "institution", "class", "occupation", "level", "name", "id_number", "amount")
    rows = [{"no": n, **{k: row.get(k, "") for k in keys}} for n, row in enumerate(notice.content or [], start=1)]
    for row in rows:
        row["id_number"] = mask_id_number(row["id_number"])
    return rows


# --- spot checks ----------------------------------------------------------------------------------------


def spot_check_list(*, user: User) -> QuerySet[SpotCheck]:
    """Draws made in the user's regions, and draws elsewhere that visit a class in them."""
    if not user.is_authenticated:
        return SpotCheck.objects.none()
    if user.is_system_admin:
        qs = SpotCheck.objects.all()
    else:
        visiting = SpotCheckVisit.objects.filter(region_scope_q(user, "training_class__county")).values("spot_check")
        qs = SpotCheck.objects.filter(region_scope_q(user, "region") | Q(pk__in=visiting))
    return (
        qs.select_related("region", "drawn_by")
        .annotate(visit_count=Count("visits", distinct=True))
        .order_by("-drawn_at", "-id")
    )


def visit_list(*, user: User, spot_check: SpotCheck | None = None) -> QuerySet[SpotCheckVisit]:
    qs = SpotCheckVisit.objects.filter(region_scope_q(user, "training_class__county"))
    if spot_check is not None:
        qs = qs.filter(spot_check=spot_check)
    return qs.select_related(
        "spot_check", "training_class__institution", "training_class__county", "inspector"
    ).order_by("id")


def inspector_list(*, user: User) -> QuerySet[Inspector]:
    return Inspector.objects.filter(region_scope_q(user, "region")).select_related("region", "institution")


def public_spot_check_list() -> QuerySet[SpotCheck]:
    """一公开: every draw with its seed and date, and each visit's class, institution, inspector and result."""
    visits = SpotCheckVisit.objects.select_related("training_class__institution", "inspector").order_by("id")
    return (
        SpotCheck.objects.select_related("region")
        .prefetch_related(Prefetch("visits", queryset=visits))
        .order_by("-drawn_at", "-id")
    )


# --- standards ------------------------------------------------------------------------------------------


def standard_list(*, user: User) -> QuerySet[SubsidyStandard]:
    """Standards that apply in the user's regions: those of the regions above it and those inside it."""
    if not user.is_authenticated:
        return SubsidyStandard.objects.none()
    if user.is_system_admin:
        qs = SubsidyStandard.objects.all()
    elif user.region_id is None or not can(user, "standard.view"):
        qs = SubsidyStandard.objects.none()
    else:
        qs = SubsidyStandard.objects.filter(
            region_scope_q(user, "region") | Q(region__code__in=region_chain(user.region))
        )
    return qs.select_related("region", "training_type", "occupation", "skill_level")
