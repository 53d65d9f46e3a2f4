"""技能提升补贴, filed by bureau staff at the window (窗口代办) and paid to the person's own account. Every step is a
transition of subsidies.workflows.SKILL_UPGRADE; the rules (rules/skill_upgrade.py) run when it is filed and
again before each decision, with the person's row locked so two filings or decisions cannot both pass the
yearly limit or the same occupation and level; the partial unique index backs that up. Payment writes the
ledger entry (trainees.TrainingRecord, kind SKILL_UPGRADE) once."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import region_scope_q
from accounts.services import audit_log
from catalog.models import TrainingType
from catalog.workdays import add_working_days
from core import clock
from core.errors import DomainError
from core.policy import can, require
from institutions.selectors import urgent_occupation_ids
from trainees.models import Certificate, SubsidyKind, Trainee, TrainingRecord
from trainees.selectors import trainee_list
from trainees.services.records import training_record_append

from ..models import SkillUpgradeApplication, SkillUpgradeStatus
from ..models.skill_upgrade import mask_bank_account
from ..rules.skill_upgrade import Earlier, Finding, SkillUpgradeContext, amount_for, findings
from ..workflows import SKILL_UPGRADE
from .standards import setting_for

LEDGER_PREFIX = "skill_upgrade:"  # TrainingRecord.source_ref of a paid application
LEDGER_TRAINING_TYPE = "skill_upgrade"  # catalog TrainingType 岗位技能提升培训


def skill_upgrade_list(user):
    """Applications of the user's regions (bureaus, finance; the administrator sees all): never an institution's."""
    if not can(user, "skill_upgrade.view"):
        return SkillUpgradeApplication.objects.none()
    return (
        SkillUpgradeApplication.objects.filter(region_scope_q(user, "county"))
        .defer("bank_account")
        .select_related("person", "occupation", "skill_level", "county", "certificate")
        .order_by("-filed_at", "-id")
    )


def _earlier(person_id: int, exclude_id: int | None, urgent_ids: set[int]) -> list[Earlier]:
    """What the person already has: the ledger (history and this system's payments, any kind but none) and the
    applications still open or promised (not rejected, not yet paid: their ledger row does not exist yet)."""
    ledger = [
        Earlier(kind, occ, rank, year, urgent=kind == SubsidyKind.SKILL_UPGRADE and occ in urgent_ids, ref=ref[:24])
        for kind, occ, rank, year, ref in TrainingRecord.objects.filter(trainee_id=person_id)
        .exclude(subsidy_kind=SubsidyKind.NONE)
        .values_list("subsidy_kind", "occupation_id", "skill_level__rank", "year", "source_ref")
    ]
    pending = (
        SkillUpgradeApplication.objects.filter(person_id=person_id)
        .exclude(status__in=[SkillUpgradeStatus.REJECTED, SkillUpgradeStatus.PAID])
        .exclude(pk=exclude_id)
        .values_list("pk", "occupation_id", "skill_level__rank", "year", "urgent")
    )
    return ledger + [
        Earlier(SubsidyKind.SKILL_UPGRADE, occ, rank, year, urgent=urgent, ref=f"{LEDGER_PREFIX}{pk}")
        for pk, occ, rank, year, urgent in pending
    ]


def context_for(
    *, person: Trainee, certificate: Certificate, insured_months: int, county, filed_on, exclude_id=None
) -> SkillUpgradeContext:
    """The facts the rules read, in a fixed number of queries."""
    setting = setting_for(county)
    urgent_ids = urgent_occupation_ids(region=county, year=filed_on.year)
    level = certificate.skill_level
    return SkillUpgradeContext(
        certificate_type=certificate.type,
        level_code=level.code if level else None,
        level_rank=level.rank if level else 0,
        occupation_id=certificate.occupation_id,
        issue_date=certificate.issue_date,
        filed_on=filed_on,
        insured_months=insured_months,
        urgent=certificate.occupation_id in urgent_ids,
        base_limit=setting.yearly_limit_skill_upgrade,
        urgent_extra=setting.skill_upgrade_urgent_extra,
        earlier=_earlier(person.pk, exclude_id, urgent_ids),
    )


def skill_upgrade_check(*, actor: User, person: Trainee, certificate: Certificate, insured_months: int):
    """The verification result and the amount, before filing (the window page shows them)."""
    require(actor, "skill_upgrade.file", message=_("只有县级人社部门窗口可以受理技能提升补贴申请。"))
    if not trainee_list(user=actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("该人员不在本辖区登记范围内，请先登记。"))
    if certificate.trainee_id != person.pk:
        raise DomainError(_("该证书不属于申请人。"), field="certificate")
    ctx = context_for(
        person=person,
        certificate=certificate,
        insured_months=insured_months,
        county=actor.region,
        filed_on=clock.today(),
    )
    return findings(ctx), amount_for(ctx.level_code), ctx.urgent


def _refuse_if_found(found: list[Finding]) -> None:
    if found:
        raise DomainError("；".join(f"{f.message}{f.detail}" for f in found))


def _lock_person(person_id: int) -> None:
    """Filings and decisions for one person queue behind each other: the rules see each other's results."""
    Trainee.objects.select_for_update().only("pk").get(pk=person_id)


@transaction.atomic
def skill_upgrade_file(
    *,
    actor: User,
    person: Trainee,
    certificate: Certificate,
    insured_months: int,
    insured_evidence: str,
    bank_name: str,
    bank_account: str,
) -> SkillUpgradeApplication:
    _lock_person(person.pk)
    found, amount, urgent = skill_upgrade_check(
        actor=actor, person=person, certificate=certificate, insured_months=insured_months
    )
    _refuse_if_found(found)
    account = "".join(bank_account.split())
    if not account.isdigit() or not 12 <= len(account) <= 30:
        raise DomainError(_("银行账号应为 12 至 30 位数字。"), field="bank_account")
    try:
        with transaction.atomic():
            app = SkillUpgradeApplication.objects.create(
                person=person,
                certificate=certificate,
                occupation_id=certificate.occupation_id,
                skill_level_id=certificate.skill_level_id,
                insured_months=insured_months,
                insured_evidence=insured_evidence,
                bank_name=bank_name,
                bank_account=account,
                bank_account_masked=mask_bank_account(account),
                amount=amount,
                urgent=urgent,
                county=actor.region,
                year=clock.today().year,
                filed_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError(_("该证书已有一份在办的技能提升补贴申请。"), field="certificate") from exc
    audit_log(
        actor=actor,
        action="skill_upgrade.filed",
        target=app,
        region=app.county,
        details={"amount": str(amount), "account": app.bank_account_masked},
    )
    return app


def _locked(app: SkillUpgradeApplication) -> SkillUpgradeApplication:
    _lock_person(app.person_id)
    return (
        SkillUpgradeApplication.objects.select_for_update(of=("self",))
        .select_related("certificate__skill_level", "county", "person")
        .get(pk=app.pk)
    )


def _move(app: SkillUpgradeApplication, action: str, actor: User | None, details: dict | None = None, **fields):
    t = SKILL_UPGRADE[action]
    app.status = t.target
    for name, value in fields.items():
        setattr(app, name, value)
    app.save(update_fields=["status", *fields])
    audit_log(actor=actor, action=f"skill_upgrade.{action}", target=app, region=app.county, details=details or {})
    return app


def _recheck(app: SkillUpgradeApplication) -> None:
    ctx = context_for(
        person=app.person,
        certificate=app.certificate,
        insured_months=app.insured_months,
        county=app.county,
        filed_on=app.filed_at.astimezone(timezone.get_current_timezone()).date(),
        exclude_id=app.pk,
    )
    _refuse_if_found(findings(ctx))


@transaction.atomic
def skill_upgrade_verify(*, actor: User, application: SkillUpgradeApplication) -> SkillUpgradeApplication:
    app = _locked(application)
    SKILL_UPGRADE.check(actor, app, "verify")
    _recheck(app)
    return _move(app, "verify", actor)


@transaction.atomic
def skill_upgrade_approve(*, actor: User, application: SkillUpgradeApplication) -> SkillUpgradeApplication:
    """Approved, or sent to public notice first where the region's setting requires it."""
    app = _locked(application)
    setting = setting_for(app.county)
    action = "send_to_notice" if setting.skill_upgrade_notice else "approve"
    SKILL_UPGRADE.check(actor, app, action)
    _recheck(app)
    fields = {"decided_by": actor, "decided_at": clock.now()}
    if setting.skill_upgrade_notice:
        fields["notice_ends_on"] = add_working_days(clock.today(), setting.notice_working_days)
    try:
        with transaction.atomic():
            return _move(app, action, actor, **fields)
    except IntegrityError as exc:
        raise DomainError(_("该人员本职业同等级的技能提升补贴已审核通过。")) from exc


@transaction.atomic
def skill_upgrade_end_notice(*, actor: User, application: SkillUpgradeApplication) -> SkillUpgradeApplication:
    app = _locked(application)
    SKILL_UPGRADE.check(actor, app, "end_notice")
    if clock.today() <= app.notice_ends_on:
        raise DomainError(_("公示期至 %(d)s，期满后才能审核通过。") % {"d": app.notice_ends_on})
    return _move(app, "end_notice", actor)


@transaction.atomic
def skill_upgrade_reject(*, actor: User, application: SkillUpgradeApplication, reason: str) -> SkillUpgradeApplication:
    app = _locked(application)
    SKILL_UPGRADE.check(actor, app, "reject")
    if not reason.strip():
        raise DomainError(_("请填写不予补贴的原因。"), field="reason")
    fields = {"decided_by": actor, "decided_at": clock.now(), "rejection_reason": reason.strip()[:200]}
    return _move(app, "reject", actor, {"reason": reason.strip()[:200]}, **fields)


@transaction.atomic
def skill_upgrade_pay(
    *, actor: User, application: SkillUpgradeApplication, bank_reference: str
) -> SkillUpgradeApplication:
    """Paid once: the row is locked, a second attempt finds it paid and is refused; the ledger row is keyed by
    the application (one_record_per_source_ref)."""
    app = _locked(application)
    SKILL_UPGRADE.check(actor, app, "pay", denied=_("只有本辖区财政部门可以登记发放。"))
    if not bank_reference.strip():
        raise DomainError(_("请填写银行流水号。"), field="bank_reference")
    if actor.pk in {app.filed_by_id, app.decided_by_id}:
        raise PermissionDenied(_("受理或审核该申请的人员不能登记发放。"))
    _move(
        app,
        "pay",
        actor,
        {"amount": str(app.amount)},
        paid_by=actor,
        paid_at=clock.now(),
        bank_reference=bank_reference.strip()[:60],
    )
    training_record_append(
        trainee=app.person,
        occupation=app.occupation,
        skill_level=app.skill_level,
        training_type=TrainingType.objects.get(code=LEDGER_TRAINING_TYPE),
        start_date=app.certificate.issue_date,
        end_date=app.filed_at.astimezone(timezone.get_current_timezone()).date(),
        county=app.county,
        amount=app.amount,
        source_ref=f"{LEDGER_PREFIX}{app.pk}",
        subsidy_kind=SubsidyKind.SKILL_UPGRADE,
        certificate_number=app.certificate.number,
    )
    return app


@transaction.atomic
def skill_upgrade_reveal_account(*, actor: User, application: SkillUpgradeApplication) -> str:
    """The full account number, for those who decide or pay; each reveal audited."""
    if not can(actor, "skill_upgrade.reveal_account", application):
        raise PermissionDenied(_("您无权查看完整银行账号。"))
    audit_log(
        actor=actor,
        action="skill_upgrade.account_revealed",
        target=application,
        region=actor.region,
        details={"field": "bank_account"},
    )
    return application.bank_account
