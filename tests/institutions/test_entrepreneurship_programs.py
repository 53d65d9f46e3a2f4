"""创业培训 programs: one entrepreneurship stage and no occupation or level (the service and a check constraint),
once per institution, stage and mode."""

import pytest
from django.db import IntegrityError, transaction

from catalog.models import EntrepreneurshipStage, SkillLevel, TrainingType
from core.errors import DomainError
from institutions.models import Program

from .factories import DesignatedInstitutionFactory, ProgramFactory, occupation
from .pages_kit import program_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def stage(code="syb"):
    return EntrepreneurshipStage.objects.get(code=code)


def syb(**kw):
    fields = {
        "occupation": None,
        "skill_level": None,
        "entrepreneurship_stage": stage(),
        "training_type": TrainingType.objects.get(code="entrepreneurship"),
    }
    return ProgramFactory(**(fields | kw))


def test_the_stages_are_the_seeds_and_in_their_order():
    names = list(EntrepreneurshipStage.objects.values_list("code", flat=True))
    assert names == ["gyb", "syb", "iyb", "online", "simulation"]


def test_an_entrepreneurship_program_has_a_stage_and_no_occupation_or_level():
    program = syb()
    assert program.is_entrepreneurship and program.occupation is None and program.skill_level is None
    assert str(program) == "创办企业培训（SYB）（线下）"


@pytest.mark.parametrize("extra", ["occupation", "skill_level"])
def test_a_stage_with_an_occupation_or_a_level_is_refused(extra):
    value = {"occupation": occupation(), "skill_level": SkillLevel.objects.get(code="level5")}[extra]
    with pytest.raises(DomainError, match="培训阶段"):
        syb(**{extra: value})


def test_neither_a_stage_nor_an_occupation_and_level_is_refused():
    with pytest.raises(DomainError, match="职业"):
        ProgramFactory(occupation=None)


def test_one_program_per_institution_stage_and_mode():
    first = syb()
    with pytest.raises(DomainError, match="相同的项目"):
        syb(institution=first.institution)
    syb(institution=first.institution, entrepreneurship_stage=stage("iyb"))  # another stage: fine


def test_the_database_holds_a_program_to_an_occupation_and_level_or_a_stage():
    program = syb()
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(occupation=occupation())
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(entrepreneurship_stage=None)


def test_the_program_page_lists_an_entrepreneurship_stage(client, county_user):
    institution = DesignatedInstitutionFactory()
    client.force_login(county_user)
    assert "培训阶段" in client.get("/institutions/programs/new/").content.decode()
    data = program_data(
        institution,
        occupation="",
        skill_level="",
        entrepreneurship_stage=stage("gyb").pk,
        training_type=TrainingType.objects.get(code="entrepreneurship").pk,
    )
    assert client.post("/institutions/programs/new/", data).status_code == 302
    program = Program.objects.get(institution=institution)
    assert program.entrepreneurship_stage == stage("gyb") and program.occupation is None
    detail = client.get(f"/institutions/{institution.pk}/").content.decode()
    assert stage("gyb").name in detail
