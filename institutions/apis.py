"""API of the directories: scoped like the pages; related objects in a request body are looked up in the
user's scope, so naming another county's institution is "does not exist", never a write."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.api_base import ScopedQuerysetMixin
from catalog.models import EntrepreneurshipStage, Occupation, SkillLevel, TrainingType
from core.api import ActionsMixin, CodeRelatedField, IdFilter, RegionCodeFilter
from core.policy import Allowed

from . import selectors
from .models import Institution, InstitutionStatus, Program, ProgramStatus, TrainingMode, UrgentOccupationList
from .services.institutions import institution_register, institution_transition
from .services.programs import program_list, program_set_status
from .services.urgent_lists import urgent_list_publish


class ScopedRegionField(CodeRelatedField):
    """A county named by its code, among the counties of the user's scope, or the city's own code for 市本级."""

    def get_queryset(self):
        from accounts.selectors import regions_visible_to

        return regions_visible_to(self.context["request"].user).filter(level__in=Institution.SEAT_LEVELS)


class InstitutionSerializer(ActionsMixin, serializers.ModelSerializer):
    county = ScopedRegionField(slug_field="code")
    status = serializers.CharField(read_only=True)
    designated_since = serializers.DateField(read_only=True, allow_null=True)
    last_class_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "credit_code",
            "type",
            "county",
            "address",
            "latitude",
            "longitude",
            "contact_person",
            "contact_phone",
            "license_number",
            "license_valid_until",
            "capacity",
            "status",
            "designated_since",
            "last_class_on",
            "actions",
        ]
        # Uniqueness and formats are checked by the service (one place for forms, imports and the API).
        extra_kwargs = {"credit_code": {"validators": []}}


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=InstitutionStatus.choices)
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class InstitutionViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Institutions in the user's scope; institution users see their own only. Bureau staff register
    applications and move them through the designation workflow."""

    queryset = Institution.objects.select_related("county")
    serializer_class = InstitutionSerializer
    scope_region_field = "county"
    scope_institution_field = "pk"
    permission_classes = [Allowed]
    permission = "institution.view"
    permissions = {"create": "institution.decide", "transition": "institution.decide"}
    filterset_fields = ["status", "type"]

    def perform_create(self, serializer):
        serializer.instance = institution_register(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=TransitionSerializer, responses=InstitutionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        institution = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        institution = institution_transition(actor=request.user, institution=institution, **data.validated_data)
        return Response(InstitutionSerializer(institution, context={"request": request}).data)


class ScopedInstitutionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.institution_list(user=self.context["request"].user)


class ProgramSerializer(ActionsMixin, serializers.ModelSerializer):
    institution = ScopedInstitutionField()
    # An occupation and a level, or (创业培训) an entrepreneurship stage and neither: program_list checks which.
    occupation = CodeRelatedField(slug_field="code", queryset=Occupation.objects.all(), allow_null=True, default=None)
    skill_level = CodeRelatedField(slug_field="code", queryset=SkillLevel.objects.all(), allow_null=True, default=None)
    entrepreneurship_stage = CodeRelatedField(
        slug_field="code", queryset=EntrepreneurshipStage.objects.all(), allow_null=True, default=None
    )
    training_type = CodeRelatedField(slug_field="code", queryset=TrainingType.objects.all())
    mode = serializers.ChoiceField(choices=TrainingMode.choices)
    status = serializers.CharField(read_only=True)
    delisted_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "institution",
            "occupation",
            "skill_level",
            "entrepreneurship_stage",
            "training_type",
            "mode",
            "theory_hours",
            "practice_hours",
            "fee",
            "status",
            "listed_on",
            "delisted_on",
            "actions",
        ]
        validators = []


class ProgramStatusSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ProgramStatus.choices)
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class ProgramFilter(django_filters.FilterSet):
    # A plain id, applied inside the scoped queryset: a choice field would tell whether a foreign institution
    # id exists.
    institution = IdFilter(field_name="institution_id", help_text="机构 id")

    class Meta:
        model = Program
        fields = ["institution", "status", "mode"]


class ProgramViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Program.objects.select_related(
        "institution__county", "occupation", "skill_level", "entrepreneurship_stage", "training_type"
    )
    serializer_class = ProgramSerializer
    scope_region_field = "institution__county"
    scope_institution_field = "institution"
    permission_classes = [Allowed]
    permission = "program.list"
    permissions = {"create": "program.decide", "set_status": "program.decide"}
    filterset_class = ProgramFilter

    def perform_create(self, serializer):
        serializer.instance = program_list(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=ProgramStatusSerializer, responses=ProgramSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        program = self.get_object()
        data = ProgramStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        program = program_set_status(actor=request.user, program=program, **data.validated_data)
        return Response(ProgramSerializer(program, context={"request": request}).data)


class UrgentListSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    occupations = CodeRelatedField(slug_field="code", many=True, queryset=Occupation.objects.all())

    class Meta:
        model = UrgentOccupationList
        fields = ["id", "region", "year", "document", "occupations", "published_at"]
        read_only_fields = ["published_at"]
        validators = []


class UrgentListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Urgent-shortage lists that apply in the user's regions; publishing is for the user's own region."""

    queryset = UrgentOccupationList.objects.none()  # for the schema; get_queryset scopes
    serializer_class = UrgentListSerializer
    permission_classes = [Allowed]
    permission = "urgent_list.list"  # publishing: the service asks urgent_list.publish for the user's region

    def get_queryset(self):
        return selectors.urgent_list_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = urgent_list_publish(
            actor=self.request.user, region=self.request.user.region, **serializer.validated_data
        )


# --- public, no login ---------------------------------------------------------------------------------


class PublicProgramSerializer(serializers.ModelSerializer):
    # An entrepreneurship program (创业培训) has a stage and no occupation or level.
    occupation = serializers.CharField(source="occupation.name", default="")
    occupation_code = serializers.CharField(source="occupation.code", default="")
    skill_level = serializers.CharField(source="skill_level.name", default="")
    entrepreneurship_stage = serializers.CharField(source="entrepreneurship_stage.name", default="")
    training_type = serializers.CharField(source="training_type.name")

    class Meta:
        model = Program
        fields = [
            "occupation",
            "occupation_code",
            "skill_level",
            "entrepreneurship_stage",
            "training_type",
            "mode",
            "theory_hours",
            "practice_hours",
            "fee",
        ]


class PublicInstitutionSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.full_name")
    county_code = serializers.CharField(source="county.code")
    programs = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "type",
            "county",
            "county_code",
            "address",
            "contact_phone",
            "designated_since",
            "programs",
        ]

    def get_programs(self, obj) -> list[dict]:
        listed = [p for p in obj.programs.all() if p.status == ProgramStatus.LISTED]
        return PublicProgramSerializer(listed, many=True).data


class PublicInstitutionFilter(django_filters.FilterSet):
    region = RegionCodeFilter(
        field_name="county__code", lookup_expr="startswith", help_text="区划代码：该市（县）的机构"
    )

    class Meta:
        model = Institution
        fields = ["region"]


class PublicInstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    """The public directory: designated institutions and their listed programs. No personal data."""

    serializer_class = PublicInstitutionSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    filterset_class = PublicInstitutionFilter

    def get_queryset(self):
        return selectors.public_institution_list().prefetch_related(
            "programs__occupation", "programs__skill_level", "programs__training_type"
        )
