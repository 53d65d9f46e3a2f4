from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    path("accounts/", include("accounts.urls")),
    path("institutions/", include("institutions.urls")),
    path("public/notices/", include("subsidies.public_urls")),
    path("public/", include("institutions.public_urls")),
    path("trainees/", include("trainees.urls")),
    path("classes/", include("training.urls")),
    path("claims/", include("subsidies.urls")),
    path("dashboard/", include("indicators.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
