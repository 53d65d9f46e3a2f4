"""Pages that enter a timetable in bulk: a weekly pattern or an Excel sheet, both previewed (every session, the
hours against the standard hours, each conflict) and then confirmed through training.services.timetable. The
preview carries its sessions to the confirmation signed; the service checks them all again."""

import io
from datetime import date, time

import openpyxl
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from openpyxl.comments import Comment
from openpyxl.styles import Font

from core.errors import DomainError
from core.forms import call_service
from core.importing import XLSX_CONTENT_TYPE
from core.policy import PermissionRequiredMixin
from core.uploads import FileRejected
from institutions.models import Teacher, Venue

from .forms import TimetableConfirmForm, TimetableImportForm, TimetablePatternForm
from .models import SessionKind, TrainingClass
from .services import classes, timetable
from .views import _scoped_class

SALT = "training.timetable.plan"
PLAN_MAX_AGE = 2 * 60 * 60  # a preview may be confirmed within two hours


def _editable_or_back(request, c):
    """None while the class may be edited; else the way back to it, with the reason."""
    try:
        classes.require_editable(request.user, c)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:detail", pk=c.pk)
    return None


def _page(request, c, *, form=None, import_form=None, plan=None, source="pattern", errors=(), status=200):
    confirm = None
    if plan is not None and plan.drafts:
        signed = signing.dumps({"c": c.pk, "d": drafts_dump(plan.drafts)}, salt=SALT, compress=True)
        confirm = TimetableConfirmForm(initial={"plan": signed, "source": source})
    context = {
        "c": c,
        "form": form or TimetablePatternForm(training_class=c),
        "import_form": import_form or TimetableImportForm(),
        "plan": plan,
        "source": source,
        "errors": list(errors),
        "confirm_form": confirm,
    }
    return render(request, "training/timetable_pattern.html", context, status=status)


def _pattern_plan(*, actor, training_class, data):
    periods = timetable.parse_periods(data["periods"])
    drafts, skipped = timetable.pattern_expand(
        training_class=training_class,
        start=data["start"],
        end=data["end"],
        weekdays=set(data["weekdays"]),
        periods=periods,
        kind=data["kind"],
        teacher=data["teacher"],
        venue=data["venue"],
        content=data.get("content", ""),
    )
    return timetable.timetable_preview(actor=actor, training_class=training_class, drafts=drafts, skipped_days=skipped)


# --- carrying a previewed plan to the confirmation (the service checks it again) ---------------------


def drafts_dump(drafts: list[timetable.Draft]) -> list[list]:
    return [
        [
            d.date.isoformat(),
            f"{d.start_time:%H:%M}",
            f"{d.end_time:%H:%M}",
            d.kind,
            d.hours,
            d.teacher.pk if d.teacher else None,
            d.venue.pk if d.venue else None,
            d.row,
            d.content,
        ]
        for d in drafts
    ]


def drafts_load(training_class: TrainingClass, data: list[list]) -> list[timetable.Draft]:
    """The drafts of a preview; teachers and venues only the class's institution's (else PermissionDenied)."""
    institution = training_class.institution_id
    teachers = {t.pk: t for t in Teacher.objects.filter(institution_id=institution)}
    venues = {v.pk: v for v in Venue.objects.filter(institution_id=institution)}
    drafts = []
    for day, start, end, kind, hours, teacher, venue, row, *content in data:  # previews signed before 课程内容 have 8
        if (teacher and teacher not in teachers) or (venue and venue not in venues) or kind not in SessionKind.values:
            raise PermissionDenied(_("只能安排本机构的教师和场地。"))
        drafts.append(
            timetable.Draft(
                date.fromisoformat(day),
                time.fromisoformat(start),
                time.fromisoformat(end),
                kind,
                int(hours),
                teachers.get(teacher),
                venues.get(venue),
                row,
                str(content[0] if content else "")[: timetable.CONTENT_MAX],
            )
        )
    return drafts


class TimetablePatternView(PermissionRequiredMixin, View):
    """GET: the pattern and import forms. POST: the pattern's preview."""

    permission = "class.manage_own"

    def get(self, request, pk):
        c = _scoped_class(request, pk)
        return _editable_or_back(request, c) or _page(request, c)

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        back = _editable_or_back(request, c)
        if back:
            return back
        form = TimetablePatternForm(request.POST, training_class=c)
        plan = None
        if form.is_valid():
            plan = call_service(form, _pattern_plan, actor=request.user, training_class=c, data=form.cleaned_data)
        if plan is not None and not plan.drafts:
            form.add_error(None, _("所选日期范围和星期在培训日期内没有上课日，请调整日期范围或勾选的星期。"))
            plan = None
        return _page(request, c, form=form, plan=plan, status=200 if plan else 400)


class TimetableImportView(PermissionRequiredMixin, View):
    """POST an .xlsx: its preview, or its errors (row, column and how to fix each)."""

    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        back = _editable_or_back(request, c)
        if back:
            return back
        import_form = TimetableImportForm(request.POST, request.FILES)
        if not import_form.is_valid():
            return _page(request, c, import_form=import_form, source="import", status=400)
        upload = import_form.cleaned_data["file"]
        try:
            drafts, errors = timetable.timetable_read(training_class=c, data=upload.read(), filename=upload.name)
        except FileRejected as exc:
            drafts, errors = [], [str(exc)]
        if errors:
            return _page(request, c, import_form=import_form, source="import", errors=errors, status=400)
        plan = call_service(
            import_form, timetable.timetable_preview, actor=request.user, training_class=c, drafts=drafts
        )
        return _page(request, c, import_form=import_form, plan=plan, source="import", status=200 if plan else 400)


class TimetableConfirmView(PermissionRequiredMixin, View):
    """Creates the previewed sessions, all or none."""

    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = TimetableConfirmForm(request.POST)
        drafts = None
        if form.is_valid():
            try:
                signed = signing.loads(form.cleaned_data["plan"], salt=SALT, max_age=PLAN_MAX_AGE)
            except signing.BadSignature:
                signed = None
            if not signed or signed.get("c") != c.pk:
                form.add_error(None, _("预览已过期或不属于本班，请重新预览后再确认。"))
            else:
                drafts = call_service(form, drafts_load, training_class=c, data=signed["d"])
        sessions = None
        if drafts is not None:
            sessions = call_service(
                form,
                timetable.timetable_generate,
                actor=request.user,
                training_class=c,
                drafts=drafts,
                source=form.cleaned_data["source"],
            )
        if sessions is None:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return (
                redirect("training:timetable_pattern", pk=pk) if c.is_editable else redirect("training:detail", pk=pk)
            )
        messages.success(request, _("已生成 %(n)s 节课。") % {"n": len(sessions)})
        return redirect("training:detail", pk=pk)


class TimetableTemplateView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def get(self, request):
        response = HttpResponse(timetable_template(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="timetable-template.xlsx"'
        return response


HELP = {
    "日期": gettext_lazy("必填。格式 2026-03-05，也可写 2026/3/5；须在培训日期内。"),
    "开始时间": gettext_lazy("必填。24 小时制，如 08:30。"),
    "结束时间": gettext_lazy("必填。24 小时制，如 11:30，须晚于开始时间。"),
    "类型": gettext_lazy("理论 或 实操，留空按理论。"),
    "课时": gettext_lazy("正整数；留空按每 45 分钟 1 课时计算。每课时不少于 40 分钟。"),
    "授课教师": gettext_lazy("本机构师资名单中的姓名，可留空。"),
    "上课地点": gettext_lazy("本机构场地名单中的名称，可留空。"),
    "课程内容": gettext_lazy("本节课讲授的内容，如“老年人生活照料”，可留空，最多 100 字。"),
}
EXAMPLE = ["2026-03-02", "08:30", "11:30", "理论", "3", "", "", "职业道德与安全知识"]


def timetable_template() -> bytes:
    """Text-formatted columns (so 08:30 stays 08:30), a comment on each header, and one example row."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "课程表"
    for n, (column, example) in enumerate(zip(timetable.COLUMNS, EXAMPLE, strict=True), start=1):
        header = ws.cell(row=1, column=n, value=column)
        header.font = Font(bold=True)
        header.comment = Comment(str(HELP[column]), _("课程表模板"))
        cell = ws.cell(row=2, column=n, value=example)
        cell.number_format = "@"
        letter = header.column_letter
        ws.column_dimensions[letter].number_format = "@"
        ws.column_dimensions[letter].width = 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
