"""Glue between pages and services: a refused business rule becomes a form error, never a 500; every value a
page reads from its query string goes through a form field."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

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


# --- query strings ----------------------------------------------------------------------------------------
# Every parameter a page or the API reads from the query string goes through a form field (these, a filter form,
# a FilterSet): a bad value is a 400 with a Chinese message, and no raw value reaches the database (PostgreSQL
# refuses NUL in text; a 20-digit number or letters for an id used to be a 500).

MAX_PAGE = 100_000
MAX_ID = 2_147_483_647

region_code_validator = RegexValidator(r"^(\d{2}|\d{4}|\d{6})\Z", _("区划代码应为 2、4 或 6 位数字。"))


class RegionCodeField(forms.CharField):
    """A region code (23, 2312, 231202)."""

    default_validators = [region_code_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)


class CodeField(forms.CharField):
    """A plan's or an indicator's code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)


class IdField(forms.IntegerField):
    """An object's id in a query string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class PageQueryForm(forms.Form):
    page = forms.IntegerField(label=_("页码"), min_value=1, max_value=MAX_PAGE, required=False)


def query_errors(*query_forms) -> str:
    """The Chinese messages of the invalid ones among `query_forms`, each after its field's label ("" if none)."""
    return "；".join(
        f"{form.fields[name].label or name}：{message}" if name in form.fields else str(message)
        for form in query_forms
        for name, messages in form.errors.items()
        for message in messages
    )


def paginate(request, queryset, size: int):
    """(page, error) for ?page= of a list page: a page past the end is the last one (as Paginator.get_page); a
    value that is not a whole number from 1 is an error (the page answers 400 with it) and shows the first page."""
    form = PageQueryForm(request.GET)
    paginator = Paginator(queryset, size)
    if form.is_valid():
        return paginator.get_page(form.cleaned_data["page"] or 1), ""
    return paginator.get_page(1), query_errors(form)


def query_status(request, *errors: str) -> int:
    """The status of a list page: 400 with the errors shown as a message when there are any, else 200."""
    shown = "；".join(e for e in errors if e)
    if not shown:
        return 200
    from django.contrib import messages

    messages.error(request, _("查询条件有误，已忽略：%(e)s") % {"e": shown})
    return 400
