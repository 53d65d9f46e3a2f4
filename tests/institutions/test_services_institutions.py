"""The institution services: the designation workflow (every allowed and refused transition) and registration."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import DomainError
from institutions.models import (
    Institution,
    InstitutionStatusChange,
)
from institutions.models import (
    InstitutionStatus as S,
)
from institutions.services.institutions import (
    AUDIT_ACTIONS,
    institution_record_class,
    institution_transition,
    institution_update_profile,
)
from institutions.workflows import DESIGNATION

from . import services_kit as kit
from .factories import DEFAULT_APPLIED_ON, InstitutionFactory, credit_code, designate, transition
from .services_kit import (
    DISALLOWED,
    ON,
    TRANSITIONS,
    allowed_transitions,
    events,
    institution_in,
    register,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
other_county_user = kit.other_county_user  # the fixture
institution_user = kit.institution_user  # the fixture


def test_the_declared_designation_workflow_is_the_table():
    declared = {(s, t.target): AUDIT_ACTIONS[t.action] for t in DESIGNATION.transitions.values() for s in t.sources}
    assert declared == TRANSITIONS


# --- the designation workflow ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pair", "action"), TRANSITIONS.items(), ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_every_allowed_transition_writes_history_and_audit_event(pair, action, county_user):
    frm, to = pair
    institution = institution_in(frm)
    result = institution_transition(
        actor=county_user, institution=institution, to_status=to, reason=" 依规处理 ", effective_date=ON
    )
    assert result.status == to
    assert Institution.objects.get(pk=institution.pk).status == to
    change = InstitutionStatusChange.objects.get(institution=institution, actor=county_user)
    assert (change.from_status, change.to_status, change.effective_date, change.reason) == (frm, to, ON, "依规处理")
    event = events(county_user).get()
    assert event.action == action
    assert event.target_id == str(institution.pk)
    assert event.region.code == "231202"
    assert event.details == {"from": frm, "to": to, "effective_date": "2024-06-01", "reason": "依规处理"}


@pytest.mark.parametrize(("frm", "to"), DISALLOWED, ids=[f"{f}-{t}" for f, t in DISALLOWED])
def test_disallowed_transition_raises_domain_error_and_changes_nothing(frm, to, county_user):
    institution = institution_in(frm)
    before = list(institution.status_changes.values_list("pk", flat=True))
    with pytest.raises(DomainError):
        institution_transition(
            actor=county_user, institution=institution, to_status=to, reason="试图", effective_date=ON
        )
    institution.refresh_from_db()
    assert institution.status == frm
    assert list(institution.status_changes.values_list("pk", flat=True)) == before
    assert not events(county_user).exists()


def test_disallowed_pairs_include_the_obvious_ones():
    for pair in [(S.APPLIED, S.SUSPENDED), (S.REVOKED, S.DESIGNATED), (S.APPLIED, S.REVOKED)]:
        assert pair in DISALLOWED
    assert allowed_transitions(S.REVOKED) == []
    assert set(allowed_transitions(S.DESIGNATED)) == {S.SUSPENDED, S.REVOKED}


def test_transition_to_an_unknown_status_is_a_domain_error(county_user):
    institution = InstitutionFactory()
    with pytest.raises(DomainError):
        institution_transition(
            actor=county_user, institution=institution, to_status="closed", reason="x", effective_date=ON
        )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_transition_requires_a_reason(reason, county_user):
    institution = InstitutionFactory()
    with pytest.raises(DomainError) as exc:
        institution_transition(
            actor=county_user, institution=institution, to_status=S.DESIGNATED, reason=reason, effective_date=ON
        )
    assert exc.value.field == "reason"
    institution.refresh_from_db()
    assert institution.status == S.APPLIED
    assert institution.status_changes.count() == 1


def test_transition_effective_date_cannot_be_in_the_future(county_user):
    institution = InstitutionFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        institution_transition(
            actor=county_user, institution=institution, to_status=S.DESIGNATED, reason="认定", effective_date=tomorrow
        )
    assert exc.value.field == "effective_date"
    assert Institution.objects.get(pk=institution.pk).status == S.APPLIED


def test_transition_effective_date_cannot_precede_the_previous_change(county_user):
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    with pytest.raises(DomainError) as exc:
        institution_transition(
            actor=county_user,
            institution=institution,
            to_status=S.SUSPENDED,
            reason="暂停",
            effective_date=date(2023, 12, 31),
        )
    assert exc.value.field == "effective_date"
    assert "2024-01-01" in str(exc.value)
    assert Institution.objects.get(pk=institution.pk).status == S.DESIGNATED


def test_transition_may_take_effect_today_or_on_the_day_of_the_previous_change(county_user):
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    transition(institution, S.SUSPENDED, date(2024, 1, 1), actor=county_user)
    transition(institution, S.DESIGNATED, timezone.localdate(), actor=county_user)
    assert institution.status == S.DESIGNATED


def test_county_user_of_another_county_gets_permission_denied(other_county_user):
    institution = InstitutionFactory()
    with pytest.raises(PermissionDenied):
        designate(institution, ON, actor=other_county_user)
    assert Institution.objects.get(pk=institution.pk).status == S.APPLIED


def test_institution_user_cannot_change_its_own_status(institution_user):
    institution = InstitutionFactory()
    with pytest.raises(PermissionDenied):
        designate(institution, ON, actor=institution_user(institution))


@pytest.mark.parametrize("who", ["province_user", "admin_user"])
def test_province_and_admin_users_may_not_decide_designation(who, request):
    institution = InstitutionFactory()
    with pytest.raises(PermissionDenied):
        designate(institution, ON, actor=request.getfixturevalue(who))


def test_city_user_of_the_city_may_designate(city_user):
    institution = designate(InstitutionFactory(), ON, actor=city_user)
    assert institution.status == S.DESIGNATED
    assert events(city_user, "institution.designated").count() == 1


def test_city_user_of_another_city_gets_permission_denied(make_user):
    with pytest.raises(PermissionDenied):
        designate(InstitutionFactory(), ON, actor=make_user("city", "2301"))


def test_designated_since_is_set_on_designation_kept_on_suspension_reset_on_reinstatement():
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    assert institution.designated_since == date(2024, 1, 1)
    transition(institution, S.SUSPENDED, date(2024, 3, 1))
    assert institution.designated_since == date(2024, 1, 1)
    transition(institution, S.DESIGNATED, date(2024, 5, 1))
    assert institution.designated_since == date(2024, 5, 1)


def test_factory_designation_leaves_a_consistent_history():
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    steps = list(institution.status_changes.values_list("from_status", "to_status", "effective_date"))
    assert steps == [("", S.APPLIED, DEFAULT_APPLIED_ON), (S.APPLIED, S.DESIGNATED, date(2024, 1, 1))]


def test_register_records_an_application_with_history_and_audit(county_user, region):
    institution = register(county_user, region)
    assert institution.status == S.APPLIED
    change = institution.status_changes.get()
    assert (change.from_status, change.to_status, change.effective_date) == ("", S.APPLIED, timezone.localdate())
    assert events(county_user, "institution.applied").get().target_id == str(institution.pk)


def test_register_normalises_a_full_width_lower_case_credit_code(county_user, region):
    code = credit_code(4242)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    institution = register(county_user, region, credit_code=typed)
    assert Institution.objects.get(pk=institution.pk).credit_code == code


@pytest.mark.parametrize("bad", ["wrong_check", "short"])
def test_register_refuses_an_invalid_credit_code(bad, county_user, region):
    code = credit_code(4242)
    code = code[:17] + ("0" if code[17] != "0" else "1") if bad == "wrong_check" else code[:16]
    with pytest.raises(ValidationError) as exc:
        register(county_user, region, credit_code=code)
    assert "credit_code" in exc.value.message_dict
    assert not Institution.objects.filter(name="北林区阳光职业培训学校").exists()
    assert not events(county_user).exists()


def test_register_refuses_a_credit_code_already_registered(county_user, region):
    existing = InstitutionFactory()
    with pytest.raises(ValidationError):
        register(county_user, region, credit_code=existing.credit_code.lower())


def test_register_seats_an_institution_at_the_city_itself_for_city_staff(city_user, region):
    institution = register(city_user, region, county=region("2312"))  # 市直: counted for 市本级 (test_city_level.py)
    assert Institution.objects.get(pk=institution.pk).county.code == "2312"


def test_a_request_to_move_to_the_province_is_refused_when_made(institution_user, region):
    institution = InstitutionFactory()
    with pytest.raises(DomainError) as exc:
        institution_update_profile(
            actor=institution_user(institution), institution=institution, changes={"county": region("23")}
        )
    assert exc.value.field == "county"


def test_register_in_another_county_is_permission_denied(other_county_user, region):
    with pytest.raises(PermissionDenied):
        register(other_county_user, region)


def test_record_class_only_moves_last_class_date_forward():
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    institution_record_class(institution=institution, start_date=date(2024, 5, 1))
    institution_record_class(institution=institution, start_date=date(2024, 3, 1))
    institution.refresh_from_db()
    assert institution.last_class_on == date(2024, 5, 1)
