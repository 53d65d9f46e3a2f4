from django.urls import path, re_path

from . import views

app_name = "indicators"

REGION = r"(?P<code>\d{2}|\d{4}|\d{6})"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("targets/import/", views.TargetImportView.as_view(), name="target_import"),
    path("tasks/", views.KeyTaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/progress/", views.TaskProgressView.as_view(), name="task_progress"),
    path("reports/", views.MonthlyReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/download/", views.MonthlyReportDownloadView.as_view(), name="report_download"),
    re_path(rf"^{REGION}/$", views.DashboardView.as_view(), name="region"),
    re_path(rf"^{REGION}/reported/$", views.ReportedValueView.as_view(), name="reported"),
]
