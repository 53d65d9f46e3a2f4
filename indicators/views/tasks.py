"""Key tasks (重点任务) of a plan: the list (all, open, overdue) with their latest progress, and a progress report."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import clock
from core.forms import call_service, query_status
from core.policy import PermissionRequiredMixin

from ..forms import TaskProgressForm
from ..models import KeyTask
from ..selectors.plans import key_task_list, overdue_tasks, plans_of
from ..services.plans import task_progress_report
from .common import chosen_plan, form_errors, read_query

TASK_FILTERS = {"all": gettext_lazy("全部"), "open": gettext_lazy("未完成"), "overdue": gettext_lazy("已逾期")}


class KeyTaskListView(PermissionRequiredMixin, View):
    permission = "task.view"

    def get(self, request):
        plans = plans_of(request.user)
        query, error = read_query(request.GET)
        plan = chosen_plan(plans, query)
        today = clock.today()
        show = request.GET.get("show") or "all"
        if show not in TASK_FILTERS:
            error, show = "；".join(e for e in (error, _("显示：请选择全部、未完成或已逾期。")) if e), "all"
        context = {
            "plans": plans,
            "plan": plan,
            "tasks": key_task_list(plan=plan, show=show, today=today) if plan is not None else [],
            "show": show,
            "filters": TASK_FILTERS,
            "overdue_count": overdue_tasks(plan, today).count() if plan else 0,
            "form": TaskProgressForm(),
        }
        return render(request, "indicators/tasks.html", context, status=query_status(request, error))


class TaskProgressView(PermissionRequiredMixin, View):
    permission = "task.report"

    def post(self, request, pk):
        task = get_object_or_404(KeyTask.objects.filter(plan__in=plans_of(request.user)).select_related("plan"), pk=pk)
        form = TaskProgressForm(request.POST)
        if form.is_valid():
            call_service(form, task_progress_report, actor=request.user, task=task, **form.cleaned_data)
        if form.errors:
            messages.error(request, form_errors(form))
        else:
            messages.success(request, _("已报告进展。"))
        return redirect(f"{reverse('indicators:tasks')}?{urlencode({'plan': task.plan.code})}#task-{task.pk}")
