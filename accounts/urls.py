from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views.AuditEventListView.as_view(), name="audit_list"),
    path("2fa/setup/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("2fa/devices/<int:pk>/remove/", views.TwoFactorDeviceRemoveView.as_view(), name="two_factor_device_remove"),
    path("2fa/verify/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("2fa/reauth/", views.ReauthView.as_view(), name="reauth"),
    path("reference-import/", views.ReferenceImportView.as_view(), name="reference_import"),
    path(
        "reference-import/<slug:kind>/template.xlsx", views.reference_import_template, name="reference_import_template"
    ),
]
