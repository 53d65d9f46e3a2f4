"""A class's timetable by pattern: the form, its preview with every problem, and "生成" to create it all."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.errors import DomainError
from core.policy import PermissionRequiredMixin

from . import selectors
from .forms import TimetablePatternForm
from .services import timetable


class TimetablePatternView(PermissionRequiredMixin, View):
    permission = "class.manage_own"
    template = "training/timetable_pattern.html"

    def _class(self, request, pk):
        return get_object_or_404(selectors.class_list(user=request.user), pk=pk)

    def get(self, request, pk):
        c = self._class(request, pk)
        return render(request, self.template, {"c": c, "form": TimetablePatternForm(training_class=c)})

    def post(self, request, pk):
        c = self._class(request, pk)
        form = TimetablePatternForm(request.POST, training_class=c)
        context = {"c": c, "form": form}
        if not form.is_valid():
            return render(request, self.template, context, status=400)
        pattern = {k: form.cleaned_data[k] for k in ("start", "end", "weekdays", "periods")}
        people = {"teacher": form.cleaned_data["teacher"], "venue": form.cleaned_data["venue"]}
        try:
            if "confirm" in request.POST:
                made = timetable.timetable_apply(
                    actor=request.user, training_class=c, kind=form.cleaned_data["kind"], **people, **pattern
                )
                messages.success(
                    request, _("已按规律生成 %(n)s 节课。请核对课表，再导入花名册并提交审批。") % {"n": made}
                )
                return redirect("training:detail", pk=pk)
            planned = timetable.timetable_preview(c, **people, **pattern)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return render(request, self.template, context, status=400)
        hours = sum(p.period.hours for p in planned if not p.problem)
        existing = sum(s.hours for s in c.sessions.all())
        context |= {
            "planned": planned,
            "problems": sum(1 for p in planned if p.problem),
            "hours": hours,
            "existing": existing,
        }
        return render(request, self.template, context)
