"""What the institution service tests share: the designation transitions they expect, institutions in each status,
audit events, users."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from institutions.models import (
    AnnualInspection,
    Institution,
    InstitutionType,
)
from institutions.models import (
    InstitutionStatus as S,
)
from institutions.services.institutions import (
    inspection_record,
    institution_register,
)
from institutions.workflows import DESIGNATION

from .factories import InstitutionFactory, credit_code, designate, transition

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
