"""Every audit action has a Chinese label (issue 14: the audit log and 最近操作 showed `class.created`): the codes
the source writes literally, those it builds from a status or a kind, and everything the whole demo loop writes.
Pages show the label, with the code in a tooltip."""

import ast
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.audit_labels import LABELS, label_of
from accounts.models import AuditEvent, User
from institutions.models import AnnualInspection
from subsidies.workflows import CLAIM

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "catalog", "accounts", "institutions", "trainees", "training", "subsidies", "indicators"]
CODE = re.compile(r"[a-z_]+\.[a-z_]+")


def _is_audit_table(node) -> bool:
    return isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "AUDIT_ACTIONS" for t in node.targets)


def _codes_in(values) -> set[str]:
    return {
        v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str) and CODE.fullmatch(v.value)
    }


def literal_codes() -> set[str]:
    """String constants given as `action=` (audit_log and the status-change helpers) and the values of the
    services' AUDIT_ACTIONS tables."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.keyword) and node.arg == "action":
                    found |= _codes_in([node.value])
                elif _is_audit_table(node):
                    found |= _codes_in(ast.walk(node.value))
    return found


def built_codes() -> set[str]:
    """The codes built from a value: claim.<target status> for the claim's moves that name no code of their own
    (subsidies.services.claims._move), the reference-data and directory imports, the annual reports and
    inspections."""
    unnamed = ("submit", "resubmit", "return", "reject")
    return (
        {f"claim.{CLAIM[action].target}" for action in unnamed}
        | {"occupation.imported", "region.imported"}
        | {f"directory.{kind}_imported" for kind in ("institutions", "programs")}
        | {f"institution.{kind}_recorded" for kind in AnnualInspection.Kind.values}
    )


def test_every_code_the_source_writes_has_a_label():
    codes = literal_codes()
    assert len(codes) > 50  # the scan sees the codes
    assert sorted(codes - set(LABELS)) == []


def test_every_code_built_from_a_status_or_a_kind_has_a_label():
    assert sorted(built_codes() - set(LABELS)) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("reference_data")
def test_everything_the_demo_loop_writes_has_a_label_and_the_audit_page_shows_it(client, settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    written = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"class.approved", "claim.settled", "payment.advance_recorded"} <= written
    assert sorted(written - set(LABELS)) == []
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(User.objects.get(username="beilin"))
    html = client.get("/accounts/audit/", {"action": "class.approved"}).content.decode()  # newest first: filtered
    assert f'title="class.approved">{label_of("class.approved")}<' in html
    assert "<code>class.approved</code>" not in html
