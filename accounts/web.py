"""Glue between pages and services: a refused business rule becomes a form error, never a 500."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from .errors import DomainError


def call_service(form, service, **kwargs):
    """Run `service(**kwargs)`; on a DomainError, ValidationError or PermissionDenied put the message on the
    form (on its field when the form has it) and return None."""
    try:
        return service(**kwargs)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for message in errors:
                    form.add_error(target, message if target or field == NON_FIELD_ERRORS else f"{field}：{message}")
        else:
            for message in exc.messages:
                form.add_error(None, message)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "没有权限。")
    return None
