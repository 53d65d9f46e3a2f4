"""Subsidy API: scoped claims with masked lines and their findings, submission and line decisions, the
standards (read-only) and the public notices (no login, masked rows only)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.stepup import StepUpRequired
from core.api import ACTIONS, ActionsMixin, actions_of
from core.policy import Allowed

from . import selectors
from .models import ClaimLine, Finding, PublicNotice, SubsidyClaim, SubsidyStandard
from .services import claims, notices


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "rule_code", "rule_version", "severity", "message", "accepted_reason"]


class ClaimLineSerializer(serializers.ModelSerializer):
    """One person on a claim: masked name and ID number only."""

    name = serializers.CharField(source="trainee.name_masked", read_only=True)
    id_number = serializers.CharField(source="trainee.id_number_masked", read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ClaimLine
        fields = ["id", "name", "id_number", "amount", "status", "decision_reason", "findings", "actions"]

    @extend_schema_field(ACTIONS)
    def get_actions(self, obj):
        """A line is decided only while its claim is open for line decisions (the line's guard, asked here so the
        list does not offer what the service would refuse)."""
        cache = self.__dict__.setdefault("_claim_actions", {})  # one child serializer serves every line
        if obj.claim_id not in cache:
            cache[obj.claim_id] = actions_of(self, obj.claim)
        return actions_of(self, obj) if "decide_lines" in cache[obj.claim_id] else []


class ClaimSerializer(serializers.ModelSerializer):
    training_class = serializers.PrimaryKeyRelatedField(read_only=True)
    training_class_name = serializers.CharField(source="training_class.name", read_only=True)
    institution = serializers.PrimaryKeyRelatedField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SubsidyClaim
        fields = [
            "id",
            "training_class",
            "training_class_name",
            "institution",
            "institution_name",
            "county",
            "kind",
            "status",
            "requested_amount",
            "approved_amount",
            "submitted_at",
            "verified_at",
            "line_count",
        ]


@extend_schema_field({"allOf": [{"$ref": "#/components/schemas/ClaimStatusEnum"}], "readOnly": True})
class ClaimStatusField(serializers.CharField):
    """The claim's status. In the schema it points at the enum of the list serializer, so one choice set is
    not declared twice under the same property name (an enum naming collision)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


class ClaimDetailSerializer(ActionsMixin, ClaimSerializer):
    status = ClaimStatusField()
    lines = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "lines", "findings", "actions"]

    @extend_schema_field(ClaimLineSerializer(many=True))
    def get_lines(self, obj):
        return ClaimLineSerializer(selectors.claim_lines(obj), many=True, context=self.context).data

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj):
        """Findings about the whole claim (each line carries its own)."""
        return FindingSerializer(selectors.claim_findings(obj), many=True).data


class LineDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    """Claims in the user's scope: institutions their own, bureaus their regions (no drafts), finance the
    approved and settled ones."""

    serializer_class = ClaimSerializer
    permission_classes = [Allowed]
    permission = "claim.view"
    permissions = {"submit": "claim.submit", "decide": "claim.decide"}
    queryset = SubsidyClaim.objects.none()  # for the schema; get_queryset scopes
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.claim_list(user=self.request.user)

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def get_permissions(self):
        if self.action == "decide":
            return [*super().get_permissions(), StepUpRequired()]  # approving moves money: as on the page
        return super().get_permissions()

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim = self.get_object()
        claims.claim_submit(actor=request.user, claim=claim)
        return Response(self.get_serializer(self.get_queryset().get(pk=claim.pk)).data)

    @extend_schema(
        request=LineDecisionSerializer,
        responses=ClaimLineSerializer,
        parameters=[OpenApiParameter("line_id", int, OpenApiParameter.PATH, description="明细（人员）ID")],
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>[0-9]+)/decide")
    def decide(self, request, pk=None, line_id=None):
        """Approve or reject one line; the line is looked up inside this (scoped) claim only."""
        claim = self.get_object()
        line = get_object_or_404(claim.lines, pk=line_id)
        data = LineDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claims.line_decide(actor=request.user, line=line, **data.validated_data)
        decided = selectors.claim_lines(self.get_queryset().get(pk=claim.pk)).get(pk=line.pk)
        return Response(ClaimLineSerializer(decided, context=self.get_serializer_context()).data)


class SubsidyStandardSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    training_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    occupation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    skill_level = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = SubsidyStandard
        fields = [
            "id",
            "region",
            "valid_from",
            "valid_to",
            "training_type",
            "occupation",
            "urgent_only",
            "skill_level",
            "mode",
            "basis",
            "amount",
            "min_hours_per_day",
            "document",
        ]


class SubsidyStandardViewSet(viewsets.ReadOnlyModelViewSet):
    """The standards that apply in the user's regions (set by the regions above and inside it)."""

    serializer_class = SubsidyStandardSerializer
    permission_classes = [Allowed]
    permission = "standard.view"
    queryset = SubsidyStandard.objects.none()

    def get_queryset(self):
        return selectors.standard_list(user=self.request.user)


# --- public, no login ---------------------------------------------------------------------------------


class PublicNoticeRowSerializer(serializers.Serializer):
    """One published row: the masked name and ID number as published, never more."""

    no = serializers.IntegerField()
    occupation = serializers.CharField()
    level = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)


class PublicNoticeSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="claim.institution.name")
    training_class = serializers.CharField(source="claim.training_class.name")
    county = serializers.CharField(source="claim.county.full_name")
    is_open = serializers.SerializerMethodField()
    intact = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = [
            "id",
            "institution",
            "training_class",
            "county",
            "published_at",
            "ends_on",
            "is_open",
            "intact",
            "content_hash",
            "rows",
        ]

    def get_is_open(self, obj) -> bool:
        return selectors.notice_is_open(obj)

    def get_intact(self, obj) -> bool:
        """Whether the content still matches the hash taken when it was published."""
        return notices.notice_is_intact(obj)

    @extend_schema_field(PublicNoticeRowSerializer(many=True))
    def get_rows(self, obj):
        return PublicNoticeRowSerializer(selectors.notice_rows(obj), many=True).data


class PublicNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """公示: the list holds running and recently ended notices; every notice ever published stays retrievable,
    with its masked rows and its hash."""

    serializer_class = PublicNoticeSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_queryset(self):
        return selectors.published_notices() if self.action == "retrieve" else selectors.notice_list()
