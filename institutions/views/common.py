"""What the directory's pages share: Excel responses, paging, the scoped institution, the small POST forms."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.forms import call_service, paginate, query_status
from core.importing import XLSX_CONTENT_TYPE

from .. import selectors
from ..models import Institution


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def page_of(request, queryset, size=50, error=""):
    """(page, query string without the page, status): 400 with a message when a filter or ?page= is invalid."""
    page, page_error = paginate(request, queryset, size)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode(), query_status(request, error, page_error)


def scoped_institution(request, pk) -> Institution:
    return get_object_or_404(selectors.institution_list(user=request.user), pk=pk)


def post_form_then_back(request, back_to, form, service, success, **kwargs):
    """Shared shape of the small POST forms on the detail page."""
    if form.is_valid() and call_service(form, service, actor=request.user, **kwargs, **form.cleaned_data) is not None:
        messages.success(request, success)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "；".join(errors) or _("操作未完成。"))
    return redirect("institutions:detail", pk=back_to.pk)
