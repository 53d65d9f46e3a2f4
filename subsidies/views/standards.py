"""补贴标准: the standards that apply in the user's regions, current and retired, filtered by kind, type, level and
region, and exported to Excel; the province and each city set their own (standard.manage), counties read them.
A standard a claim uses is never changed in place: it gets a new version from a date, or is retired."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from core import clock
from core.forms import call_service, query_errors
from core.importing import XLSX_CONTENT_TYPE, export_xlsx
from core.policy import PermissionRequiredMixin, can
from institutions.models import TrainingMode

from .. import selectors
from ..forms_standards import StandardFilterForm, StandardForm, StandardRetireForm, StandardReviseForm
from ..models import ClaimKind
from ..services import standards
from .common import page_of

EXPORT_HEADERS = [
    _lazy("区划代码"),
    _lazy("区划"),
    _lazy("补贴类型"),
    _lazy("培训类型"),
    _lazy("职业"),
    _lazy("技能等级"),
    _lazy("培训方式"),
    _lazy("计算方式"),
    _lazy("标准（元）"),
    _lazy("每天最少课时"),
    _lazy("生效日期"),
    _lazy("失效日期"),
    _lazy("状态"),
    _lazy("依据文件"),
]


KINDS = dict(ClaimKind.choices)
MODES = dict(TrainingMode.choices)


def kind_label(standard) -> str:
    return str(KINDS.get(standard.claim_kind, standard.claim_kind))


def mode_label(standard) -> str:
    return str(MODES.get(standard.mode, standard.mode)) if standard.mode else _("各方式")


def state_of(standard, today) -> str:
    if standard.valid_from > today:
        return _("未生效")
    if standard.valid_to and standard.valid_to < today:
        return _("已失效")
    return _("现行")


def _filtered(request, form):
    qs = selectors.standard_list(user=request.user).order_by(
        "region__code", "claim_kind", "training_type__sort_order", "skill_level__rank", "valid_from", "pk"
    )
    if not form.is_valid():
        return qs
    data, today = form.cleaned_data, clock.today()
    for name in ("claim_kind", "training_type", "skill_level"):
        if data[name]:
            qs = qs.filter(**{name: data[name]})
    if data["region"]:
        qs = qs.filter(region__code=data["region"])
    state = data["state"]
    if state == "current":
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
    elif state == "future":
        qs = qs.filter(valid_from__gt=today)
    elif state == "retired":
        qs = qs.filter(valid_to__lt=today)
    return qs


def _row(s, today) -> list:
    return [
        s.region.code,
        s.region.name,
        kind_label(s),
        s.training_type.name,
        s.occupation.name if s.occupation else (_("急需紧缺职业") if s.urgent_only else _("各职业")),
        s.skill_level.name if s.skill_level else _("各等级"),
        mode_label(s),
        s.get_basis_display(),
        s.amount,
        s.min_hours_per_day,
        s.valid_from,
        s.valid_to,
        state_of(s, today),
        s.document,
    ]


class StandardListView(PermissionRequiredMixin, View):
    permission = "standard.view"

    def get(self, request):
        form = StandardFilterForm(request.GET)
        qs, today = _filtered(request, form), clock.today()
        error = query_errors(form)
        if request.GET.get("export") == "xlsx" and not error:
            rows = [_row(s, today) for s in qs.select_related("region", "training_type", "occupation", "skill_level")]
            response = HttpResponse(
                export_xlsx([str(h) for h in EXPORT_HEADERS], rows, title="补贴标准"), content_type=XLSX_CONTENT_TYPE
            )
            response["Content-Disposition"] = 'attachment; filename="standards.xlsx"'
            return response
        page, query, status = page_of(request, qs, size=50, error=error)
        export_query = request.GET.copy()
        export_query.pop("page", None)
        export_query["export"] = "xlsx"
        for s in page:
            s.state_label, s.kind_label, s.mode_label = state_of(s, today), kind_label(s), mode_label(s)
        context = {
            "page": page,
            "query": query,
            "export_query": export_query.urlencode(),
            "form": form,
            "may_manage": can(request.user, "standard.manage"),
        }
        return render(request, "subsidies/standards.html", context, status=status)


class StandardCreateView(PermissionRequiredMixin, View):
    """A new standard of the user's own region (the province's guideline or the city's own)."""

    permission = "standard.manage"

    def get(self, request):
        return render(request, "subsidies/standard_form.html", {"form": StandardForm(), "region": request.user.region})

    def post(self, request):
        form = StandardForm(request.POST)
        if form.is_valid():
            standard = call_service(
                form, standards.standard_create, actor=request.user, region=request.user.region, **form.cleaned_data
            )
            if standard:
                messages.success(request, _("已制定补贴标准：%(s)s。") % {"s": standard})
                return redirect("subsidies:standard_edit", pk=standard.pk)
        context = {"form": form, "region": request.user.region}
        return render(request, "subsidies/standard_form.html", context, status=400)


def _scoped(request, pk):
    return get_object_or_404(selectors.standard_list(user=request.user), pk=pk)


def _managed(request, pk):
    standard = _scoped(request, pk)
    if not can(request.user, "standard.manage", standard):
        raise PermissionDenied
    return standard


class StandardEditView(PermissionRequiredMixin, View):
    """One standard: its history (versions of its key) and, for its own region's staff, the forms that change it:
    a correction while no claim uses it, otherwise a new version from a date or retiring it."""

    permission = "standard.view"
    permissions = {"post": "standard.manage"}

    def _render(self, request, standard, edit_form=None, revise_form=None, retire_form=None, status=200):
        in_use = standards.standard_in_use(standard)
        context = {
            "standard": standard,
            "state": state_of(standard, clock.today()),
            "in_use": in_use,
            "claim_count": standard.claims.count(),
            "versions": standards.standard_versions(standard),
            "may_manage": can(request.user, "standard.manage", standard),
            # ids of their own: the edit and revise forms share field names on one page
            "edit_form": None if in_use else edit_form or StandardForm(initial=StandardForm.initial_of(standard)),
            "revise_form": revise_form
            or StandardReviseForm(initial=StandardReviseForm.initial_of(standard), auto_id="revise_%s"),
            "retire_form": retire_form or StandardRetireForm(auto_id="retire_%s"),
        }
        return render(request, "subsidies/standard_edit.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, _scoped(request, pk))

    def post(self, request, pk):
        standard = _managed(request, pk)
        form = StandardForm(request.POST)
        if form.is_valid():
            saved = call_service(
                form, standards.standard_update, actor=request.user, standard=standard, **form.cleaned_data
            )
            if saved:
                messages.success(request, _("已修改补贴标准。"))
                return redirect("subsidies:standard_edit", pk=pk)
        return self._render(request, standard, edit_form=form, status=400)


class StandardReviseView(PermissionRequiredMixin, View):
    permission = "standard.manage"

    def post(self, request, pk):
        standard = _managed(request, pk)
        form = StandardReviseForm(request.POST, auto_id="revise_%s")
        if form.is_valid():
            new = call_service(
                form, standards.standard_revise, actor=request.user, standard=standard, **form.cleaned_data
            )
            if new:
                messages.success(request, _("已发布新版本，自 %(d)s 起执行；原标准同时停用。") % {"d": new.valid_from})
                return redirect("subsidies:standard_edit", pk=new.pk)
        return StandardEditView()._render(request, standard, revise_form=form, status=400)


class StandardRetireView(PermissionRequiredMixin, View):
    permission = "standard.manage"

    def post(self, request, pk):
        standard = _managed(request, pk)
        form = StandardRetireForm(request.POST, auto_id="retire_%s")
        if form.is_valid():
            done = call_service(
                form, standards.standard_retire, actor=request.user, standard=standard, **form.cleaned_data
            )
            if done:
                messages.success(request, _("已停用，%(d)s 之后不再适用。") % {"d": done.valid_to})
                return redirect("subsidies:standard_edit", pk=pk)
        return StandardEditView()._render(request, standard, retire_form=form, status=400)
