from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("", views.ClaimListView.as_view(), name="list"),
    path("new/", views.ClaimCreateView.as_view(), name="create"),
    path("queue/", views.ReviewQueueView.as_view(), name="queue"),
    path("<int:pk>/", views.ClaimDetailView.as_view(), name="detail"),
    path("<int:pk>/submit/", views.ClaimSubmitView.as_view(), name="submit"),
    path("<int:pk>/materials/", views.MaterialUploadView.as_view(), name="material_upload"),
    path("<int:pk>/materials/<int:material_pk>/", views.MaterialDownloadView.as_view(), name="material"),
    path("<int:pk>/lines/<int:line_pk>/decide/", views.LineDecideView.as_view(), name="line_decide"),
    path("<int:pk>/findings/<int:finding_pk>/accept/", views.FindingAcceptView.as_view(), name="finding_accept"),
    path("<int:pk>/reverify/", views.ClaimReverifyView.as_view(), name="reverify"),
    path("<int:pk>/return/", views.ClaimReturnView.as_view(), name="return"),
    path("<int:pk>/reject/", views.ClaimRejectView.as_view(), name="reject"),
    path("<int:pk>/notice/", views.ClaimSendToNoticeView.as_view(), name="send_to_notice"),
    path(
        "<int:pk>/objections/<int:objection_pk>/resolve/",
        views.ObjectionResolveView.as_view(),
        name="objection_resolve",
    ),
    path("<int:pk>/follow-ups/", views.FollowUpListView.as_view(), name="follow_ups"),
    path("<int:pk>/follow-ups/<int:follow_up_pk>/", views.FollowUpRecordView.as_view(), name="follow_up_record"),
    path("<int:pk>/settle/", views.SettlementView.as_view(), name="settle"),
    path("payments/", views.PaymentListView.as_view(), name="payments"),
    path("payments/classes/<int:class_pk>/advance/", views.AdvanceView.as_view(), name="advance"),
    path("spot-checks/", views.SpotCheckListView.as_view(), name="spot_checks"),
    path("spot-checks/<int:pk>/", views.SpotCheckDetailView.as_view(), name="spot_check"),
    path("spot-checks/visits/<int:visit_pk>/", views.VisitRecordView.as_view(), name="visit_record"),
    path("inspectors/", views.InspectorListView.as_view(), name="inspectors"),
]
