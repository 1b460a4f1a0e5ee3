"""The portal's URLs: each app's own under its namespace, the portal's pages on top."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
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
    path("healthz/", views.healthz, name="healthz"),
    path("", include(governance_patterns)),
    path("", include("portal.urls")),
    path("", include("suppliers.urls")),
    path("", include("meetings.urls")),
    path("", include("escalations.urls")),
    path("", include("operations.urls")),
    path("", include("relationship.urls")),
    path("admin/", admin.site.urls),
]
