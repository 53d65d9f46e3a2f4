"""Pages of the program directory: the list, listing a program, delisting and relisting it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.selectors import regions_visible_to
from core.forms import call_service, query_errors
from core.policy import PermissionRequiredMixin, can

from .. import selectors
from ..forms import ProgramFilterForm, ProgramForm, ProgramStatusForm
from ..resources import ProgramResource, export_queryset
from ..services import programs as program_services
from .common import page_of, post_form_then_back, xlsx_response


class ProgramListView(PermissionRequiredMixin, View):
    permission = "program.list"

    def get(self, request):
        regions = regions_visible_to(request.user).exclude(level="province")
        form = ProgramFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        programs = selectors.program_list(user=request.user, filters=filters)
        error = query_errors(form)
        if request.GET.get("export") == "xlsx" and not error:
            return xlsx_response(export_queryset(ProgramResource(), programs), "programs.xlsx")
        page, query, status = page_of(request, programs, error=error)
        return render(
            request,
            "institutions/program_list.html",
            {
                "form": form,
                "page": page,
                "query": query,
                "may_decide": can(request.user, "program.decide"),
            },
            status=status,
        )


class ProgramCreateView(PermissionRequiredMixin, View):
    permission = "program.decide"

    def _form(self, request, data=None):
        initial = {"institution": request.GET.get("institution")}
        return ProgramForm(data, initial=initial, institutions=selectors.institution_list(user=request.user))

    def get(self, request):
        return render(request, "institutions/form.html", {"form": self._form(request), "title": _("列入培训项目")})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            program = call_service(form, program_services.program_list, actor=request.user, **form.cleaned_data)
            if program:
                messages.success(request, _("已将“%(p)s”列入培训项目目录。") % {"p": program})
                return redirect("institutions:detail", pk=program.institution_id)
        return render(request, "institutions/form.html", {"form": form, "title": _("列入培训项目")}, status=400)


class ProgramStatusView(PermissionRequiredMixin, View):
    """Delist or relist (the form posts the target status; institutions.workflows.LISTING decides)."""

    permission = "program.decide"

    def post(self, request, pk):
        program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
        return post_form_then_back(
            request,
            program.institution,
            ProgramStatusForm(request.POST),
            program_services.program_set_status,
            _("项目目录状态已变更。"),
            program=program,
        )
