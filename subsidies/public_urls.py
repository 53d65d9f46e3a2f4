from django.urls import path

from . import public_views

app_name = "public_notices"

urlpatterns = [
    path("", public_views.notices, name="list"),
    path("ended/", public_views.notices, {"ended": True}, name="ended"),
    path("spot-checks/", public_views.spot_checks, name="spot_checks"),
    path("<int:pk>/", public_views.notice, name="notice"),
]
