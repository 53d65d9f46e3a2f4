"""Training API: scoped classes, rosters (masked), import-job progress, and the check-in device endpoint."""

import django_filters
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ActionsMixin, IdFilter
from core.policy import Allowed

from . import selectors
from .models import CheckInAnswer, CheckInDevice, CheckInMethod, ClassStatus, Enrollment, ImportJob, TrainingClass
from .services import attendance, classes


class TrainingClassSerializer(ActionsMixin, serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(read_only=True)
    program = serializers.PrimaryKeyRelatedField(read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    roster_size = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "name",
            "institution",
            "program",
            "county",
            "mode",
            "start_date",
            "end_date",
            "planned_headcount",
            "status",
            "revision",
            "roster_size",
            "actions",
        ]


class ClassTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ClassStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TrainingClassViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingClassSerializer
    permission_classes = [Allowed]
    permission = "class.list"  # each act of the workflow is asked again by the service, with the class
    queryset = TrainingClass.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.class_list(user=self.request.user)

    @extend_schema(request=ClassTransitionSerializer, responses=TrainingClassSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        training_class = self.get_object()
        data = ClassTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        classes.class_transition(actor=request.user, training_class=training_class, **data.validated_data)
        training_class = self.get_queryset().get(pk=training_class.pk)
        return Response(TrainingClassSerializer(training_class, context=self.get_serializer_context()).data)


class EnrollmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="trainee.name_masked")
    id_number = serializers.CharField(source="trainee.id_number_masked")
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    groups = serializers.SlugRelatedField(slug_field="code", read_only=True, many=True)  # category is the first

    class Meta:
        model = Enrollment
        fields = ["id", "training_class", "name", "id_number", "category", "groups", "result", "score", "warnings"]


class EnrollmentFilter(django_filters.FilterSet):
    # A plain id, applied inside the scoped queryset: a choice field would reveal which class ids exist.
    training_class = IdFilter(field_name="training_class_id", help_text="培训班 id")

    class Meta:
        model = Enrollment
        fields = ["training_class", "result"]


class EnrollmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnrollmentSerializer
    permission_classes = [Allowed]
    permission = "class.list"
    queryset = Enrollment.objects.none()
    filterset_class = EnrollmentFilter

    def get_queryset(self):
        return (
            selectors.enrollments_of(user=self.request.user)
            .select_related("trainee", "category")
            .prefetch_related("groups")
            .defer("trainee__id_number", "trainee__phone", "trainee__bank_account")
        )


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "training_class",
            "original_name",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "created_count",
            "errors",
            "warnings",
            "created_at",
            "finished_at",
        ]


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ImportJobSerializer
    permission_classes = [Allowed]
    permission = "class.list"
    queryset = ImportJob.objects.none()

    def get_queryset(self):
        return selectors.import_job_list(user=self.request.user)


# --- check-in devices ---------------------------------------------------------------------------------


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Device <token>`; the device, not a person, is authenticated."""

    keyword = "Device"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(self.keyword + " "):
            return None
        device = attendance.device_authenticate(header[len(self.keyword) + 1 :].strip())
        if device is None:
            raise exceptions.AuthenticationFailed("设备令牌无效或已停用。")
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Device <token>"}


class IsDevice(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, CheckInDevice)


class CheckInSerializer(serializers.Serializer):
    record_id = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=30)
    session = serializers.IntegerField()
    checked_at = serializers.DateTimeField()
    # Optional: a record is always stored with its device's method; a record claiming another one is rejected.
    method = serializers.ChoiceField(
        choices=[m for m in CheckInMethod.choices if m[0] != CheckInMethod.MANUAL], required=False
    )


class CheckInBatchSerializer(serializers.Serializer):
    records = CheckInSerializer(many=True, allow_empty=False, max_length=1000)


class CheckInResultSerializer(serializers.Serializer):
    record_id = serializers.CharField()
    status = serializers.ChoiceField(choices=CheckInAnswer.values)
    reason = serializers.CharField()


class CheckInView(APIView):
    """A batch of check-ins from a device. Resending a batch is safe: each record is counted once. Each record
    answers accepted / duplicate / rejected with a Chinese reason (outside the session window, in the future,
    before the device was issued, another method than the device's, uploaded too late; an accepted late upload
    says it was marked 迟传)."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsDevice]

    @extend_schema(request=CheckInBatchSerializer, responses={200: OpenApiResponse(CheckInResultSerializer(many=True))})
    def post(self, request):
        data = CheckInBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkins = [
            attendance.CheckIn(
                record_id=r["record_id"],
                id_number=r["id_number"],
                session_id=r["session"],
                checked_at=r["checked_at"],
                method=r.get("method", ""),
            )
            for r in data.validated_data["records"]
        ]
        return Response(attendance.checkins_record(device=request.auth, checkins=checkins))
