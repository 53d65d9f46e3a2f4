"""Trainee API: masked by default; searching by ID number is a POST (no personal data in URLs); revealing a
full value is its own audited action."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.policy import Allowed

from . import selectors
from .models import Certificate, Trainee
from .services.people import REVEALABLE_FIELDS, trainee_reveal


class TraineeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="name_masked")
    id_number = serializers.CharField(source="id_number_masked")
    phone = serializers.CharField(source="phone_masked")
    # The age by birth year, never the birth date: beside the mask it would give the number back (core.masking).
    age = serializers.IntegerField(read_only=True)
    registered_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Trainee
        fields = ["id", "name", "id_number", "gender", "age", "phone", "registered_region", "draws_pension"]


class SearchSerializer(serializers.Serializer):
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(REVEALABLE_FIELDS))


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class TraineeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TraineeSerializer
    permission_classes = [Allowed]
    permission = "trainee.list"
    permissions = {"reveal": "trainee.reveal"}
    queryset = Trainee.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return selectors.trainee_list(user=self.request.user)

    @extend_schema(request=SearchSerializer, responses=TraineeSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def search(self, request):
        data = SearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not any(data.validated_data.values()):
            return Response([])
        trainees = selectors.trainee_list(user=request.user, filters=data.validated_data)[:100]
        return Response(TraineeSerializer(trainees, many=True).data)

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        trainee = self.get_object()
        data = RevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        trainee = Trainee.objects.get(pk=trainee.pk)  # with the encrypted columns
        value = trainee_reveal(actor=request.user, trainee=trainee, field=field)
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response


class CertificateSerializer(serializers.ModelSerializer):
    trainee = serializers.PrimaryKeyRelatedField(read_only=True)
    occupation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    skill_level = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Certificate
        fields = ["id", "trainee", "type", "number", "occupation", "skill_level", "issuing_body", "issue_date"]


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificateSerializer
    permission_classes = [Allowed]
    permission = "trainee.list"
    queryset = Certificate.objects.none()

    def get_queryset(self):
        return selectors.certificate_list(user=self.request.user)
