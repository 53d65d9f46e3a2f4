from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.directory, name="directory"),
    path("institutions/<int:pk>/", public_views.institution, name="institution"),
]
