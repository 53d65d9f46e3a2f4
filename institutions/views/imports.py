"""Excel import of institutions and programs: upload → preview (every bad row listed, nothing saved) → confirm
(all or nothing)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from catalog.services import uploaded_sheet
from core.importing import FileRejected, ImportError_, ImportReport, export_xlsx, read_sheet
from core.policy import PermissionRequiredMixin

from ..forms import ImportForm
from ..services import imports
from .common import xlsx_response

IMPORT_TITLES = {"institutions": gettext_lazy("导入培训机构"), "programs": gettext_lazy("导入培训项目")}
# Who may import each kind: those who may register institutions / list programs (each row is asked again).
IMPORT_PERMISSIONS = {"institutions": "institution.decide", "programs": "program.decide"}


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class DirectoryImportView(PermissionRequiredMixin, View):
    """Upload → preview (every bad row listed, nothing saved) → confirm (all or nothing)."""

    permission = "institution.decide"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.permission = IMPORT_PERMISSIONS.get(kwargs.get("kind"), self.permission)

    def get(self, request, kind):
        if kind not in imports.KINDS:
            raise PermissionDenied
        if request.GET.get("template"):
            return xlsx_response(export_xlsx(imports.KINDS[kind].columns, []), f"{kind}-template.xlsx")
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
