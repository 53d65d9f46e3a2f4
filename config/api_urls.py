"""One router for the API; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.apis import OccupationViewSet, RegionViewSet
from indicators.apis import DashboardViewSet, MonthlyReportViewSet, TargetViewSet
from institutions.apis import InstitutionViewSet, ProgramViewSet, PublicInstitutionViewSet, UrgentListViewSet
from subsidies.apis import ClaimViewSet, PublicNoticeViewSet, SubsidyStandardViewSet
from trainees.apis import CertificateViewSet, TraineeViewSet
from training.apis import CheckInView, EnrollmentViewSet, ImportJobViewSet, TrainingClassViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("programs", ProgramViewSet, basename="program")
router.register("urgent-lists", UrgentListViewSet, basename="urgent-list")
router.register("trainees", TraineeViewSet, basename="trainee")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("classes", TrainingClassViewSet, basename="class")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("import-jobs", ImportJobViewSet, basename="import-job")
router.register("claims", ClaimViewSet, basename="claim")
router.register("standards", SubsidyStandardViewSet, basename="standard")
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("targets", TargetViewSet, basename="target")
router.register("monthly-reports", MonthlyReportViewSet, basename="monthly-report")
router.register("public/institutions", PublicInstitutionViewSet, basename="public-institution")
router.register("public/notices", PublicNoticeViewSet, basename="public-notice")

urlpatterns = [*router.urls, path("checkins/", CheckInView.as_view(), name="checkins")]
