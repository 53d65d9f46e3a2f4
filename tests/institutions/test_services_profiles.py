"""The institution services after registration: profile changes and their approval, teachers and venues, annual
inspections."""

import contextlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import DomainError
from institutions.models import (
    AnnualInspection,
    Institution,
    ProfileChangeRequest,
    Teacher,
    Venue,
)
from institutions.models import (
    InstitutionStatus as S,
)
from institutions.services.institutions import (
    change_request_decide,
    institution_update_profile,
    teacher_add,
    teacher_remove,
    venue_add,
    venue_remove,
)

from . import services_kit as kit
from .factories import InstitutionFactory
from .services_kit import (
    events,
    inspect,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
other_county_user = kit.other_county_user  # the fixture
institution_user = kit.institution_user  # the fixture

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


def test_approval_of_a_county_change_moves_the_institution(institution_user, county_user, city_user, region):
    institution = InstitutionFactory()
    request = institution_update_profile(
        actor=institution_user(institution), institution=institution, changes={"county": region("231281")}
    )
    assert request.changes == {"county": str(region("231281").pk)}
    with pytest.raises(PermissionDenied):  # 安达市 is not 北林区's: the clerk cannot move it out of the county
        change_request_decide(actor=county_user, request=request, approve=True)
    change_request_decide(actor=city_user, request=request, approve=True)  # the city holds both counties
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
