from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.InstitutionListView.as_view(), name="list"),
    path("new/", views.InstitutionCreateView.as_view(), name="create"),
    path("mine/", views.MyInstitutionView.as_view(), name="mine"),
    path("<int:pk>/", views.InstitutionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.InstitutionEditView.as_view(), name="edit"),
    path("<int:pk>/transition/", views.InstitutionTransitionView.as_view(), name="transition"),
    path("<int:pk>/inspections/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/teachers/", views.TeacherCreateView.as_view(), name="teacher_create"),
    path("<int:pk>/teachers/<int:teacher_pk>/delete/", views.TeacherDeleteView.as_view(), name="teacher_delete"),
    path("<int:pk>/venues/", views.VenueCreateView.as_view(), name="venue_create"),
    path("<int:pk>/venues/<int:venue_pk>/delete/", views.VenueDeleteView.as_view(), name="venue_delete"),
    path("<int:pk>/changes/<int:request_pk>/decide/", views.ChangeRequestDecideView.as_view(), name="change_decide"),
    path("programs/", views.ProgramListView.as_view(), name="programs"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program_create"),
    path("programs/<int:pk>/status/", views.ProgramStatusView.as_view(), name="program_status"),
    path("urgent-lists/", views.UrgentListView.as_view(), name="urgent_lists"),
    path("import/<slug:kind>/", views.DirectoryImportView.as_view(), name="import"),
]
