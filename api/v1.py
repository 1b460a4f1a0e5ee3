"""Version 1 of the API: one NinjaAPI, its error answers and its resources.

A new resource is a module in api/endpoints/ with a `router` (ninja.Router): list and detail
read from `Model.objects.visible_to(request.user)`, writes call the owning app's service; then
one line in RESOURCES below, a row per route in the authorization matrix's API_MATRIX and in
the cross-supplier sweep's API_ROUTES (tests/api/), which fail until they have them.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import TokenAuth
from .endpoints import documents, figures, governance, issues, meetings, register, risks
from .problems import CONTENT_TYPE, ProblemError, field_errors, problem_response

# path prefix -> router; each router's tag names its part of the docs.
RESOURCES = [
    ("/", register.router),
    ("/", governance.router),
    ("/", figures.router),
    ("/", issues.router),
    ("/", meetings.router),
    ("/", risks.router),
    ("/", documents.router),
]


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The schema as ninja makes it, with every error answer as problem+json."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in answer:
                        answer["content"] = {CONTENT_TYPE: answer["content"]["application/json"]}
        return schema


api = PortalAPI(
    title="Governance portal API",
    version="1",
    description=(
        "Read what you may see in the portal, report figures and raise issues. Authenticate "
        "with a personal API token (Your account → API tokens): `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    # The schema and the docs are served by api/views.py (the docs for signed-in people only).
    openapi_url=None,
    docs_url=None,
)
for prefix, router in RESOURCES:
    api.add_router(prefix, router)


@api.exception_handler(ProblemError)
def _problem(request: HttpRequest, error: ProblemError) -> HttpResponse:
    return problem_response(error.status, error.detail, errors=error.errors, headers=error.headers)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return problem_response(
        422, _("The request's input is not valid: see errors."), errors=field_errors(error.errors)
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem_response(
        401,
        _("Send a valid personal API token: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(404, _("There is nothing here, or nothing you may see."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problem_response(403, _("You may not do this."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    detail = _("The request body is not valid JSON.") if error.status_code == 400 else str(error)
    return problem_response(error.status_code, detail)
