from django.urls import path

from . import views

app_name = "trainees"

urlpatterns = [
    path("", views.TraineeListView.as_view(), name="list"),
    path("new/", views.TraineeRegisterView.as_view(), name="register"),
    path("export/", views.TraineeExportView.as_view(), name="export"),
    path("certificates/import/", views.CertificateImportView.as_view(), name="certificate_import"),
    path("<int:pk>/", views.TraineeDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal/", views.TraineeRevealView.as_view(), name="reveal"),
    path("<int:pk>/categories/", views.CategoryCreateView.as_view(), name="category_create"),
    path("<int:pk>/certificates/", views.CertificateCreateView.as_view(), name="certificate_create"),
]
