from rest_framework import serializers, viewsets

from catalog.models import Occupation, Region
from core.policy import Allowed

from .api_base import ScopedReadOnlyViewSet


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_statistical"]


class RegionViewSet(ScopedReadOnlyViewSet):
    """Regions inside the user's scope."""

    permission_classes = [Allowed]
    permission = "reference_data.view"
    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    scope_region_field = ""
    lookup_field = "code"
    filterset_fields = ["level", "is_statistical"]


class OccupationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occupation
        fields = ["code", "name", "category", "is_active"]


class OccupationViewSet(viewsets.ReadOnlyModelViewSet):
    """Occupations are public reference data: every signed-in user may read them."""

    permission_classes = [Allowed]
    permission = "reference_data.view"
    queryset = Occupation.objects.all()
    serializer_class = OccupationSerializer
    lookup_field = "code"
    filterset_fields = ["category", "is_active"]
