from base64 import b32encode

import tablib
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.services import RESOURCES
from core.errors import DomainError
from core.forms import call_service, paginate, query_errors, query_status
from core.policy import PermissionRequiredMixin, can, permission_required
from core.work import panels_of, work_of

from . import selectors, services, twofactor
from .forms import AuditFilterForm, ReauthForm, ReferenceImportForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        previous_sign_in = user.last_login
        response = super().form_valid(form)
        services.user_signed_in(user=user)
        for event in twofactor.device_changes_since(user, previous_sign_in):
            messages.warning(request=self.request, message=_device_change_notice(event))
        return response


def _device_change_notice(event) -> str:
    what = {
        "user.two_factor_enabled": _("新增了验证器"),
        "user.two_factor_removed": _("删除了验证器"),
        "user.two_factor_reset": _("重置了双因素认证"),
    }[event.action]
    return _("安全提醒：%(when)s，%(actor)s %(what)s。如非本人或管理员所为，请立即修改密码并联系系统管理员。") % {
        "when": f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M}",
        "actor": event.actor_repr,
        "what": what,
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class HomeView(PermissionRequiredMixin, TemplateView):
    """Each user lands on the work that waits for them (core.work: every app's to-dos the policy lets them see);
    templates/home/<role>.html gives the page its title."""

    permission = "home.view"

    def get_template_names(self):
        return [f"home/{self.request.user.effective_role}.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        work = work_of(user, detail=True)
        ctx["work"] = work
        ctx["waiting"] = [w for w in work if w.count]
        ctx["idle"] = [w for w in work if not w.count]
        ctx["panels"] = [render_to_string(template, context, self.request) for template, context in panels_of(user)]
        ctx["recent_events"] = selectors.audit_event_list(user=user)[:10] if can(user, "audit.view") else []
        return ctx


class AuditEventListView(PermissionRequiredMixin, TemplateView):
    permission = "audit.view"
    template_name = "accounts/audit_list.html"
    page_size = 50

    def get(self, request, *args, **kwargs):
        regions = selectors.regions_visible_to(request.user)
        if request.user.is_system_admin:
            regions = regions.exclude(level="county")
        form = AuditFilterForm(request.GET or None, regions=regions)
        filters = form.cleaned_data if form.is_valid() else {}
        events = selectors.audit_event_list(user=request.user, filters=filters)
        page, page_error = paginate(request, events, self.page_size)
        status = query_status(request, query_errors(form), page_error)
        query = request.GET.copy()
        query.pop("page", None)
        context = {"form": form, "page": page, "query": query.urlencode()}
        return render(request, self.template_name, context, status=status)


class ReferenceImportView(PermissionRequiredMixin, TemplateView):
    """System administrators load the official occupation list or division changes from Excel."""

    permission = "reference_data.import"
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


@permission_required("reference_data.import")
def reference_import_template(request, kind):
    """An empty .xlsx with the expected Chinese headers."""
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
    """The user's authenticators: scan a new key (QR code or text), confirm with a first code; remove one.
    A user who already has a confirmed authenticator gets here only from a verified session."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not twofactor.may_enrol(request):
            return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        device = twofactor.pending_device(request)
        context = {
            "form": form,
            "device": device,
            "secret": b32encode(device.bin_key).decode(),
            "qr": twofactor.qr_svg_data_uri(device),
            "devices": TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("id"),
            "next": _safe_next(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self._render(request, TokenForm())

    def post(self, request, *args, **kwargs):
        form = TokenForm(request.POST)
        if form.is_valid() and call_service(
            form, twofactor.device_confirm, request=request, token=form.cleaned_data["token"]
        ):
            messages.success(request, _("已启用双因素认证。"))
            return redirect(_safe_next(request))
        return self._render(request, form, status=400)


class TwoFactorDeviceRemoveView(LoginRequiredMixin, View):
    """Remove one of one's own authenticators (the last one only where two-factor is not required)."""

    def post(self, request, pk):
        device = get_object_or_404(TOTPDevice, pk=pk, user=request.user, confirmed=True)
        others = TOTPDevice.objects.filter(user=request.user, confirmed=True).exclude(pk=pk).exists()
        if not others and twofactor.enforced() and twofactor.required_for(request.user):
            messages.error(request, _("您的账号必须使用双因素认证：请先添加新的验证器，再删除这一个。"))
        else:
            twofactor.device_remove(actor=request.user, device=device)
            messages.success(request, _("已删除验证器。"))
        return redirect("accounts:two_factor_setup")


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
