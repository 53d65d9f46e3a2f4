"""One router for the API; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from catalog.apis import OccupationViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")

urlpatterns = router.urls
