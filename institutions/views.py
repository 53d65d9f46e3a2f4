"""Bureau and institution pages of the directories. Every object is fetched through a scoped selector
(out of scope = 404), every write goes through a service."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from accounts.legacy_roles import RoleRequiredMixin
from accounts.models import Role
from accounts.selectors import regions_visible_to
from catalog.services import uploaded_sheet
from core.forms import call_service, paginate, query_errors, query_status
from core.importing import XLSX_CONTENT_TYPE, FileRejected, ImportError_, ImportReport, export_xlsx, read_sheet

from . import selectors
from .forms import (
    DecisionForm,
    ImportForm,
    InspectionForm,
    InstitutionFilterForm,
    InstitutionForm,
    ProgramFilterForm,
    ProgramForm,
    ProgramStatusForm,
    TeacherForm,
    TransitionForm,
    UrgentListForm,
    VenueForm,
)
from .models import Institution, ProfileChangeRequest, Teacher, Venue
from .resources import InstitutionResource, ProgramResource, export_queryset
from .services import imports
from .services import institutions as institution_services
from .services import programs as program_services
from .services.institutions import allowed_transitions
from .services.urgent_lists import urgent_list_publish

BUREAU = (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.ADMIN)
DECIDERS = (Role.CITY, Role.COUNTY)
EVERYONE_SCOPED = (*BUREAU, Role.INSTITUTION)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request, queryset, size=50, error=""):
    """(page, query string without the page, status): 400 with a message when a filter or ?page= is invalid."""
    page, page_error = paginate(request, queryset, size)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode(), query_status(request, error, page_error)


def _scoped_institution(request, pk) -> Institution:
    return get_object_or_404(selectors.institution_list(user=request.user), pk=pk)


# --- institutions -------------------------------------------------------------------------------------


class InstitutionListView(RoleRequiredMixin, View):
    allowed_roles = BUREAU

    def get(self, request):
        regions = regions_visible_to(request.user).exclude(level="province")
        form = InstitutionFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        institutions = selectors.institution_list(user=request.user, filters=filters)
        error = query_errors(form)
        if request.GET.get("export") == "xlsx" and not error:
            return _xlsx_response(export_queryset(InstitutionResource(), institutions), "institutions.xlsx")
        page, query, status = _page(request, institutions, error=error)
        context = {"form": form, "page": page, "query": query}
        return render(request, "institutions/institution_list.html", context, status=status)


class InstitutionCreateView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def get(self, request):
        form = InstitutionForm(regions=regions_visible_to(request.user))
        return render(request, "institutions/form.html", {"form": form, "title": _("登记培训机构申请")})

    def post(self, request):
        form = InstitutionForm(request.POST, regions=regions_visible_to(request.user))
        if form.is_valid():
            institution = call_service(
                form, institution_services.institution_register, actor=request.user, **form.cleaned_data
            )
            if institution:
                messages.success(request, _("已登记“%(n)s”的认定申请。") % {"n": institution.name})
                return redirect("institutions:detail", pk=institution.pk)
        return render(request, "institutions/form.html", {"form": form, "title": _("登记培训机构申请")}, status=400)


class InstitutionDetailView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE_SCOPED

    def get(self, request, pk):
        institution = _scoped_institution(request, pk)
        user = request.user
        may_decide = user.role in DECIDERS
        context = {
            "institution": institution,
            "programs": institution.programs.select_related("occupation", "skill_level", "training_type"),
            "teachers": institution.teachers.all(),
            "venues": institution.venues.all(),
            "history": institution.status_changes.select_related("actor").order_by("-effective_date", "-created_at"),
            "inspections": institution.inspections.all(),
            "change_requests": institution.change_requests.filter(status=ProfileChangeRequest.Status.PENDING),
            "may_decide": may_decide,
            "may_edit": may_decide or user.role == Role.INSTITUTION,
            "transition_form": TransitionForm() if may_decide else None,
            "transitions": allowed_transitions(institution.status) if may_decide else [],
            "inspection_form": InspectionForm() if may_decide else None,
            "program_status_form": ProgramStatusForm() if may_decide else None,
            "teacher_form": TeacherForm(),
            "venue_form": VenueForm(),
            "decision_form": DecisionForm(),
        }
        return render(request, "institutions/institution_detail.html", context)


class MyInstitutionView(RoleRequiredMixin, View):
    allowed_roles = (Role.INSTITUTION,)

    def get(self, request):
        if request.user.institution_id is None:
            return render(request, "institutions/no_institution.html")
        return redirect("institutions:detail", pk=request.user.institution_id)


def _post_form_then_back(request, back_to, form, service, success, **kwargs):
    """Shared shape of the small POST forms on the detail page."""
    if form.is_valid() and call_service(form, service, actor=request.user, **kwargs, **form.cleaned_data) is not None:
        messages.success(request, success)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "；".join(errors) or _("操作未完成。"))
    return redirect("institutions:detail", pk=back_to.pk)


class InstitutionTransitionView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk):
        institution = _scoped_institution(request, pk)
        return _post_form_then_back(
            request,
            institution,
            TransitionForm(request.POST),
            institution_services.institution_transition,
            _("认定状态已变更。"),
            institution=institution,
        )


class InspectionCreateView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk):
        institution = _scoped_institution(request, pk)
        return _post_form_then_back(
            request,
            institution,
            InspectionForm(request.POST),
            institution_services.inspection_record,
            _("已登记年度报告/检查。"),
            institution=institution,
        )


@method_decorator(sensitive_post_parameters("id_number"), name="dispatch")
class TeacherCreateView(RoleRequiredMixin, View):
    allowed_roles = (*DECIDERS, Role.INSTITUTION)

    def post(self, request, pk):
        institution = _scoped_institution(request, pk)
        return _post_form_then_back(
            request,
            institution,
            TeacherForm(request.POST),
            institution_services.teacher_add,
            _("已添加师资。"),
            institution=institution,
        )


class VenueCreateView(RoleRequiredMixin, View):
    allowed_roles = (*DECIDERS, Role.INSTITUTION)

    def post(self, request, pk):
        institution = _scoped_institution(request, pk)
        return _post_form_then_back(
            request,
            institution,
            VenueForm(request.POST),
            institution_services.venue_add,
            _("已添加培训场地。"),
            institution=institution,
        )


class TeacherDeleteView(RoleRequiredMixin, View):
    allowed_roles = (*DECIDERS, Role.INSTITUTION)

    def post(self, request, pk, teacher_pk):
        institution = _scoped_institution(request, pk)
        teacher = get_object_or_404(Teacher, pk=teacher_pk, institution=institution)
        institution_services.teacher_remove(actor=request.user, teacher=teacher)
        messages.success(request, _("已删除师资。"))
        return redirect("institutions:detail", pk=institution.pk)


class VenueDeleteView(RoleRequiredMixin, View):
    allowed_roles = (*DECIDERS, Role.INSTITUTION)

    def post(self, request, pk, venue_pk):
        institution = _scoped_institution(request, pk)
        venue = get_object_or_404(Venue, pk=venue_pk, institution=institution)
        institution_services.venue_remove(actor=request.user, venue=venue)
        messages.success(request, _("已删除培训场地。"))
        return redirect("institutions:detail", pk=institution.pk)


class InstitutionEditView(RoleRequiredMixin, View):
    """Bureau staff edit directly; an institution user's key-field changes become a change request."""

    allowed_roles = (*DECIDERS, Role.INSTITUTION)

    def _form(self, request, institution, data=None):
        return InstitutionForm(
            data,
            instance=institution,
            regions=regions_visible_to(request.user) if request.user.role != Role.INSTITUTION else None,
        )

    def get(self, request, pk):
        institution = _scoped_institution(request, pk)
        return render(
            request,
            "institutions/form.html",
            {"form": self._form(request, institution), "title": _("修改机构信息"), "institution": institution},
        )

    def post(self, request, pk):
        institution = _scoped_institution(request, pk)
        form = self._form(request, institution, request.POST)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            result = call_service(
                form,
                institution_services.institution_update_profile,
                actor=request.user,
                institution=institution,
                changes=changes,
            )
            if not form.errors:
                if result is not None:
                    messages.info(request, _("名称、信用代码等关键信息的变更已提交人社局审核，批准后生效。"))
                else:
                    messages.success(request, _("机构信息已保存。"))
                return redirect("institutions:detail", pk=institution.pk)
        return render(
            request,
            "institutions/form.html",
            {"form": form, "title": _("修改机构信息"), "institution": institution},
            status=400,
        )


class ChangeRequestDecideView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk, request_pk):
        institution = _scoped_institution(request, pk)
        change = get_object_or_404(ProfileChangeRequest, pk=request_pk, institution=institution)
        form = DecisionForm(request.POST)
        return _post_form_then_back(request, institution, form, _decide, _("变更申请已处理。"), change=change)


def _decide(*, actor, change, approve, reason):
    institution_services.change_request_decide(actor=actor, request=change, approve=approve, reason=reason)
    return True


# --- programs -----------------------------------------------------------------------------------------


class ProgramListView(RoleRequiredMixin, View):
    allowed_roles = EVERYONE_SCOPED

    def get(self, request):
        regions = regions_visible_to(request.user).exclude(level="province")
        form = ProgramFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        programs = selectors.program_list(user=request.user, filters=filters)
        error = query_errors(form)
        if request.GET.get("export") == "xlsx" and not error:
            return _xlsx_response(export_queryset(ProgramResource(), programs), "programs.xlsx")
        page, query, status = _page(request, programs, error=error)
        return render(
            request,
            "institutions/program_list.html",
            {
                "form": form,
                "page": page,
                "query": query,
                "may_decide": request.user.role in DECIDERS,
            },
            status=status,
        )


class ProgramCreateView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

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


class ProgramStatusView(RoleRequiredMixin, View):
    allowed_roles = DECIDERS

    def post(self, request, pk):
        program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
        return _post_form_then_back(
            request,
            program.institution,
            ProgramStatusForm(request.POST),
            program_services.program_set_status,
            _("项目目录状态已变更。"),
            program=program,
        )


# --- urgent-shortage lists ----------------------------------------------------------------------------


class UrgentListView(RoleRequiredMixin, View):
    allowed_roles = BUREAU

    def get(self, request):
        lists = selectors.urgent_list_list(user=request.user)
        form = UrgentListForm() if request.user.role in (Role.PROVINCE, *DECIDERS) else None
        return render(request, "institutions/urgent_lists.html", {"lists": lists, "form": form})

    def post(self, request):
        if request.user.role not in (Role.PROVINCE, *DECIDERS):
            raise PermissionDenied
        form = UrgentListForm(request.POST)
        if form.is_valid() and call_service(
            form, urgent_list_publish, actor=request.user, region=request.user.region, **form.cleaned_data
        ):
            messages.success(request, _("急需紧缺职业目录已发布。"))
            return redirect("institutions:urgent_lists")
        lists = selectors.urgent_list_list(user=request.user)
        return render(request, "institutions/urgent_lists.html", {"lists": lists, "form": form}, status=400)


# --- Excel import with preview ------------------------------------------------------------------------

IMPORT_TITLES = {"institutions": _("导入培训机构"), "programs": _("导入培训项目")}


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class DirectoryImportView(RoleRequiredMixin, View):
    """Upload → preview (every bad row listed, nothing saved) → confirm (all or nothing)."""

    allowed_roles = DECIDERS

    def get(self, request, kind):
        if kind not in imports.KINDS:
            raise PermissionDenied
        if request.GET.get("template"):
            return _xlsx_response(export_xlsx(imports.KINDS[kind].columns, []), f"{kind}-template.xlsx")
        return self._render(request, kind, ImportForm())

    def _render(self, request, kind, form, report=None, token=None, status=200):
        return render(
            request,
            "institutions/import.html",
            {
                "form": form,
                "kind": kind,
                "title": IMPORT_TITLES[kind],
                "report": report,
                "token": token,
            },
            status=status,
        )

    def post(self, request, kind):
        if kind not in imports.KINDS:
            raise PermissionDenied
        if "token" in request.POST:
            return self._confirm(request, kind)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, kind, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            sheet = uploaded_sheet(upload, allow_csv=False)
        except FileRejected as exc:
            report = ImportReport(errors=[ImportError_(None, "", str(exc))])
            return self._render(request, kind, form, report, status=400)
        report = imports.directory_import(actor=request.user, kind=kind, sheet=sheet, dry_run=True)
        if not report.ok:
            return self._render(request, kind, form, report, status=400)
        token = uuid.uuid4().hex
        upload.seek(0)
        (_upload_dir() / f"{token}.xlsx").write_bytes(upload.read())
        request.session[f"import-{token}"] = {"kind": kind, "user": request.user.pk}
        return self._render(request, kind, ImportForm(), report, token)

    def _confirm(self, request, kind):
        token = request.POST["token"]
        pending = request.session.pop(f"import-{token}", None)
        path = _upload_dir() / f"{token}.xlsx"
        if not pending or pending["kind"] != kind or not token.isalnum() or not path.exists():
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("institutions:import", kind=kind)
        try:
            sheet = read_sheet(path.read_bytes(), path.name, allow_csv=False)
            report = imports.directory_import(actor=request.user, kind=kind, sheet=sheet, dry_run=False)
        finally:
            path.unlink(missing_ok=True)
        if not report.ok:
            return self._render(request, kind, ImportForm(), report, status=400)
        messages.success(request, _("导入成功：%(n)s 行。") % {"n": report.created})
        return redirect("institutions:list" if kind == "institutions" else "institutions:programs")
