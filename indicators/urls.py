from django.urls import path, re_path

from .views import dashboard, reports, targets, tasks

app_name = "indicators"

REGION = r"(?P<code>\d{2}|\d{4}|\d{6})"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("targets/", targets.TargetsView.as_view(), name="targets"),
    path("targets/import/", targets.TargetImportView.as_view(), name="target_import"),
    path("tasks/", tasks.KeyTaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/progress/", tasks.TaskProgressView.as_view(), name="task_progress"),
    path("reports/", reports.MonthlyReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/download/", reports.MonthlyReportDownloadView.as_view(), name="report_download"),
    re_path(rf"^{REGION}/$", dashboard.DashboardView.as_view(), name="region"),
    re_path(rf"^{REGION}/reported/$", dashboard.ReportedValueView.as_view(), name="reported"),
]
