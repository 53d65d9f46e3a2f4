"""One router for the API; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from catalog.apis import OccupationViewSet, RegionViewSet
from institutions.apis import InstitutionViewSet, ProgramViewSet, PublicInstitutionViewSet, UrgentListViewSet
from trainees.apis import CertificateViewSet, TraineeViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("programs", ProgramViewSet, basename="program")
router.register("urgent-lists", UrgentListViewSet, basename="urgent-list")
router.register("trainees", TraineeViewSet, basename="trainee")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("public/institutions", PublicInstitutionViewSet, basename="public-institution")

urlpatterns = router.urls
