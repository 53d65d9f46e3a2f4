"""Bureau and institution pages of the directory of institutions. Every object is fetched through a scoped
selector (out of scope = 404), every write goes through a service, every "may this user" is a permission."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from accounts.selectors import regions_visible_to
from core.forms import call_service, query_errors
from core.policy import PermissionRequiredMixin, can
from core.workflow import available_actions

from .. import selectors
from ..forms import (
    DecisionForm,
    InspectionForm,
    InstitutionFilterForm,
    InstitutionForm,
    ProgramStatusForm,
    TeacherForm,
    TransitionForm,
    VenueForm,
)
from ..models import InstitutionStatus, ProfileChangeRequest, Program, Teacher, Venue
from ..resources import InstitutionResource, export_queryset
from ..services import institutions as institution_services
from ..workflows import CHANGE_REQUEST
from .common import page_of, post_form_then_back, scoped_institution, xlsx_response

# --- institutions -------------------------------------------------------------------------------------


class InstitutionListView(PermissionRequiredMixin, View):
    permission = "institution.list"

    def get(self, request):
        regions = regions_visible_to(request.user).exclude(level="province")
        form = InstitutionFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        institutions = selectors.institution_list(user=request.user, filters=filters)
        error = query_errors(form)
        if request.GET.get("export") == "xlsx" and not error:
            return xlsx_response(export_queryset(InstitutionResource(), institutions), "institutions.xlsx")
        page, query, status = page_of(request, institutions, error=error)
        context = {"form": form, "page": page, "query": query}
        return render(request, "institutions/institution_list.html", context, status=status)


class InstitutionCreateView(PermissionRequiredMixin, View):
    permission = "institution.decide"

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


class InstitutionDetailView(PermissionRequiredMixin, View):
    permission = "institution.view"

    def get(self, request, pk):
        institution = scoped_institution(request, pk)
        user = request.user
        may_decide = can(user, "institution.decide", institution)
        # One option per act of the designation workflow open to the user: its target status.
        acts = available_actions(user, institution)
        transitions = [(t.target, InstitutionStatus(t.target).label) for t in acts.values()]
        context = {
            "institution": institution,
            "programs": institution.programs.select_related("occupation", "skill_level", "training_type"),
            "teachers": institution.teachers.all(),
            "venues": institution.venues.all(),
            "history": institution.status_changes.select_related("actor").order_by("-effective_date", "-created_at"),
            "inspections": institution.inspections.all(),
            "change_requests": institution.change_requests.filter(status__in=CHANGE_REQUEST.sources("approve")),
            "may_decide": may_decide,
            "may_edit": can(user, "institution.edit", institution),
            "may_list_program": institution.is_designated
            and can(user, "program.decide", Program(institution=institution)),
            # A work item may lead here with the act and its reason chosen (training.first_year: ?to_status=&reason=).
            "transition_form": TransitionForm(initial={"reason": request.GET.get("reason", "")[:1000]})
            if transitions
            else None,
            "transitions": transitions,
            "chosen_status": request.GET.get("to_status", ""),
            "inspection_form": InspectionForm() if may_decide else None,
            "program_status_form": ProgramStatusForm() if may_decide else None,
            # ids of their own: the teacher's and the venue's "name" share a page; the decision form repeats
            "teacher_form": TeacherForm(auto_id="teacher_%s"),
            "venue_form": VenueForm(auto_id="venue_%s"),
            "decision_form": DecisionForm(auto_id=False),
        }
        return render(request, "institutions/institution_detail.html", context)


class MyInstitutionView(PermissionRequiredMixin, View):
    permission = "institution.view_own"

    def get(self, request):
        if request.user.institution_id is None:
            return render(request, "institutions/no_institution.html")
        return redirect("institutions:detail", pk=request.user.institution_id)


class InstitutionFormView(PermissionRequiredMixin, View):
    """A form posted about one institution in scope: the service runs, and the page goes back with its message."""

    form_class = None
    service = None
    success = ""

    def post(self, request, pk):
        institution = scoped_institution(request, pk)
        form = self.form_class(request.POST)
        return post_form_then_back(request, institution, form, self.service, self.success, institution=institution)


class InstitutionTransitionView(InstitutionFormView):
    """The form posts the target status; institutions.workflows.DESIGNATION decides which act that is."""

    permission = "institution.decide"
    form_class = TransitionForm
    service = staticmethod(institution_services.institution_transition)
    success = _("认定状态已变更。")


class InspectionCreateView(InstitutionFormView):
    permission = "institution.decide"
    form_class = InspectionForm
    service = staticmethod(institution_services.inspection_record)
    success = _("已登记年度报告/检查。")


@method_decorator(sensitive_post_parameters("id_number"), name="dispatch")
class TeacherCreateView(InstitutionFormView):
    permission = "institution.edit"
    form_class = TeacherForm
    service = staticmethod(institution_services.teacher_add)
    success = _("已添加师资。")


class VenueCreateView(InstitutionFormView):
    permission = "institution.edit"
    form_class = VenueForm
    service = staticmethod(institution_services.venue_add)
    success = _("已添加培训场地。")


class TeacherDeleteView(PermissionRequiredMixin, View):
    permission = "institution.edit"

    def post(self, request, pk, teacher_pk):
        institution = scoped_institution(request, pk)
        teacher = get_object_or_404(Teacher, pk=teacher_pk, institution=institution)
        institution_services.teacher_remove(actor=request.user, teacher=teacher)
        messages.success(request, _("已删除师资。"))
        return redirect("institutions:detail", pk=institution.pk)


class VenueDeleteView(PermissionRequiredMixin, View):
    permission = "institution.edit"

    def post(self, request, pk, venue_pk):
        institution = scoped_institution(request, pk)
        venue = get_object_or_404(Venue, pk=venue_pk, institution=institution)
        institution_services.venue_remove(actor=request.user, venue=venue)
        messages.success(request, _("已删除培训场地。"))
        return redirect("institutions:detail", pk=institution.pk)


class InstitutionEditView(PermissionRequiredMixin, View):
    """Bureau staff edit directly; an institution user's key-field changes become a change request."""

    permission = "institution.edit"

    def _form(self, request, institution, data=None):
        return InstitutionForm(
            data,
            instance=institution,
            regions=None if can(request.user, "institution.edit_own") else regions_visible_to(request.user),
        )

    def get(self, request, pk):
        institution = scoped_institution(request, pk)
        return render(
            request,
            "institutions/form.html",
            {"form": self._form(request, institution), "title": _("修改机构信息"), "institution": institution},
        )

    def post(self, request, pk):
        institution = scoped_institution(request, pk)
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


class ChangeRequestDecideView(PermissionRequiredMixin, View):
    permission = "change_request.decide"

    def post(self, request, pk, request_pk):
        institution = scoped_institution(request, pk)
        change = get_object_or_404(ProfileChangeRequest, pk=request_pk, institution=institution)
        form = DecisionForm(request.POST)
        return post_form_then_back(request, institution, form, _decide, _("变更申请已处理。"), change=change)


def _decide(*, actor, change, approve, reason):
    institution_services.change_request_decide(actor=actor, request=change, approve=approve, reason=reason)
    return True
