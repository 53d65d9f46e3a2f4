"""Pages of the real-name register. Personal data never travels in a URL (searches are POSTed), is masked
unless revealed one value at a time, and is filtered out of error reports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from accounts.selectors import regions_visible_to
from catalog.services import uploaded_sheet
from core.forms import call_service, paginate, query_errors, query_status
from core.importing import XLSX_CONTENT_TYPE, FileRejected, ImportError_, ImportReport, export_xlsx
from core.policy import PermissionRequiredMixin, can

from . import selectors
from .forms import CategoryForm, CertificateForm, ExportForm, RegisterForm, RevealForm, SearchForm
from .services import certificates as certificate_services
from .services import exports, people

SENSITIVE = sensitive_post_parameters("id_number", "phone", "bank_account", "name")


def _scoped_trainee(request, pk):
    return get_object_or_404(selectors.trainee_list(user=request.user), pk=pk)


@method_decorator(SENSITIVE, name="dispatch")
class TraineeListView(PermissionRequiredMixin, View):
    """Masked list of people in scope; POST searches by exact ID number or by name."""

    permission = "trainee.list"

    def get(self, request):
        return self._render(request, SearchForm(), selectors.trainee_list(user=request.user))

    def post(self, request):
        form = SearchForm(request.POST)
        filters = form.cleaned_data if form.is_valid() else {}
        if form.errors:
            messages.error(request, query_errors(form))
        if not (filters.get("id_number") or filters.get("name")):
            return redirect("trainees:list")
        trainees = selectors.trainee_list(user=request.user, filters=filters)
        # The typed ID number is not echoed back into the page.
        return self._render(request, SearchForm(initial={"name": filters.get("name")}), trainees, searched=True)

    def _render(self, request, form, trainees, searched=False):
        page, page_error = paginate(request, trainees, 50)
        return render(
            request,
            "trainees/list.html",
            {
                "form": form,
                "page": page,
                "searched": searched,
                "may_register": can(request.user, "trainee.register"),
                "may_export_full": can(request.user, "trainee.export_full"),
            },
            status=query_status(request, page_error),
        )


@method_decorator(SENSITIVE, name="dispatch")
class TraineeRegisterView(PermissionRequiredMixin, View):
    permission = "trainee.register"

    def _form(self, request, data=None):
        return RegisterForm(data, regions=regions_visible_to(request.user))

    def get(self, request):
        return render(request, "trainees/register.html", {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            trainee = call_service(form, people.trainee_register, actor=request.user, **form.cleaned_data)
            if trainee:
                messages.success(request, _("已登记学员 %(n)s。") % {"n": trainee.name_masked})
                return redirect("trainees:detail", pk=trainee.pk)
        return render(request, "trainees/register.html", {"form": form}, status=400)


class TraineeDetailView(PermissionRequiredMixin, View):
    """The lifelong archive of one person (masked), as far as the user's scope reaches."""

    permission = "trainee.view"

    def get(self, request, pk):
        trainee = _scoped_trainee(request, pk)
        context = selectors.archive(user=request.user, trainee=trainee)
        context.update(
            {
                "may_reveal": can(request.user, "trainee.reveal", trainee),
                "may_record": can(request.user, "trainee.record", trainee),
                "category_form": CategoryForm(),
                "certificate_form": CertificateForm(),
            }
        )
        return render(request, "trainees/detail.html", context)


class TraineeRevealView(PermissionRequiredMixin, View):
    """One full value, for a bureau user whose scope holds the person; audited. Answers an htmx swap."""

    permission = "trainee.reveal"

    def post(self, request, pk):
        trainee = get_object_or_404(selectors.trainee_list(user=request.user).defer(None), pk=pk)
        form = RevealForm(request.POST)
        if not form.is_valid():
            raise PermissionDenied
        value = people.trainee_reveal(actor=request.user, trainee=trainee, field=form.cleaned_data["field"])
        response = render(request, "trainees/_revealed.html", {"value": value or "—"})
        response["Cache-Control"] = "no-store"
        return response


class CategoryCreateView(PermissionRequiredMixin, View):
    permission = "trainee.record"

    def post(self, request, pk):
        trainee = _scoped_trainee(request, pk)
        form = CategoryForm(request.POST)
        if form.is_valid() and call_service(
            form, people.category_assign, actor=request.user, trainee=trainee, **form.cleaned_data
        ):
            messages.success(request, _("已登记人员类别。"))
        else:
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("trainees:detail", pk=pk)


class CertificateCreateView(PermissionRequiredMixin, View):
    permission = "trainee.record"

    def post(self, request, pk):
        trainee = _scoped_trainee(request, pk)
        form = CertificateForm(request.POST)
        if form.is_valid() and call_service(
            form, certificate_services.certificate_add, actor=request.user, trainee=trainee, **form.cleaned_data
        ):
            messages.success(request, _("已登记证书。"))
        else:
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("trainees:detail", pk=pk)


class TraineeExportView(PermissionRequiredMixin, View):
    """Excel of the people in scope: masked for everyone; full values only with trainee.export_full, audited."""

    permission = "trainee.list"

    def post(self, request):
        form = ExportForm(request.POST)
        full = form.is_valid() and form.cleaned_data["full"]
        data = exports.trainee_export(actor=request.user, full=full)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="trainees.xlsx"'
        response["Cache-Control"] = "no-store"
        return response


@method_decorator(SENSITIVE, name="dispatch")
class CertificateImportView(PermissionRequiredMixin, View):
    permission = "certificate.import"

    def get(self, request):
        if request.GET.get("template"):
            response = HttpResponse(export_xlsx(certificate_services.COLUMNS, []), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = 'attachment; filename="certificates-template.xlsx"'
            return response
        return render(request, "trainees/certificate_import.html", {})

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport(errors=[ImportError_(None, "", _("请选择要导入的 .xlsx 文件。"))])
        else:
            try:
                report = certificate_services.certificate_import(
                    actor=request.user, sheet=uploaded_sheet(upload, allow_csv=False)
                )
            except FileRejected as exc:
                report = ImportReport(errors=[ImportError_(None, "", str(exc))])
        if report.ok:
            messages.success(request, _("已导入 %(n)s 张证书。") % {"n": report.created})
            return redirect("trainees:certificate_import")
        return render(request, "trainees/certificate_import.html", {"report": report}, status=400)
