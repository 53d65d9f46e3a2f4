"""The province's key-area tags (重点领域): the tags of occupations and programs with their history, adding one,
ending one, and importing them from a spreadsheet."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from catalog.models import OccupationKeyArea
from core.forms import call_service
from core.importing import export_xlsx
from core.policy import PermissionRequiredMixin

from .. import selectors
from ..forms import ImportForm, KeyAreaEndForm, KeyAreaTagForm
from ..models import ProgramKeyArea
from ..services import key_areas
from .common import xlsx_response

TAG_MODELS = {"occupation": OccupationKeyArea, "program": ProgramKeyArea}


def _page(request, *, form=None, import_form=None, report=None, status=200):
    occupations, programs = selectors.key_area_tags()
    context = {
        "occupation_tags": occupations,
        "program_tags": programs,
        "form": form or KeyAreaTagForm(),
        "import_form": import_form or ImportForm(),
        "end_form": KeyAreaEndForm(),
        "report": report,
    }
    return render(request, "institutions/key_areas.html", context, status=status)


class KeyAreaListView(PermissionRequiredMixin, View):
    permission = "key_area.manage"

    def get(self, request):
        return _page(request)

    def post(self, request):
        form = KeyAreaTagForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            target = {"occupation": data["occupation"]} if data.get("occupation") else {"program": data["program"]}
            service = key_areas.occupation_key_area_tag if "occupation" in target else key_areas.program_key_area_tag
            if call_service(
                form, service, actor=request.user, key_area=data["key_area"], valid_from=data["valid_from"], **target
            ):
                messages.success(request, _("重点领域标记已保存，下次统计重算后计入重点领域指标。"))
                return redirect("institutions:key_areas")
        return _page(request, form=form, status=400)


class KeyAreaEndView(PermissionRequiredMixin, View):
    permission = "key_area.manage"

    def post(self, request, kind, pk):
        if kind not in TAG_MODELS:
            raise Http404
        tag = get_object_or_404(TAG_MODELS[kind], pk=pk)
        form = KeyAreaEndForm(request.POST)
        if form.is_valid() and call_service(
            form, key_areas.key_area_tag_end, actor=request.user, tag=tag, **form.cleaned_data
        ):
            messages.success(request, _("重点领域标记已结束。"))
        else:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            messages.error(request, "；".join(errors) or _("操作未完成。"))
        return redirect("institutions:key_areas")


class KeyAreaImportView(PermissionRequiredMixin, View):
    """GET: the template; POST: the import, whole or not at all, with every bad row listed."""

    permission = "key_area.manage"

    def get(self, request):
        example = [["4-10-01-05", "", "康养照护", "2025-01-01"], ["", "12", "冰雪经济", "2025-01-01"]]
        return xlsx_response(export_xlsx(key_areas.COLUMNS, example, title=_("重点领域标记")), "key-areas.xlsx")

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _page(request, import_form=form, status=400)
        upload = form.cleaned_data["file"]
        report = key_areas.key_area_import(actor=request.user, data=upload.read(), filename=upload.name)
        if not report.ok:
            return _page(request, import_form=form, report=report, status=400)
        messages.success(request, _("导入成功：%(n)s 个重点领域标记。") % {"n": report.created})
        return redirect("institutions:key_areas")
