import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.models import AuditEvent
from accounts.services import audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(county_user):
    return audit_log(
        actor=county_user,
        action="class.approved",
        target=county_user,
        region=county_user.region,
        details={"reason": "ok"},
    )


def test_audit_event_records_actor_action_target_region_and_details(event, county_user):
    event.refresh_from_db()
    assert event.actor == county_user and event.action == "class.approved"
    assert event.target_id == str(county_user.pk) and event.target_repr == str(county_user)
    assert event.region.code == "231202" and event.details == {"reason": "ok"}


def test_audit_event_cannot_be_saved_again(event):
    event.action = "claim.approved"
    with pytest.raises(PermissionError):
        event.save()


def test_audit_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")


@pytest.mark.parametrize("sql", ["UPDATE accounts_auditevent SET action = 'x'", "DELETE FROM accounts_auditevent"])
def test_database_refuses_raw_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk, action="class.approved").exists()


def test_admin_has_no_add_change_or_delete_for_audit_events(admin_client, event):
    assert admin_client.get("/admin/accounts/auditevent/").status_code == 200
    assert admin_client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_page_shows_only_events_in_scope(client, county_user, make_user, region):
    audit_log(actor=None, action="institution.designated", region=region("231202"), details={})
    audit_log(actor=None, action="institution.revoked", region=region("231281"), details={})
    client.force_login(county_user)
    page = client.get("/accounts/audit/").content.decode()
    assert "institution.designated" in page and "institution.revoked" not in page

    client.force_login(make_user("city", "2312", username="suihua2"))
    page = client.get("/accounts/audit/").content.decode()
    assert "institution.designated" in page and "institution.revoked" in page


def test_audit_page_filters_by_action(client, city_user, region):
    audit_log(actor=None, action="claim.approved", region=region("231202"))
    audit_log(actor=None, action="class.approved", region=region("231202"))
    client.force_login(city_user)
    page = client.get("/accounts/audit/?action=claim.").content.decode()
    assert "claim.approved" in page and "class.approved" not in page


def test_institution_user_cannot_open_the_audit_page(client, make_user):
    client.force_login(make_user("institution", None))
    assert client.get("/accounts/audit/").status_code == 403


def test_audit_event_records_the_client_ip(client, county_user):
    client.force_login(county_user)
    client.post("/accounts/password/", {"old_password": "x", "new_password1": "a", "new_password2": "a"})
    client.logout()
    client.post(
        "/accounts/login/", {"username": county_user.username, "password": "Correct-horse-42"}, REMOTE_ADDR="10.1.2.3"
    )
    assert AuditEvent.objects.get(action="user.signed_in").ip == "10.1.2.3"
