"""技能提升补贴 end to end against PostgreSQL: filed at the window, verified, noticed where the region requires it,
approved, paid once to the person's account, and the ledger entry in the lifelong archive."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from core.clock import replaying as clock
from core.errors import DomainError
from subsidies.models import SkillUpgradeApplication, SkillUpgradeStatus
from subsidies.services import skill_upgrade as su
from trainees.models import SubsidyKind, TrainingRecord

from . import skill_upgrade_kit as kit
from .factories import RegionSettingFactory, bureau, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
S = SkillUpgradeStatus


def test_the_account_is_encrypted_at_rest_and_masked():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who))
    assert app.bank_account_masked == "*" * 15 + "3445"
    with connection.cursor() as cur:
        cur.execute("SELECT bank_account FROM subsidies_skillupgradeapplication WHERE id = %s", [app.pk])
        stored = cur.fetchone()[0]
    assert kit.ACCOUNT not in stored and stored.startswith("f1:")
    assert SkillUpgradeApplication.objects.get(pk=app.pk).bank_account == kit.ACCOUNT


def test_filed_with_the_amount_of_the_level_and_the_county_of_the_window():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who, level="level3"))
    assert (app.status, app.amount, app.county.code, app.year) == (S.FILED, 2000, "231202", 2025)


def test_only_a_county_window_files_and_only_for_people_in_its_scope():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who)
        with pytest.raises(PermissionDenied):
            kit.file(who, cert, actor=kit.payer())
        with pytest.raises(PermissionDenied):
            kit.file(who, cert, actor=bureau("231281"))  # 安达市 does not see a person of 北林区


def test_a_certificate_of_someone_else_is_refused():
    who, other = kit.person(2), kit.person(4)
    with clock(date(2025, 4, 1)), pytest.raises(DomainError, match="不属于"):
        kit.file(who, kit.certificate(other))


def test_the_rules_refuse_the_filing():
    who = kit.person()
    with clock(date(2025, 4, 1)), pytest.raises(DomainError, match="12 个月"):
        kit.file(who, kit.certificate(who), months=6)


def test_one_open_application_per_certificate():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who)
        kit.file(who, cert)
        with pytest.raises(DomainError, match="已享受过本职业同等级"):  # the open application counts
            kit.file(who, cert)


def test_with_notice_paid_once_into_the_ledger():
    who = kit.person()
    decider, payer = bureau("2312"), kit.payer()
    with clock(date(2025, 4, 1)):
        app = kit.approved(kit.file(who, kit.certificate(who)), decider)
    assert app.status == S.PUBLIC_NOTICE and app.notice_ends_on == date(2025, 4, 9)  # 5 working days (清明 4 April)
    with clock(date(2025, 4, 9)), pytest.raises(DomainError, match="期满"):
        su.skill_upgrade_end_notice(actor=decider, application=app)
    with clock(date(2025, 4, 10)):
        app = su.skill_upgrade_end_notice(actor=decider, application=app)
        assert app.status == S.APPROVED
        with pytest.raises(PermissionDenied):
            su.skill_upgrade_pay(actor=decider, application=app, bank_reference="B1")
        app = su.skill_upgrade_pay(actor=payer, application=app, bank_reference="B1")
        with pytest.raises(DomainError):
            su.skill_upgrade_pay(actor=payer, application=app, bank_reference="B2")
    assert app.status == S.PAID
    record = TrainingRecord.objects.get(source_ref=f"skill_upgrade:{app.pk}")
    assert (record.subsidy_kind, record.amount, record.trainee_id, record.year) == (
        SubsidyKind.SKILL_UPGRADE,
        1000,
        who.pk,
        2025,
    )
    # the paid subsidy is in the ledger now: the same level again is refused, so is another one this year
    with clock(date(2025, 5, 1)):
        with pytest.raises(DomainError, match="同等级"):
            kit.file(who, kit.certificate(who, number="again"))
        with pytest.raises(DomainError, match="次数"):
            kit.file(who, kit.certificate(who, occupation="4-01-02-01", number="another"))


def test_without_notice_where_the_region_does_not_require_it():
    RegionSettingFactory(region=region("2312"), skill_upgrade_notice=False)
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.approved(kit.file(who, kit.certificate(who)))
    assert app.status == S.APPROVED and app.notice_ends_on is None


def test_rejected_with_a_reason_frees_the_certificate():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who)
        app = kit.file(who, cert)
        with pytest.raises(DomainError):
            su.skill_upgrade_reject(actor=bureau("2312"), application=app, reason=" ")
        app = su.skill_upgrade_reject(actor=bureau("2312"), application=app, reason="参保证明不实")
        assert app.status == S.REJECTED
        with pytest.raises(DomainError):
            su.skill_upgrade_approve(actor=bureau("2312"), application=app)
        assert kit.file(who, cert).status == S.FILED


def test_the_constraint_holds_one_committed_subsidy_per_person_occupation_and_level():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.approved(kit.file(who, kit.certificate(who)))
        twin = SkillUpgradeApplication.objects.get(pk=app.pk)
        twin.pk = None
        twin.certificate = kit.certificate(who, number="twin")
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()


def test_the_account_reveal_is_audited_and_refused_to_others():
    from accounts.models import AuditEvent

    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who))
    assert su.skill_upgrade_reveal_account(actor=kit.payer(), application=app) == kit.ACCOUNT
    assert AuditEvent.objects.filter(action="skill_upgrade.account_revealed").count() == 1
    with pytest.raises(PermissionDenied):
        su.skill_upgrade_reveal_account(actor=bureau("231281"), application=app)
