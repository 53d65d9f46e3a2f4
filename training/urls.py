from django.urls import path

from . import views, views_business_starts, views_first_year, views_timetable

app_name = "training"

urlpatterns = [
    path("", views.ClassListView.as_view(), name="list"),
    path("queue/", views.ApprovalQueueView.as_view(), name="queue"),
    path("first-year/", views_first_year.FirstYearView.as_view(), name="first_year"),
    path("new/", views.ClassCreateView.as_view(), name="create"),
    path("roster-template.xlsx", views.RosterTemplateView.as_view(), name="roster_template"),
    path("timetable-template.xlsx", views_timetable.TimetableTemplateView.as_view(), name="timetable_template"),
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/<int:device_pk>/revoke/", views.DeviceRevokeView.as_view(), name="device_revoke"),
    path("jobs/<int:job_pk>/", views.JobProgressView.as_view(), name="job"),
    path("<int:pk>/", views.ClassDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ClassEditView.as_view(), name="edit"),
    path("<int:pk>/sessions/", views.SessionCreateView.as_view(), name="session_create"),
    path("<int:pk>/sessions/<int:session_pk>/delete/", views.SessionDeleteView.as_view(), name="session_delete"),
    path("<int:pk>/timetable/", views_timetable.TimetablePatternView.as_view(), name="timetable_pattern"),
    path("<int:pk>/timetable/import/", views_timetable.TimetableImportView.as_view(), name="timetable_import"),
    path("<int:pk>/timetable/confirm/", views_timetable.TimetableConfirmView.as_view(), name="timetable_confirm"),
    path("<int:pk>/materials/", views.MaterialUploadView.as_view(), name="material_upload"),
    path("<int:pk>/materials/<int:material_pk>/", views.MaterialDownloadView.as_view(), name="material"),
    path("<int:pk>/roster/", views.RosterUploadView.as_view(), name="roster_upload"),
    path("<int:pk>/transition/", views.ClassTransitionView.as_view(), name="transition"),
    path("<int:pk>/change/", views.ClassChangeView.as_view(), name="change"),
    path("<int:pk>/attendance/", views.ManualAttendanceView.as_view(), name="attendance"),
    path("<int:pk>/results/", views.ResultView.as_view(), name="result"),
    path("<int:pk>/business-starts/", views_business_starts.BusinessStartView.as_view(), name="business_starts"),
]
