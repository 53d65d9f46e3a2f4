import tablib
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from catalog.services import RESOURCES

from . import selectors, services
from .forms import AuditFilterForm, ReferenceImportForm
from .models import Role
from .permissions import BUREAU_AND_ADMIN, RoleRequiredMixin, user_has_role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_signed_in(user=form.get_user())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class HomeView(RoleRequiredMixin, TemplateView):
    """Each role lands on its own work; templates/home/<role>.html lists it."""

    allowed_roles = tuple(Role)

    def get_template_names(self):
        role = Role.ADMIN if self.request.user.is_superuser else self.request.user.role
        return [f"home/{role}.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["recent_events"] = selectors.audit_event_list(user=user)[:10] if user.role != Role.INSTITUTION else []
        return ctx


class AuditEventListView(RoleRequiredMixin, TemplateView):
    allowed_roles = BUREAU_AND_ADMIN
    template_name = "accounts/audit_list.html"
    page_size = 50

    def get(self, request, *args, **kwargs):
        regions = selectors.regions_visible_to(request.user)
        if request.user.is_system_admin:
            regions = regions.exclude(level="county")
        form = AuditFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        events = selectors.audit_event_list(user=request.user, filters=filters)
        page = Paginator(events, self.page_size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, self.template_name, {"form": form, "page": page, "query": query.urlencode()})


class ReferenceImportView(RoleRequiredMixin, TemplateView):
    """System administrators load the official occupation list or division changes from Excel."""

    allowed_roles = (Role.ADMIN,)
    template_name = "accounts/reference_import.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": ReferenceImportForm()})

    def post(self, request, *args, **kwargs):
        form = ReferenceImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = services.reference_data_import(
                actor=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
            if report.ok:
                messages.success(
                    request, _("导入成功：新增 %(c)s 条，更新 %(u)s 条。") % {"c": report.created, "u": report.updated}
                )
                return redirect("accounts:reference_import")
        status = 400 if report is not None or form.errors else 200
        return render(request, self.template_name, {"form": form, "report": report}, status=status)


def reference_import_template(request, kind):
    """An empty .xlsx with the expected Chinese headers."""
    if not user_has_role(request.user, (Role.ADMIN,)):
        raise PermissionDenied
    resource = RESOURCES.get(kind)
    if resource is None:
        raise Http404
    headers = [f.column_name for f in resource().get_import_fields()]
    data = tablib.Dataset(headers=headers).export("xlsx")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
