import contextlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from core.errors import DomainError
from institutions.models import (
    AnnualInspection,
    Institution,
    InstitutionStatusChange,
    InstitutionType,
    ProfileChangeRequest,
    Teacher,
    Venue,
)
from institutions.models import (
    InstitutionStatus as S,
)
from institutions.services.institutions import (
    AUDIT_ACTIONS,
    change_request_decide,
    inspection_record,
    institution_record_class,
    institution_register,
    institution_transition,
    institution_update_profile,
    teacher_add,
    teacher_remove,
    venue_add,
    venue_remove,
)
from institutions.workflows import DESIGNATION

from .factories import DEFAULT_APPLIED_ON, InstitutionFactory, credit_code, designate, transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ON = date(2024, 6, 1)
# (from, to) -> audit action: every transition of the designation workflow, each made by county or city staff whose
# region holds the institution.
TRANSITIONS = {
    (S.APPLIED, S.DESIGNATED): "institution.designated",
    (S.DESIGNATED, S.SUSPENDED): "institution.suspended",
    (S.SUSPENDED, S.DESIGNATED): "institution.reinstated",
    (S.SUSPENDED, S.REVOKED): "institution.revoked",
    (S.DESIGNATED, S.REVOKED): "institution.revoked",
}
DISALLOWED = [(f, t) for f in S.values for t in S.values if (f, t) not in TRANSITIONS]


def allowed_transitions(status: str) -> list[str]:
    """The target statuses the declaration allows from `status`."""
    return [t.target for t in DESIGNATION.transitions.values() if status in t.sources]


def test_the_declared_designation_workflow_is_the_table():
    declared = {(s, t.target): AUDIT_ACTIONS[t.action] for t in DESIGNATION.transitions.values() for s in t.sources}
    assert declared == TRANSITIONS


def institution_in(status: str) -> Institution:
    """An institution that reached `status` through the service, with its history."""
    institution = InstitutionFactory()
    if status == S.APPLIED:
        return institution
    designate(institution, date(2024, 1, 1))
    if status == S.DESIGNATED:
        return institution
    transition(institution, S.SUSPENDED, date(2024, 3, 1))
    if status == S.SUSPENDED:
        return institution
    return transition(institution, S.REVOKED, date(2024, 4, 1))


def events(actor, action=None):
    qs = AuditEvent.objects.filter(actor=actor)
    return qs.filter(action=action) if action else qs


@pytest.fixture
def other_county_user(make_user):
    return make_user("county", "231281", username="anda")


@pytest.fixture
def institution_user(make_user):
    def make(institution):
        return make_user("institution", None, institution=institution, username=f"inst-{institution.pk}")

    return make


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


# --- registration ------------------------------------------------------------------------------------


def register(actor, region, **overrides):
    fields = {
        "name": "北林区阳光职业培训学校",
        "credit_code": credit_code(9999),
        "type": InstitutionType.PRIVATE_TRAINING,
        "county": region("231202"),
        "address": "北林区中直路 1 号",
        "contact_person": "王丽",
        "contact_phone": "13845512345",
    }
    return institution_register(actor=actor, **(fields | overrides))


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


def test_register_refuses_a_city_as_location(city_user, region):
    with pytest.raises(DomainError) as exc:
        register(city_user, region, county=region("2312"))
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


# --- profile changes ---------------------------------------------------------------------------------


def test_institution_user_contact_change_applies_directly(institution_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    assert institution_update_profile(actor=user, institution=institution, changes={"contact_person": "李强"}) is None
    assert Institution.objects.get(pk=institution.pk).contact_person == "李强"
    assert events(user, "institution.updated").get().details == {"changes": {"contact_person": ["王丽", "李强"]}}
    assert not ProfileChangeRequest.objects.exists()


def test_institution_user_name_change_waits_for_the_bureau(institution_user):
    institution = InstitutionFactory()
    old_name = institution.name
    user = institution_user(institution)
    request = institution_update_profile(actor=user, institution=institution, changes={"name": "新名称培训学校"})
    assert request.status == ProfileChangeRequest.Status.PENDING
    assert request.changes == {"name": "新名称培训学校"}
    assert Institution.objects.get(pk=institution.pk).name == old_name
    assert events(user, "institution.change_requested").get().details == {"fields": ["name"]}


def test_mixed_change_applies_contact_fields_and_queues_key_fields(institution_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    request = institution_update_profile(
        actor=user, institution=institution, changes={"contact_phone": "0455-8123456", "license_number": "黑-001"}
    )
    institution.refresh_from_db()
    assert institution.contact_phone == "0455-8123456"
    assert institution.license_number == ""
    assert request.changes == {"license_number": "黑-001"}


def test_county_user_approval_applies_the_pending_name_change(institution_user, county_user):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"name": "新名称培训学校"}
    )
    change_request_decide(actor=county_user, request=request, approve=True)
    request.refresh_from_db()
    assert Institution.objects.get(pk=institution.pk).name == "新名称培训学校"
    assert (request.status, request.decided_by) == (ProfileChangeRequest.Status.APPROVED, county_user)
    assert events(county_user, "institution.change_approved").count() == 1


def test_approval_of_a_county_change_moves_the_institution(institution_user, county_user, region):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"county": region("231281")}
    )
    assert request.changes == {"county": str(region("231281").pk)}
    change_request_decide(actor=county_user, request=request, approve=True)
    assert Institution.objects.get(pk=institution.pk).county.code == "231281"


@pytest.mark.parametrize("reason", ["", "  "])
def test_rejection_needs_a_reason(reason, institution_user, county_user):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"name": "新名称培训学校"}
    )
    with pytest.raises(DomainError) as exc:
        change_request_decide(actor=county_user, request=request, approve=False, reason=reason)
    assert exc.value.field == "reason"
    assert ProfileChangeRequest.objects.get(pk=request.pk).status == ProfileChangeRequest.Status.PENDING


def test_rejection_with_reason_keeps_the_institution_unchanged(institution_user, county_user):
    institution = InstitutionFactory()
    old_name = institution.name
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"name": "新名称培训学校"}
    )
    change_request_decide(actor=county_user, request=request, approve=False, reason="营业执照未变更")
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (ProfileChangeRequest.Status.REJECTED, "营业执照未变更")
    assert Institution.objects.get(pk=institution.pk).name == old_name
    assert events(county_user, "institution.change_rejected").count() == 1


def test_a_decided_request_cannot_be_decided_again(institution_user, county_user):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"name": "新名称培训学校"}
    )
    change_request_decide(actor=county_user, request=request, approve=False, reason="不符")
    with pytest.raises(DomainError):
        change_request_decide(actor=county_user, request=request, approve=True)
    assert Institution.objects.get(pk=institution.pk).name != "新名称培训学校"


def test_other_county_user_cannot_decide_a_change_request(institution_user, other_county_user):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"name": "新名称培训学校"}
    )
    with pytest.raises(PermissionDenied):
        change_request_decide(actor=other_county_user, request=request, approve=True)


def test_institution_user_cannot_decide_its_own_change_request(institution_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    request = institution_update_profile(actor=user, institution=institution, changes={"name": "新名称培训学校"})
    with pytest.raises(PermissionDenied):
        change_request_decide(actor=user, request=request, approve=True)


def test_invalid_key_change_is_refused_at_submission(institution_user):
    institution = InstitutionFactory()
    with pytest.raises(ValidationError):
        institution_update_profile(
            actor=institution_user(institution), institution=institution, changes={"credit_code": "123"}
        )
    assert not ProfileChangeRequest.objects.exists()


def test_institution_user_cannot_change_another_institution(institution_user):
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    with pytest.raises(PermissionDenied):
        institution_update_profile(actor=institution_user(mine), institution=theirs, changes={"contact_person": "李强"})
    assert Institution.objects.get(pk=theirs.pk).contact_person == "王丽"


def test_institution_user_cannot_change_its_status_through_the_profile(institution_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    institution_update_profile(actor=user, institution=institution, changes={"status": S.DESIGNATED})
    assert Institution.objects.get(pk=institution.pk).status == S.APPLIED


def test_county_user_changes_key_fields_directly(county_user):
    institution = InstitutionFactory()
    assert (
        institution_update_profile(actor=county_user, institution=institution, changes={"name": "更名后学校"}) is None
    )
    assert Institution.objects.get(pk=institution.pk).name == "更名后学校"


def test_bureau_profile_update_cannot_bypass_the_designation_workflow(county_user):
    institution = InstitutionFactory()
    with contextlib.suppress(DomainError, ValidationError):
        institution_update_profile(
            actor=county_user,
            institution=institution,
            changes={"status": S.DESIGNATED, "designated_since": date(2024, 1, 1)},
        )
    institution.refresh_from_db()
    assert institution.status == S.APPLIED
    assert institution.designated_since is None


def test_other_county_user_cannot_update_the_profile(other_county_user):
    with pytest.raises(PermissionDenied):
        institution_update_profile(actor=other_county_user, institution=InstitutionFactory(), changes={"name": "x"})


# --- teachers and venues -----------------------------------------------------------------------------


def test_teacher_keeps_only_the_masked_id_number(institution_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    teacher = teacher_add(actor=user, institution=institution, name=" 张三 ", id_number="230102199001011234")
    stored = Teacher.objects.get(pk=teacher.pk)
    assert (stored.name, stored.id_number_masked) == ("张三", "230102***********4")
    event = events(user, "institution.teacher_added").get()
    assert "199001011234" not in str(event.details)


def test_teacher_add_to_another_institution_is_permission_denied(institution_user):
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    with pytest.raises(PermissionDenied):
        teacher_add(actor=institution_user(mine), institution=theirs, name="张三", id_number="230102199001011234")
    assert not Teacher.objects.exists()


def test_teacher_remove_by_bureau_deletes_and_audits(county_user):
    institution = InstitutionFactory()
    teacher = teacher_add(actor=county_user, institution=institution, name="张三", id_number="230102199001011234")
    teacher_remove(actor=county_user, teacher=teacher)
    assert not Teacher.objects.exists()
    assert events(county_user, "institution.teacher_removed").get().details == {"teacher": "张三"}


def test_teacher_remove_by_other_county_is_permission_denied(county_user, other_county_user):
    teacher = teacher_add(actor=county_user, institution=InstitutionFactory(), name="张三", id_number="2301021990")
    with pytest.raises(PermissionDenied):
        teacher_remove(actor=other_county_user, teacher=teacher)
    assert Teacher.objects.filter(pk=teacher.pk).exists()


def test_venue_add_and_remove_are_audited(institution_user, county_user):
    institution = InstitutionFactory()
    user = institution_user(institution)
    venue = venue_add(actor=user, institution=institution, name="实训车间", address="中直路 88 号", capacity=40)
    assert events(user, "institution.venue_added").get().details == {"venue": "实训车间"}
    venue_remove(actor=county_user, venue=venue)
    assert not Venue.objects.exists()
    assert events(county_user, "institution.venue_removed").count() == 1


def test_venue_add_to_another_institution_is_permission_denied(institution_user):
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    with pytest.raises(PermissionDenied):
        venue_add(actor=institution_user(mine), institution=theirs, name="教室", address="某处")


# --- annual inspections ------------------------------------------------------------------------------


def inspect(actor, institution, kind=AnnualInspection.Kind.INSPECTION, year=2024):
    return inspection_record(
        actor=actor,
        institution=institution,
        year=year,
        kind=kind,
        outcome=AnnualInspection.Outcome.PASSED,
        inspected_on=date(2024, 12, 1),
    )


def test_inspection_is_recorded_and_audited(county_user):
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    inspect(county_user, institution)
    assert institution.inspections.get().outcome == AnnualInspection.Outcome.PASSED
    assert events(county_user, "institution.inspection_recorded").get().details == {"year": 2024, "outcome": "passed"}


def test_duplicate_inspection_of_the_same_year_and_kind_is_refused(county_user):
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    inspect(county_user, institution)
    with pytest.raises(DomainError) as exc:
        inspect(county_user, institution)
    assert exc.value.field == "year"
    assert "2024" in str(exc.value)
    assert institution.inspections.count() == 1


def test_report_and_inspection_of_the_same_year_and_next_year_are_distinct(county_user):
    institution = InstitutionFactory(designated_on=date(2024, 1, 1))
    inspect(county_user, institution)
    inspect(county_user, institution, kind=AnnualInspection.Kind.REPORT)
    inspect(county_user, institution, year=2025)
    assert institution.inspections.count() == 3


def test_institution_user_cannot_record_its_own_inspection(institution_user):
    institution = InstitutionFactory()
    with pytest.raises(PermissionDenied):
        inspect(institution_user(institution), institution)
