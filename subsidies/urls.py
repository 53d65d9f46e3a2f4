from django.urls import path

from .views import checks, claims, payments, review, skill_upgrade, standards

app_name = "subsidies"

urlpatterns = [
    path("", claims.ClaimListView.as_view(), name="list"),
    path("new/", claims.ClaimCreateView.as_view(), name="create"),
    path("queue/", review.ReviewQueueView.as_view(), name="queue"),
    path("<int:pk>/", claims.ClaimDetailView.as_view(), name="detail"),
    path("<int:pk>/submit/", claims.ClaimSubmitView.as_view(), name="submit"),
    path("<int:pk>/materials/", claims.MaterialUploadView.as_view(), name="material_upload"),
    path("<int:pk>/materials/<int:material_pk>/", claims.MaterialDownloadView.as_view(), name="material"),
    path("<int:pk>/lines/<int:line_pk>/decide/", review.LineDecideView.as_view(), name="line_decide"),
    path("<int:pk>/lines/approve-clean/", review.ClaimApproveCleanView.as_view(), name="approve_clean"),
    path("<int:pk>/findings/<int:finding_pk>/accept/", review.FindingAcceptView.as_view(), name="finding_accept"),
    path("<int:pk>/reverify/", review.ClaimReverifyView.as_view(), name="reverify"),
    path("<int:pk>/return/", review.ClaimReturnView.as_view(), name="return"),
    path("<int:pk>/reject/", review.ClaimRejectView.as_view(), name="reject"),
    path("<int:pk>/notice/", review.ClaimSendToNoticeView.as_view(), name="send_to_notice"),
    path(
        "<int:pk>/objections/<int:objection_pk>/resolve/",
        review.ObjectionResolveView.as_view(),
        name="objection_resolve",
    ),
    path("<int:pk>/follow-ups/", checks.FollowUpListView.as_view(), name="follow_ups"),
    path("<int:pk>/follow-ups/<int:follow_up_pk>/", checks.FollowUpRecordView.as_view(), name="follow_up_record"),
    path("<int:pk>/settle/", payments.SettlementView.as_view(), name="settle"),
    path("payments/", payments.PaymentListView.as_view(), name="payments"),
    path("payments/classes/<int:class_pk>/advance/", payments.AdvanceView.as_view(), name="advance"),
    path("spot-checks/", checks.SpotCheckListView.as_view(), name="spot_checks"),
    path("spot-checks/<int:pk>/", checks.SpotCheckDetailView.as_view(), name="spot_check"),
    path("spot-checks/visits/<int:visit_pk>/", checks.VisitRecordView.as_view(), name="visit_record"),
    path("inspectors/", checks.InspectorListView.as_view(), name="inspectors"),
    path("standards/", standards.StandardListView.as_view(), name="standards"),
    path("standards/new/", standards.StandardCreateView.as_view(), name="standard_create"),
    path("standards/<int:pk>/", standards.StandardEditView.as_view(), name="standard_edit"),
    path("standards/<int:pk>/revise/", standards.StandardReviseView.as_view(), name="standard_revise"),
    path("standards/<int:pk>/retire/", standards.StandardRetireView.as_view(), name="standard_retire"),
]

# 技能提升补贴 (paid to the person, filed at the window)
urlpatterns += [
    path("skill-upgrade/", skill_upgrade.ListView.as_view(), name="skill_upgrade_list"),
    path("skill-upgrade/window/", skill_upgrade.WindowView.as_view(), name="skill_upgrade_window"),
    path("skill-upgrade/<int:pk>/", skill_upgrade.DetailView.as_view(), name="skill_upgrade_detail"),
    path("skill-upgrade/<int:pk>/act/", skill_upgrade.ActView.as_view(), name="skill_upgrade_act"),
    path("skill-upgrade/<int:pk>/pay/", skill_upgrade.PayView.as_view(), name="skill_upgrade_pay"),
    path("skill-upgrade/<int:pk>/reveal/", skill_upgrade.RevealView.as_view(), name="skill_upgrade_reveal"),
]
