"""The portal's URLs: each app's own under its namespace, the portal's pages on top."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import export_views, health, languages, views
from .forms import EmailAuthenticationForm

# Not a 500 while the database restarts: portal.views.server_error answers 503.
handler500 = "portal.views.server_error"

governance_patterns = (
    [
        path(
            "contracts/<int:pk>/levels/<str:level>/holders/",
            views.role_holder_add,
            name="role_holder_add",
        ),
        path(
            "contracts/<int:pk>/levels/<str:level>/holders/<int:holder_pk>/remove/",
            views.role_holder_remove,
            name="role_holder_remove",
        ),
        path(
            "contracts/<int:pk>/levels/<str:level>/mandate/",
            views.mandate_edit,
            name="mandate_edit",
        ),
        path(
            "contracts/<int:pk>/levels/<str:level>/response-time/",
            views.response_time_edit,
            name="response_time_edit",
        ),
        path(
            "contracts/<int:pk>/sign-off/request/",
            views.sign_off_request,
            name="sign_off_request",
        ),
        path("contracts/<int:pk>/sign-off/", views.sign_off_confirm, name="sign_off_confirm"),
        path("sign-off/<str:token>/", views.sign_off_link, name="sign_off_link"),
    ],
    "governance",
)

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", languages.switch_language, name="switch_language"),
    # The city's single sign-on (governance/oidc.py); 404 while OIDC_RP_CLIENT_ID is not set.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("account/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("account/", views.account, name="account"),
    path("account/notifications/", views.notification_settings, name="notification_settings"),
    path("access-log/", views.access_log_page, name="access_log"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/deactivate/", views.people_deactivate, name="people_deactivate"),
    path("people/<int:pk>/reactivate/", views.people_reactivate, name="people_reactivate"),
    path(
        "people/<int:pk>/reset-two-factor/",
        views.people_reset_second_factor,
        name="people_reset_second_factor",
    ),
    path("people/<int:pk>/role/", views.people_change_role, name="people_change_role"),
    # Every list page's export (governance/exports.py: the apps register their lists).
    path("exports/<slug:name>.<slug:file_format>", export_views.export_list, name="export"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    # For the container runtime and monitoring: no sign-in, no session, no HTTPS redirect.
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the plain error
    # pages); the static file's URL is only known once the static files are collected.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    path("", include(governance_patterns)),
    path("", include("portal.urls")),
    path("", include("suppliers.urls")),
    path("", include("meetings.urls")),
    path("", include("escalations.urls")),
    path("", include("operations.urls")),
    path("", include("relationship.urls")),
    path("", include("documents.urls")),
    path("", include("risks.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
