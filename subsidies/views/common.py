"""What the subsidy pages share: the scoped claim, paging, and the redirect back with a message."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.forms import paginate, query_status

from .. import selectors


def scoped_claim(request, pk):
    return get_object_or_404(selectors.claim_list(user=request.user), pk=pk)


def errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors) or _("操作未完成。")


def page_of(request, queryset, size=50, error=""):
    """(page, query string without the page, status): 400 with a message when a filter or ?page= is invalid."""
    page, page_error = paginate(request, queryset, size)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode(), query_status(request, error, page_error)


def back(request, form, ok_message, url):
    if form.errors:
        messages.error(request, errors(form))
    else:
        messages.success(request, ok_message)
    return redirect(url)


def detail_url(pk, anchor=""):
    return reverse("subsidies:detail", args=[pk]) + (f"#{anchor}" if anchor else "")
