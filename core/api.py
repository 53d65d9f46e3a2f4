"""API glue every app shares: business-rule refusals as 400s, and query-string and body fields that refuse what
the database would choke on."""

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .forms import MAX_ID, IdField, RegionCodeField
from .workflow import available_actions


def exception_handler(exc, context):
    """Business-rule refusals are 400 with the Chinese message (and the field at fault), not 500."""
    if isinstance(exc, DomainError):
        detail = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id in a query string: a whole number from 1 (letters, "1.5", "²" or 20 digits are a 400)."""

    field_class = IdField


class RegionCodeFilter(django_filters.CharFilter):
    """A region code (2, 4 or 6 digits)."""

    field_class = RegionCodeField


class CodeRelatedField(serializers.SlugRelatedField):
    """An object named by its code in a request body. A value with a NUL (PostgreSQL refuses it in text) or longer
    than any code is "does not exist" without a query: DRF's SlugRelatedField would pass it to the database."""

    max_code_length = 40

    def to_internal_value(self, data):
        if isinstance(data, str) and ("\x00" in data or len(data) > self.max_code_length):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:40].replace("\x00", "\\0"))
        return super().to_internal_value(data)


ACTIONS = serializers.ListField(child=serializers.CharField(), help_text="当前用户现在可以进行的操作（工作流动作名）")


def actions_of(serializer, obj) -> list[str]:
    """The acts the requesting user may start on `obj` now: its workflow's action names ("submit", "approve"), in
    the order the workflow declares them (the order of the buttons)."""
    request = serializer.context.get("request")
    return list(available_actions(request.user, obj)) if request else []


# `actions` on an object with a workflow. No docstring: the schema would give it to every serializer as theirs.
class ActionsMixin(serializers.Serializer):
    actions = serializers.SerializerMethodField()

    @extend_schema_field(ACTIONS)
    def get_actions(self, obj) -> list[str]:
        return actions_of(self, obj)
