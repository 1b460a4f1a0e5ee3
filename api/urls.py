from django.urls import include, path, re_path

from . import views
from .v1 import api

app_name = "api"

# ninja's own root view only says where its docs would be (an HTML 404): left out, so /api/v1/
# answers as every unknown address under /api/ does.
v1_patterns, _app, v1_namespace = api.urls
v1_patterns = [pattern for pattern in v1_patterns if getattr(pattern, "name", "") != "api-root"]

urlpatterns = [
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # The schema of the current version, published at /api/openapi.json; the same document at
    # /api/v1/openapi.json.
    path("api/openapi.json", views.openapi_json, name="openapi_json"),
    path("api/v1/openapi.json", views.openapi_json, name="openapi_json_v1"),
    path("api/docs/", views.docs, name="docs"),
    path("api/v1/", include((v1_patterns, v1_namespace))),
    re_path(r"^api/(?P<rest>.*)$", views.not_found),
]
