"""技能提升补贴 under concurrent attempts, real transactions on PostgreSQL (one connection per thread): two payments
of one application pay once and write one ledger row; two filings of two certificates for one person in one
year (limit 1) file one."""

import threading
from datetime import date

import pytest
from django.db import connection

from core.clock import replaying as clock
from subsidies.models import SkillUpgradeApplication, SkillUpgradeStatus
from subsidies.services import skill_upgrade as su
from trainees.models import TrainingRecord

from . import skill_upgrade_kit as kit
from .factories import RegionSettingFactory, region

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent transactions"),
]


def at_once(calls) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            with clock(date(2025, 4, 2)):
                results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_two_payments_at_once_pay_once():
    RegionSettingFactory(region=region("2312"), skill_upgrade_notice=False)
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.approved(kit.file(who, kit.certificate(who)))
    payer = kit.payer()
    results, errors = at_once(
        [lambda ref=ref: su.skill_upgrade_pay(actor=payer, application=app, bank_reference=ref) for ref in "AB"]
    )
    assert len(results) == 1 and len(errors) == 1, errors
    app.refresh_from_db()
    assert app.status == SkillUpgradeStatus.PAID and app.bank_reference == results[0].bank_reference
    assert TrainingRecord.objects.filter(trainee=who).count() == 1


def test_two_filings_at_once_for_one_person_file_one_within_the_yearly_limit():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        first = kit.certificate(who, number="C1")
        second = kit.certificate(who, occupation="4-01-02-01", number="C2")
    clerk = kit.clerk()
    results, errors = at_once([lambda c=c: kit.file(who, c, actor=clerk) for c in (first, second)])
    assert len(results) == 1 and len(errors) == 1, errors
    assert "次数" in str(errors[0])
    assert SkillUpgradeApplication.objects.filter(person=who).count() == 1
