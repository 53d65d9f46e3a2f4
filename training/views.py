"""Pages of classes: the institution applies, uploads the roster and records attendance and results; the county
approves. Every class is fetched through the scoped selector (out of scope = 404)."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core import clock
from core.errors import DomainError
from core.forms import call_service, paginate, query_status
from core.importing import XLSX_CONTENT_TYPE
from core.policy import PermissionRequiredMixin, can
from core.work import waiting_on
from core.workflow import available_actions
from trainees.models import Certificate

from . import selectors
from .business_starts import follow_up_status
from .forms import (
    ChangeForm,
    ClassEditForm,
    ClassForm,
    DeviceForm,
    ManualAttendanceForm,
    MaterialForm,
    ResultForm,
    RosterUploadForm,
    SessionForm,
    TransitionForm,
)
from .models import CheckInDevice, ClassSession, ClassStatus, EnrollmentResult
from .services import attendance, classes, results, roster, roster_template
from .services.bookings import application_warnings


def _scoped_class(request, pk):
    return get_object_or_404(selectors.class_list(user=request.user), pk=pk)


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors) or _("操作未完成。")


def _back(request, form, ok_message, pk):
    if form.errors:
        messages.error(request, _errors(form))
    else:
        messages.success(request, ok_message)
    return redirect("training:detail", pk=pk)


class ClassListView(PermissionRequiredMixin, View):
    permission = "class.list"

    def get(self, request):
        status = request.GET.get("status") or ""
        error = "" if not status or status in ClassStatus.values else _("状态：请选择列出的状态之一。")
        status = status if status in ClassStatus.values else ""
        filters = {"status": status} if status else {}
        page, page_error = paginate(request, selectors.class_list(user=request.user, filters=filters), 50)
        return render(
            request,
            "training/class_list.html",
            {
                "page": page,
                "statuses": ClassStatus.choices,
                "status": status,
                "query": urlencode({"status": status}),
            },
            status=query_status(request, error, page_error),
        )


class ApprovalQueueView(PermissionRequiredMixin, View):
    permission = "class.decide"

    def get(self, request):
        return render(request, "training/queue.html", {"classes": selectors.approval_queue(user=request.user)})


class ClassCreateView(PermissionRequiredMixin, View):
    permission = "class.create"

    def get(self, request):
        form = ClassForm(institution=request.user.institution)
        return render(request, "training/form.html", {"form": form, "title": _("开班申请")})

    def post(self, request):
        form = ClassForm(request.POST, institution=request.user.institution)
        if form.is_valid():
            training_class = call_service(form, classes.class_create, actor=request.user, **form.cleaned_data)
            if training_class:
                messages.success(request, _("已创建开班申请，请填写课程表、上传材料和花名册后提交。"))
                return redirect("training:detail", pk=training_class.pk)
        return render(request, "training/form.html", {"form": form, "title": _("开班申请")}, status=400)


class ClassEditView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def get(self, request, pk):
        c = _scoped_class(request, pk)
        form = ClassEditForm(
            initial={
                "name": c.name,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "planned_headcount": c.planned_headcount,
                "department": c.department_id,
            }
        )
        return render(request, "training/form.html", {"form": form, "title": _("修改开班申请"), "training_class": c})

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = ClassEditForm(request.POST)
        if form.is_valid() and call_service(
            form, classes.class_update, actor=request.user, training_class=c, **form.cleaned_data
        ):
            return redirect("training:detail", pk=pk)
        return render(
            request, "training/form.html", {"form": form, "title": _("修改开班申请"), "training_class": c}, status=400
        )


# The session remembers, until the class page is next shown, that a roster upload was refused before any job
# started (wrong format, too large): the previous job's outcome is then no longer the latest word.
ROSTER_REFUSED = "training_roster_refused"


def _roster_job(request, c):
    """The outcome of the latest roster upload: its job (the last one made, whatever the clock said), or none
    when the latest upload was refused outright."""
    if request.session.get(ROSTER_REFUSED) == c.pk:
        del request.session[ROSTER_REFUSED]
        return None
    return c.import_jobs.order_by("-pk").first()


class ClassDetailView(PermissionRequiredMixin, View):
    """The whole package on one page: application, timetable, materials, roster, attendance, results."""

    permission = "class.list"

    def get(self, request, pk):
        c = _scoped_class(request, pk)
        user = request.user
        is_owner = can(user, "class.manage_own", c)
        is_decider = can(user, "class.decide", c)
        acts = available_actions(user, c)
        sessions = list(c.sessions.select_related("teacher", "venue"))
        enrollments = list(selectors.roster(c))
        summary = attendance.attendance_summary(c)
        checked = set(c.enrollments.filter(attendances__isnull=False).values_list("id", "attendances__session_id"))
        context = {
            "c": c,
            "acts": acts,
            "sessions": sessions,
            "enrollments": enrollments,
            "summary": summary,
            "checked": checked,
            "materials": c.materials.all(),
            "history": c.status_changes.select_related("actor"),
            "total_hours": sum(s.hours for s in sessions),
            "problems": classes.approval_problems(c, clock.today()) if "approve" in acts else [],
            # Venues or teachers booked twice, a venue too small: seen by the bureau deciding and the owner editing.
            "warnings": application_warnings(c) if "return" in acts or "edit" in acts else [],
            "job": _roster_job(request, c) if is_owner or is_decider else None,
            "session_form": SessionForm(auto_id="id_session_%s"),
            "material_form": MaterialForm(auto_id="id_material_%s"),
            "roster_form": RosterUploadForm(),
            "change_form": ChangeForm(),
            "result_choices": EnrollmentResult.choices,
            "next_steps": waiting_on(user, c),  # e.g. 申请补贴 once finished (the claim is a higher app's)
            "follow_up": follow_up_status(c),  # 创业培训 only: business starts recorded
        }
        return render(request, "training/class_detail.html", context)


class SessionCreateView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = SessionForm(request.POST)
        if form.is_valid():
            call_service(form, classes.session_add, actor=request.user, training_class=c, **form.cleaned_data)
        return _back(request, form, _("已添加课程。"), pk)


class SessionDeleteView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk, session_pk):
        c = _scoped_class(request, pk)
        session = get_object_or_404(ClassSession, pk=session_pk, training_class=c)
        try:
            classes.session_remove(actor=request.user, session=session)
            messages.success(request, _("已删除课程。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("training:detail", pk=pk)


class MaterialUploadView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            call_service(
                form,
                classes.material_upload,
                actor=request.user,
                training_class=c,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            )
        return _back(request, form, _("已上传材料。"), pk)


class MaterialDownloadView(PermissionRequiredMixin, View):
    permission = "class.list"

    def get(self, request, pk, material_pk):
        c = _scoped_class(request, pk)
        material = get_object_or_404(c.materials, pk=material_pk)
        return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.original_name)


class RosterUploadView(PermissionRequiredMixin, View):
    """Starts the background import; the detail page shows its progress."""

    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            call_service(
                form,
                roster.roster_job_create,
                actor=request.user,
                training_class=c,
                uploaded_file=form.cleaned_data["file"],
            )
        if form.errors:
            messages.error(request, _errors(form))
            request.session[ROSTER_REFUSED] = c.pk
        else:
            request.session.pop(ROSTER_REFUSED, None)
        return redirect("training:detail", pk=pk)


class RosterTemplateView(PermissionRequiredMixin, View):
    """The template with drop-downs and an example row; the example's 户籍所在地 is the user's own county."""

    permission = "class.list"

    def get(self, request):
        user = request.user
        county = user.institution.county if user.institution_id else user.region
        data = roster_template.roster_template_xlsx(county=county if county and county.level == "county" else None)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response


class JobProgressView(PermissionRequiredMixin, View):
    """The htmx fragment polled by the progress bar."""

    permission = "class.list"

    def get(self, request, job_pk):
        job = get_object_or_404(
            selectors.import_job_list(user=request.user).select_related("training_class"), pk=job_pk
        )
        response = render(request, "training/_job.html", {"job": job, "c": job.training_class})
        if job.succeeded and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"  # show the new roster
        return response


class ClassTransitionView(PermissionRequiredMixin, View):
    """The forms post the target status; training.workflows.CLASS decides which act that is and who may take it."""

    permission = "class.transition"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = TransitionForm(request.POST)
        if form.is_valid():
            call_service(form, classes.class_transition, actor=request.user, training_class=c, **form.cleaned_data)
        return _back(request, form, _("已处理。"), pk)


class ClassChangeView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = ChangeForm(request.POST)
        if form.is_valid():
            call_service(form, classes.class_request_change, actor=request.user, training_class=c, **form.cleaned_data)
        return _back(request, form, _("已转为变更：修改后请重新提交审批。"), pk)


class ManualAttendanceView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = ManualAttendanceForm(request.POST)
        if form.is_valid():
            enrollment = get_object_or_404(c.enrollments, pk=form.cleaned_data["enrollment"])
            session = get_object_or_404(c.sessions, pk=form.cleaned_data["session"])
            checked_at = timezone.make_aware(datetime.combine(session.date, session.start_time))
            call_service(
                form,
                attendance.attendance_record_manual,
                actor=request.user,
                enrollment=enrollment,
                session=session,
                checked_at=checked_at,
                reason=form.cleaned_data["reason"],
            )
        return _back(request, form, _("已补录考勤。"), pk)


class ResultView(PermissionRequiredMixin, View):
    permission = "class.manage_own"

    def post(self, request, pk):
        c = _scoped_class(request, pk)
        form = ResultForm(request.POST)
        if form.is_valid():
            enrollment = get_object_or_404(c.enrollments, pk=form.cleaned_data["enrollment"])
            number = request.POST.get("certificate_number", "").strip()
            certificate = (
                Certificate.objects.filter(trainee=enrollment.trainee, number=number).first() if number else None
            )
            if number and certificate is None:
                form.add_error(None, _("找不到该学员的证书 %(n)s，请先在学员档案中登记证书。") % {"n": number})
            else:
                call_service(
                    form,
                    results.enrollment_record_result,
                    actor=request.user,
                    enrollment=enrollment,
                    result=form.cleaned_data["result"],
                    score=form.cleaned_data["score"],
                    certificate=certificate,
                )
        return _back(request, form, _("已登记考核结果。"), pk)


class DeviceListView(PermissionRequiredMixin, View):
    permission = "device.manage"

    def get(self, request):
        devices = CheckInDevice.objects.filter(institution_id=request.user.institution_id)
        return render(request, "training/devices.html", {"devices": devices, "form": DeviceForm()})

    def post(self, request):
        if request.user.institution is None:
            raise PermissionDenied
        form = DeviceForm(request.POST)
        token = None
        if form.is_valid():
            result = call_service(
                form,
                attendance.device_issue,
                actor=request.user,
                institution=request.user.institution,
                name=form.cleaned_data["name"],
            )
            token = result[1] if result else None
        devices = CheckInDevice.objects.filter(institution_id=request.user.institution_id)
        response = render(request, "training/devices.html", {"devices": devices, "form": DeviceForm(), "token": token})
        response["Cache-Control"] = "no-store"
        return response


class DeviceRevokeView(PermissionRequiredMixin, View):
    permission = "device.manage"

    def post(self, request, device_pk):
        device = get_object_or_404(CheckInDevice, pk=device_pk, institution_id=request.user.institution_id)
        attendance.device_revoke(actor=request.user, device=device)
        messages.success(request, _("已停用设备。"))
        return redirect("training:devices")
