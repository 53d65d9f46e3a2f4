"""Indicators API: the dashboard of one region and plan (the same data as the page's charts), the targets and
the archived monthly reports — all scoped to the user's regions."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from accounts.api_base import ScopedReadOnlyViewSet
from catalog.models import Region
from core import clock
from core.api import RegionCodeFilter
from core.policy import Allowed

from .models import MonthlyReport, ProgressStatus, Target
from .presenters import dashboard_json
from .selectors.dashboard import dashboard
from .selectors.plans import plan_for_region, plan_years, plans_for, region_visible, year_for_region

# --- dashboard ----------------------------------------------------------------------------------------------


class DashboardQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"^(\d{2}|\d{4}|\d{6})$", required=False, help_text="区划代码（23、2312、231202）；缺省为本人管辖区划"
    )
    plan = serializers.CharField(
        required=False,
        max_length=40,
        help_text="计划代码；缺省为有本级目标的计划（当前执行中的优先；省级为当前执行中的计划）",
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（年度指标）")


class DashboardRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Region.Level.choices)


class DashboardPlanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class DashboardMainSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()


class DashboardForecastSerializer(serializers.Serializer):
    projected = serializers.IntegerField(help_text="预计期末值")
    monthly_rate = serializers.FloatField(help_text="近 6 个完整月的月均完成")
    months_left = serializers.IntegerField()
    pipeline = serializers.IntegerField(help_text="已批准或在培班级的在册人数")
    short_of_target = serializers.BooleanField(help_text="预计期末值低于目标")
    explanation = serializers.CharField()


class DashboardRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField(help_text="computed（系统统计）、reported（填报）或 reference（参考：全国指标）")
    source_label = serializers.CharField()
    attribute = serializers.CharField(help_text="expected（预期性）、binding（约束性）；空为计划未写明")
    attribute_label = serializers.CharField()
    comparator = serializers.CharField(help_text="at_least（≥）、about（左右）、at_most（≤）")
    comparator_label = serializers.CharField()
    parent = serializers.CharField(help_text="上级指标名称（“其中”项）")
    target = serializers.IntegerField(allow_null=True, help_text="本级目标；0 为无本级目标；参考指标为空")
    stretch = serializers.IntegerField(allow_null=True)
    done = serializers.IntegerField(help_text="完成；参考指标为本区划的贡献")
    share = serializers.FloatField(allow_null=True, help_text="完成率（0–1）；参考指标为空")
    elapsed = serializers.FloatField(allow_null=True, help_text="时间进度（0–1）；参考指标为空")
    national = serializers.IntegerField(allow_null=True, help_text="参考指标的全国目标")
    national_share = serializers.FloatField(allow_null=True, help_text="参考指标：本区划贡献占全国目标（0–1）")
    status = serializers.CharField(help_text="、".join(ProgressStatus.values) + "；空为无本级目标")
    status_label = serializers.CharField()
    forecast = DashboardForecastSerializer(allow_null=True)


class DashboardChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    city_own = serializers.BooleanField(help_text="市本级")
    url = serializers.CharField(allow_null=True, help_text="下级看板页面")


class DashboardInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="0：无机构（历史数据）")
    name = serializers.CharField()
    done = serializers.IntegerField()


class DashboardTrendPointSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    done = serializers.IntegerField()
    cumulative = serializers.IntegerField()


class DashboardBreakdownItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.IntegerField()


class DashboardBreakdownSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    label = serializers.CharField()
    items = DashboardBreakdownItemSerializer(many=True)


class DashboardTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    responsible = serializers.CharField()
    deadline = serializers.DateField()


@extend_schema_serializer(many=False)
class DashboardSerializer(serializers.Serializer):
    region = DashboardRegionSerializer(allow_null=True, help_text="null：全国")
    plan = DashboardPlanSerializer()
    year = serializers.IntegerField()
    today = serializers.DateField()
    main = DashboardMainSerializer(allow_null=True, help_text="图表所用的主要指标")
    forecast_method = serializers.CharField()
    rows = DashboardRowSerializer(many=True)
    children = DashboardChildSerializer(many=True)
    institutions = DashboardInstitutionSerializer(many=True)
    trend = DashboardTrendPointSerializer(many=True)
    breakdowns = DashboardBreakdownSerializer(many=True)
    overdue_tasks = DashboardTaskSerializer(many=True)


class DashboardViewSet(viewsets.ViewSet):
    """Progress of every indicator of a plan for one region in the user's scope, with the children ranking
    (institutions at county level), the monthly trend, the breakdowns and the overdue key tasks."""

    permission_classes = [Allowed]
    permission = "dashboard.view"

    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={
            200: DashboardSerializer,
            403: OpenApiResponse(description="区划不在本人管辖范围内"),
            404: OpenApiResponse(description="区划或计划不存在，或计划不适用于该区划"),
        },
    )
    def list(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user, params = request.user, query.validated_data
        if params.get("region"):
            region = Region.objects.filter(code=params["region"]).first()
            if region is None:
                raise exceptions.NotFound("区划不存在。")
        else:
            region = user.region
        if not region_visible(user, region):
            raise exceptions.PermissionDenied("该区划不在您的管辖范围内。")
        plans = plans_for(region)
        code = params.get("plan")
        plan = plans.filter(code=code).first() if code else plan_for_region(plans, region, clock.today())
        if plan is None:
            raise exceptions.NotFound("计划不存在或不适用于该区划。")
        year = params.get("year")
        if year is not None and year not in plan_years(plan):
            raise exceptions.ValidationError({"year": [f"年度应在 {plan.start.year}–{plan.end.year} 之间。"]})
        data = dashboard(user=user, plan=plan, region=region, year=year or year_for_region(plan, region, clock.today()))
        return Response(DashboardSerializer(dashboard_json(data)).data)


# --- targets ------------------------------------------------------------------------------------------------


class IndicatorTargetSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "indicator",
            "indicator_name",
            "region",
            "region_name",
            "year",
            "city_own",
            "value",
            "stretch",
        ]


class TargetFilter(django_filters.FilterSet):
    """Every parameter validated (a NUL, letters for a year or a malformed region code are a 400)."""

    plan = django_filters.CharFilter(field_name="indicator__plan__code", max_length=40, help_text="计划代码")
    indicator = django_filters.CharFilter(field_name="indicator__code", max_length=40, help_text="指标代码")
    region = RegionCodeFilter(field_name="region__code", help_text="区划代码")

    class Meta:
        model = Target
        fields = ["plan", "indicator", "region", "year", "city_own"]


class TargetViewSet(ScopedReadOnlyViewSet):
    """Targets of the regions in the user's scope (admins: all, national targets included)."""

    serializer_class = IndicatorTargetSerializer
    permission_classes = [Allowed]
    permission = "target.view"
    queryset = Target.objects.select_related("indicator__plan", "region").order_by(
        "indicator__plan__code", "indicator__sort_order", "region__code", "year", "city_own"
    )
    scope_region_field = "region"
    filterset_class = TargetFilter


# --- monthly reports ----------------------------------------------------------------------------------------


class MonthlyReportSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    download = serializers.SerializerMethodField(help_text="下载地址（登录后）")

    class Meta:
        model = MonthlyReport
        fields = ["id", "region", "region_name", "plan", "month", "created_at", "download"]

    def get_download(self, obj) -> str:
        return reverse("indicators:report_download", args=[obj.pk])


class MonthlyReportFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", max_length=40, help_text="计划代码")

    class Meta:
        model = MonthlyReport
        fields = ["plan", "month"]


class MonthlyReportViewSet(ScopedReadOnlyViewSet):
    """Archived monthly reports (月报) of the regions in the user's scope."""

    serializer_class = MonthlyReportSerializer
    permission_classes = [Allowed]
    permission = "report.view"
    queryset = MonthlyReport.objects.select_related("region", "plan")
    scope_region_field = "region"
    filterset_class = MonthlyReportFilter
