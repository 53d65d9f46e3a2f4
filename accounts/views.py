from base64 import b32encode

import tablib
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.services import RESOURCES

from . import selectors, services, twofactor
from .errors import DomainError
from .forms import AuditFilterForm, ReauthForm, ReferenceImportForm, TokenForm
from .models import Role
from .permissions import BUREAU_AND_ADMIN, RoleRequiredMixin, user_has_role
from .web import call_service


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


def _safe_next(request, default="home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(default)


class TwoFactorSetupView(LoginRequiredMixin, TemplateView):
    """Scan the key into an authenticator app, then confirm with a first code."""

    template_name = "accounts/two_factor_setup.html"

    def get(self, request, *args, **kwargs):
        device = twofactor.device_start(request.user)
        return render(
            request,
            self.template_name,
            {
                "form": TokenForm(),
                "device": device,
                "secret": b32encode(device.bin_key).decode(),
                "next": _safe_next(request),
            },
        )

    def post(self, request, *args, **kwargs):
        form = TokenForm(request.POST)
        if form.is_valid() and call_service(
            form, twofactor.device_confirm, request=request, user=request.user, token=form.cleaned_data["token"]
        ):
            messages.success(request, _("已启用双因素认证。"))
            return redirect(_safe_next(request))
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or twofactor.device_start(
            request.user
        )
        return render(
            request,
            self.template_name,
            {"form": form, "device": device, "secret": b32encode(device.bin_key).decode(), "next": _safe_next(request)},
            status=400,
        )


class TwoFactorVerifyView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/two_factor_verify.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": TokenForm(), "next": _safe_next(request)})

    def post(self, request, *args, **kwargs):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                twofactor.verify(request, request.user, form.cleaned_data["token"])
                return redirect(_safe_next(request))
            except DomainError as exc:
                form.add_error("token", exc.message)
        return render(request, self.template_name, {"form": form, "next": _safe_next(request)}, status=400)


class ReauthView(LoginRequiredMixin, TemplateView):
    """Password and a fresh code again before approving a claim or recording a payment."""

    template_name = "accounts/reauth.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": ReauthForm(), "next": _safe_next(request)})

    def post(self, request, *args, **kwargs):
        form = ReauthForm(request.POST)
        if form.is_valid():
            try:
                twofactor.reauthenticate(
                    request, request.user, form.cleaned_data["password"], form.cleaned_data["token"]
                )
                messages.info(request, _("身份已确认，请重新提交刚才的操作。"))
                return redirect(_safe_next(request))
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
        return render(request, self.template_name, {"form": form, "next": _safe_next(request)}, status=400)
