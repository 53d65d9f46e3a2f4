"""公示 and 一公开, no login: notices with masked rows and an objection form, and the spot-check draws with
their results. The contact details of an objection are never shown."""

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.middleware import client_ip
from core import clock
from core.forms import call_service, paginate, query_status

from . import selectors
from .forms import ObjectionForm
from .services import objections
from .services.notices import notice_is_intact

OBJECTION_LIMIT = 5  # objections a client address may send
OBJECTION_WINDOW = 60 * 60  # per hour


def _client_address(request) -> str:
    # Forwarded-for headers only from a configured proxy: a client could otherwise escape the limit.
    return client_ip(request) or "unknown"


def _objection_allowed(request) -> bool:
    """Count this attempt; False once the address has used up its attempts for the hour."""
    key = f"subsidies:objection-rate:{_client_address(request)}"
    cache.add(key, 0, timeout=OBJECTION_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=OBJECTION_WINDOW)
        count = 1
    return count <= OBJECTION_LIMIT


def notices(request, *, ended: bool = False):
    """The running and recent notices; with `ended`, the archive of every notice whose period is over."""
    notices = selectors.ended_notice_list() if ended else selectors.notice_list()
    page, error = paginate(request, notices, 30)
    context = {"page": page, "query": "", "today": clock.today(), "ended": ended}
    return render(request, "public/notices.html", context, status=query_status(request, error))


@sensitive_post_parameters("contact_phone", "contact_name")
def notice(request, pk):
    obj = get_object_or_404(selectors.published_notices(), pk=pk)
    rows = selectors.notice_rows(obj)
    is_open = selectors.notice_is_open(obj)
    form = ObjectionForm(request.POST or None, rows=rows)
    status = 200
    if request.method == "POST":
        if not _objection_allowed(request):
            form.add_error(None, _("提交过于频繁，请一小时后再试，或拨打人社局监督电话。"))
            status = 429
        elif form.is_valid():
            line_pk = form.cleaned_data["line"]
            line = obj.claim.lines.filter(pk=line_pk).first() if line_pk else None
            if line_pk and line is None:
                form.add_error("line", _("所选人员不在本次公示中。"))
            elif call_service(
                form,
                objections.objection_file,
                notice=obj,
                text=form.cleaned_data["text"],
                contact_name=form.cleaned_data["contact_name"],
                contact_phone=form.cleaned_data["contact_phone"],
                line=line,
            ):
                messages.success(request, _("已收到您的异议，人社局将在公示期结束前核实处理。"))
                return redirect("public_notices:notice", pk=obj.pk)
        if status == 200:
            status = 400
    context = {
        "notice": obj,
        "claim": obj.claim,
        "rows": rows,
        "intact": notice_is_intact(obj),
        "is_open": is_open,
        "form": form,
    }
    return render(request, "public/notice.html", context, status=status)


def spot_checks(request):
    page, error = paginate(request, selectors.public_spot_check_list(), 20)
    return render(request, "public/spot_checks.html", {"page": page, "query": ""}, status=query_status(request, error))
