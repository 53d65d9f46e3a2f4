from django.urls import path

from .views import imports, institutions, key_areas, programs, urgent_lists

app_name = "institutions"

urlpatterns = [
    path("", institutions.InstitutionListView.as_view(), name="list"),
    path("new/", institutions.InstitutionCreateView.as_view(), name="create"),
    path("mine/", institutions.MyInstitutionView.as_view(), name="mine"),
    path("<int:pk>/", institutions.InstitutionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", institutions.InstitutionEditView.as_view(), name="edit"),
    path("<int:pk>/transition/", institutions.InstitutionTransitionView.as_view(), name="transition"),
    path("<int:pk>/inspections/", institutions.InspectionCreateView.as_view(), name="inspection_create"),
    path("<int:pk>/teachers/", institutions.TeacherCreateView.as_view(), name="teacher_create"),
    path("<int:pk>/teachers/<int:teacher_pk>/delete/", institutions.TeacherDeleteView.as_view(), name="teacher_delete"),
    path("<int:pk>/venues/", institutions.VenueCreateView.as_view(), name="venue_create"),
    path("<int:pk>/venues/<int:venue_pk>/delete/", institutions.VenueDeleteView.as_view(), name="venue_delete"),
    path(
        "<int:pk>/changes/<int:request_pk>/decide/",
        institutions.ChangeRequestDecideView.as_view(),
        name="change_decide",
    ),
    path("programs/", programs.ProgramListView.as_view(), name="programs"),
    path("programs/new/", programs.ProgramCreateView.as_view(), name="program_create"),
    path("programs/<int:pk>/status/", programs.ProgramStatusView.as_view(), name="program_status"),
    path("urgent-lists/", urgent_lists.UrgentListView.as_view(), name="urgent_lists"),
    path("import/<slug:kind>/", imports.DirectoryImportView.as_view(), name="import"),
    path("key-areas/", key_areas.KeyAreaListView.as_view(), name="key_areas"),
    path("key-areas/import/", key_areas.KeyAreaImportView.as_view(), name="key_area_import"),
    path("key-areas/<slug:kind>/<int:pk>/end/", key_areas.KeyAreaEndView.as_view(), name="key_area_end"),
]
