from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from catalog.models import Region
from catalog.services import reference_import
from core.importing import ImportReport

from .middleware import current_client_ip
from .models import AuditEvent, User


def audit_log(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    region: Region | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction so the event and the change
    commit together. `details` must not hold personal data in clear (mask it first)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_repr=str(actor) if actor is not None else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        region=region,
        details=details or {},
        ip=current_client_ip(),
    )


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    audit_log(actor=user, action="user.password_changed", target=user, region=user.region)


def user_signed_in(*, user: User) -> None:
    audit_log(actor=user, action="user.signed_in", target=user, region=user.region)


@transaction.atomic
def reference_data_import(*, actor: User, kind: str, uploaded_file) -> ImportReport:
    """Import occupations or regions (catalog) and audit a successful import."""
    report = reference_import(kind=kind, uploaded_file=uploaded_file)
    if report.ok:
        audit_log(
            actor=actor,
            action=f"{kind}.imported",
            details={"file": uploaded_file.name, "created": report.created, "updated": report.updated},
        )
    return report
