"""补贴标准 managed in the product (issue 14: the README said /admin/, where they were not): the province and each
city set their own region's standards (standard.manage), counties and finance read them; a standard no claim uses
is corrected in place, one in use never is — it gets a new version from a date and the old one is retired; every
change is audited; the list filters current and retired standards and exports to Excel."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.audit_labels import LABELS
from accounts.models import AuditEvent
from catalog.models import Region
from core.errors import DomainError
from subsidies.models import ClaimKind, SubsidyStandard
from subsidies.services import standards
from subsidies.services.standards import standard_for

from .factories import (
    START,
    bureau,
    completed_class,
    ensure_standard,
    finance,
    level,
    make_standard,
    province,
    training_type,
    verified_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


@pytest.fixture(autouse=True)
def no_two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = False


def as_user(user) -> Client:
    client = Client()
    user.refresh_from_db()
    client.force_login(user)
    return client


def city_standard(**kw) -> SubsidyStandard:
    return make_standard("2312", skill_level=level("level4"), amount=1500, **kw)


def actions(standard) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(standard.pk), action__startswith="standard.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def in_use():
    """The province's standard with a verified claim computed from it (a class starting on START)."""
    h = completed_class()
    claim = verified_claim(h)
    assert claim.standard.region.code == "23"
    return h, claim


# --- the service -------------------------------------------------------------------------------------------


def test_a_standard_no_claim_uses_is_corrected_in_place_and_audited():
    city = bureau("2312")
    standard = city_standard()
    standards.standard_update(actor=city, standard=standard, amount=Decimal(1600), document="绥人社发〔2026〕1号")
    standard.refresh_from_db()
    assert standard.amount == Decimal(1600) and standard.document == "绥人社发〔2026〕1号"
    event = AuditEvent.objects.get(action="standard.updated")
    assert event.details["amount"] == ["1500.00", "1600"]
    assert event.actor == city


def test_a_standard_in_use_is_never_changed_in_place(in_use):
    _, claim = in_use
    with pytest.raises(DomainError, match="新版本"):
        standards.standard_update(actor=province(), standard=claim.standard, amount=Decimal(1))
    claim.standard.refresh_from_db()
    assert claim.standard.amount == Decimal(1000)
    assert not AuditEvent.objects.filter(action="standard.updated").exists()


def test_a_new_version_from_a_date_retires_the_old_one_and_leaves_its_claims_alone(in_use):
    h, claim = in_use
    old = claim.standard
    start = START + timedelta(days=30)
    new = standards.standard_revise(actor=province(), standard=old, valid_from=start, amount=Decimal(1300))
    old.refresh_from_db()
    assert old.valid_to == start - timedelta(days=1) and old.amount == Decimal(1000)
    assert (new.valid_from, new.valid_to, new.amount) == (start, None, Decimal(1300))
    assert standards.standard_versions(new) == [old, new]  # the same key
    claim.refresh_from_db()
    assert claim.standard == old and claim.requested_amount == Decimal(3000)
    assert standard_for(h.training_class) == old  # its class started before the new version
    assert standard_for(h.training_class, on=start) == new
    assert actions(old)[-1] == "standard.retired" and actions(new) == ["standard.revised"]
    assert AuditEvent.objects.get(action="standard.revised").details["previous"] == old.pk


def test_a_new_version_cannot_start_before_a_class_that_uses_the_old_one(in_use):
    _, claim = in_use
    with pytest.raises(DomainError, match="开班日期"):
        standards.standard_revise(actor=province(), standard=claim.standard, valid_from=START, amount=Decimal(1))
    with pytest.raises(DomainError, match="晚于原标准的生效日期"):
        standards.standard_revise(
            actor=province(), standard=claim.standard, valid_from=claim.standard.valid_from, amount=Decimal(1)
        )
    claim.standard.refresh_from_db()
    assert claim.standard.valid_to is None
    assert SubsidyStandard.objects.count() == 1


def test_a_new_version_changes_only_the_amount_basis_hours_and_document(in_use):
    _, claim = in_use
    with pytest.raises(DomainError, match="新版本只能改变"):
        standards.standard_revise(
            actor=province(), standard=claim.standard, valid_from=date(2030, 1, 1), skill_level=level("level4")
        )


def test_retiring_never_ends_a_standard_before_a_class_that_uses_it(in_use):
    _, claim = in_use
    with pytest.raises(DomainError, match="不能早于该日期"):
        standards.standard_retire(actor=province(), standard=claim.standard, valid_to=START - timedelta(days=1))
    standards.standard_retire(actor=province(), standard=claim.standard, valid_to=START)
    claim.standard.refresh_from_db()
    assert claim.standard.valid_to == START
    assert actions(claim.standard)[-1] == "standard.retired"


def test_a_correction_may_not_overlap_another_version():
    city = bureau("2312")
    first = city_standard(valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    later = city_standard(valid_from=date(2025, 1, 1))
    with pytest.raises(DomainError, match="重叠"):
        standards.standard_update(actor=city, standard=first, valid_to=None)
    with pytest.raises(DomainError, match="失效日期不能早于"):
        standards.standard_update(actor=city, standard=later, valid_to=date(2024, 6, 1))


@pytest.mark.parametrize("who", ["county", "other_city", "province", "finance"])
def test_only_staff_of_the_standards_own_province_or_city_may_change_it(who):
    standard = city_standard()
    actor = {
        "county": lambda: bureau("231202"),
        "other_city": lambda: bureau("2301"),
        "province": province,
        "finance": lambda: finance("2312"),
    }[who]()
    for change in (
        lambda: standards.standard_update(actor=actor, standard=standard, amount=Decimal(1)),
        lambda: standards.standard_revise(actor=actor, standard=standard, valid_from=date(2030, 1, 1)),
        lambda: standards.standard_retire(actor=actor, standard=standard, valid_to=date(2030, 1, 1)),
    ):
        with pytest.raises(PermissionDenied):
            change()
    standard.refresh_from_db()
    assert (standard.amount, standard.valid_to) == (Decimal(1500), None)
    assert SubsidyStandard.objects.count() == 1


def test_every_code_the_standards_write_has_a_label():
    assert {"standard.created", "standard.updated", "standard.revised", "standard.retired"} <= set(LABELS)


# --- the page ----------------------------------------------------------------------------------------------


def test_the_list_shows_current_and_retired_standards_and_filters_them():
    city_standard(valid_from=date(2019, 1, 1), valid_to=date(2020, 12, 31), document="旧标准")
    city_standard(valid_from=date(2021, 1, 1), document="现行标准")
    ensure_standard("23")
    make_standard("2312", claim_kind=ClaimKind.LIVING, basis="per_day", amount=25, min_hours_per_day=6)
    client = as_user(bureau("231202"))  # a county reads its city's and province's standards
    html = client.get("/claims/standards/").content.decode()
    assert "旧标准" in html and "现行标准" in html and "已失效" in html and "生活费补贴" in html
    assert "制定补贴标准</a>" not in html  # a county does not set standards
    retired = client.get("/claims/standards/", {"state": "retired"}).content.decode()
    assert "旧标准" in retired and "现行标准" not in retired
    living = client.get("/claims/standards/", {"claim_kind": "living"}).content.decode()
    assert "生活费补贴" in living and "现行标准" not in living
    assert client.get("/claims/standards/", {"state": "nonsense"}).status_code == 400


def test_the_list_exports_to_excel_with_the_filters_applied():
    city_standard(valid_from=date(2019, 1, 1), valid_to=date(2020, 12, 31), document="旧标准")
    city_standard(valid_from=date(2021, 1, 1), document="现行标准")
    response = as_user(bureau("2312")).get("/claims/standards/", {"state": "current", "export": "xlsx"})
    assert response.status_code == 200 and "spreadsheet" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "区划代码" and len(rows) == 2
    assert rows[1][1] == "绥化市" and rows[1][-1] == "现行标准" and rows[1][-2] == "现行"


def test_a_city_sets_its_own_standard_on_the_page_and_a_county_may_not():
    data = {
        "claim_kind": "assessment",
        "training_type": training_type().pk,
        "skill_level": level("level5").pk,
        "basis": "per_person",
        "amount": "200",
        "min_hours_per_day": "0",
        "valid_from": "2026-01-01",
        "document": "绥人社发〔2026〕2号",
    }
    assert as_user(bureau("231202")).post("/claims/standards/new/", data).status_code == 403
    response = as_user(bureau("2312")).post("/claims/standards/new/", data)
    standard = SubsidyStandard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/claims/standards/{standard.pk}/"
    assert standard.region == Region.objects.get(code="2312") and standard.claim_kind == "assessment"
    assert actions(standard) == ["standard.created"]
    again = as_user(bureau("2312")).post("/claims/standards/new/", data)
    assert again.status_code == 400 and "重叠" in again.content.decode()  # the message says how to fix it


def test_the_page_of_a_standard_in_use_offers_a_new_version_not_a_correction(in_use):
    _, claim = in_use
    client = as_user(province())
    url = f"/claims/standards/{claim.standard.pk}/"
    html = client.get(url).content.decode()
    assert 'data-testid="standard-edit-form"' not in html and 'data-testid="standard-revise-form"' in html
    refused = client.post(url, {"claim_kind": "training", "amount": "1", "valid_from": "2024-01-01"})
    assert refused.status_code == 400
    revised = client.post(
        url + "revise/",
        {"valid_from": "2026-01-01", "basis": "per_person", "amount": "1100", "min_hours_per_day": "0"},
    )
    new = SubsidyStandard.objects.get(valid_from=date(2026, 1, 1))
    assert revised.status_code == 302 and revised["Location"] == f"/claims/standards/{new.pk}/"
    assert new.amount == Decimal(1100)
    early = client.post(url + "retire/", {"valid_to": "2024-01-01"})
    assert early.status_code == 400 and "不能早于该日期" in early.content.decode()


def test_a_city_may_not_change_the_provinces_standard_on_the_page():
    standard = ensure_standard("23")
    client = as_user(bureau("2312"))
    assert client.get(f"/claims/standards/{standard.pk}/").status_code == 200  # it reads it
    assert 'data-testid="standard-revise-form"' not in client.get(f"/claims/standards/{standard.pk}/").content.decode()
    for suffix, data in (("", {"amount": "1"}), ("revise/", {"valid_from": "2030-01-01"}), ("retire/", {})):
        assert client.post(f"/claims/standards/{standard.pk}/{suffix}", data).status_code == 403
    standard.refresh_from_db()
    assert standard.amount == Decimal(1000) and standard.valid_to is None
