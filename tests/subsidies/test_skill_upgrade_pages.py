"""The 技能提升补贴 pages: the window (look the person up by ID number, check, file), the list and the detail with its
decisions and payment; the bank account is never shown in full unless revealed (audited)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from core.clock import replaying as clock
from subsidies.models import SkillUpgradeApplication, SkillUpgradeStatus
from subsidies.services import skill_upgrade as su

from ..trainees.factories import make_id
from . import skill_upgrade_kit as kit
from .factories import RegionSettingFactory, bureau, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
WINDOW = reverse("subsidies:skill_upgrade_window")


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(who, cert, **kw):
    return {
        "person": who.pk,
        "certificate": cert.pk,
        "insured_months": 24,
        "insured_evidence": "缴费记录",
        "bank_name": "工商银行",
        "bank_account": kit.ACCOUNT,
        **kw,
    }


def test_the_window_finds_checks_and_files():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who, level="level4")
        c = signed_in(kit.clerk())
        html = c.post(WINDOW, {"id_number": make_id("231202", seq=2)}).content.decode()
        assert who.name_masked in html and cert.number in html
        assert make_id("231202", seq=2) not in html  # the typed ID number is not echoed
        checked = c.post(WINDOW, form_data(who, cert, step="check")).content.decode()
        assert 'data-testid="amount">1500<' in checked and kit.ACCOUNT not in checked
        refused = c.post(WINDOW, form_data(who, cert, step="check", insured_months=3)).content.decode()
        assert "参保不足 12 个月" in refused
        response = c.post(WINDOW, form_data(who, cert, step="file"))
    app = SkillUpgradeApplication.objects.get(person=who)
    assert response.status_code == 302 and response["Location"] == reverse(
        "subsidies:skill_upgrade_detail", args=[app.pk]
    )
    assert app.status == SkillUpgradeStatus.FILED and app.amount == 1500


def test_an_unknown_id_number_and_a_person_out_of_scope_are_not_found():
    who = kit.person()
    c = signed_in(bureau("231281"))
    assert c.post(WINDOW, {"id_number": make_id("231202", seq=2)}).status_code == 404
    with clock(date(2025, 4, 1)):
        cert = kit.certificate(who)
        response = c.post(WINDOW, form_data(who, cert, step="file"))
    assert response.status_code == 302 and not SkillUpgradeApplication.objects.exists()


def test_the_account_is_masked_on_every_page_and_revealed_with_an_audit():
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who))
    c = signed_in(bureau("2312"))
    for url in (reverse("subsidies:skill_upgrade_list"), reverse("subsidies:skill_upgrade_detail", args=[app.pk])):
        html = c.get(url).content.decode()
        assert app.bank_account_masked in html and kit.ACCOUNT not in html, url
    response = c.post(reverse("subsidies:skill_upgrade_reveal", args=[app.pk]))
    assert kit.ACCOUNT in response.content.decode() and response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="skill_upgrade.account_revealed").count() == 1


def test_decided_and_paid_from_the_detail_page():
    RegionSettingFactory(region=region("2312"), skill_upgrade_notice=False)
    who = kit.person()
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who))
    act = reverse("subsidies:skill_upgrade_act", args=[app.pk])
    detail = reverse("subsidies:skill_upgrade_detail", args=[app.pk])
    decider = signed_in(bureau("2312"))
    html = decider.get(detail).content.decode()
    assert 'data-testid="act-verify"' in html and 'data-testid="act-pay"' not in html
    decider.post(act, {"action": "verify"})
    html = decider.get(detail).content.decode()
    assert 'data-testid="act-approve"' in html and 'data-testid="act-send_to_notice"' not in html  # no notice here
    decider.post(act, {"action": "approve"})
    app.refresh_from_db()
    assert app.status == SkillUpgradeStatus.APPROVED
    assert (
        decider.post(reverse("subsidies:skill_upgrade_pay", args=[app.pk]), {"bank_reference": "X"}).status_code == 403
    )
    payer = signed_in(kit.payer())
    assert 'data-testid="act-pay"' in payer.get(detail).content.decode()
    payer.post(reverse("subsidies:skill_upgrade_pay", args=[app.pk]), {"bank_reference": "B-1"})
    app.refresh_from_db()
    assert app.status == SkillUpgradeStatus.PAID and app.bank_reference == "B-1"


def test_the_workbench_lists_what_waits_for_the_bureau_and_for_finance():
    from core.work import work_of

    def count(user, key):
        return next(w.count for w in work_of(user) if w.key == key)

    who = kit.person()
    decider = bureau("2312")
    with clock(date(2025, 4, 1)):
        app = kit.file(who, kit.certificate(who))
        assert count(decider, "skill_upgrades_to_decide") == 1
        assert count(bureau("231281"), "skill_upgrades_to_decide") == 0  # another county's
        app = kit.approved(app, decider)  # in notice until 9 April: nothing to do yet
        assert count(decider, "skill_upgrades_to_decide") == 0
    with clock(date(2025, 4, 10)):
        assert count(decider, "skill_upgrades_to_decide") == 1
        su.skill_upgrade_end_notice(actor=decider, application=app)
        assert count(decider, "skill_upgrades_to_decide") == 0
        assert count(kit.payer(), "skill_upgrades_to_pay") == 1
