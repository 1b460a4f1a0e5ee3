"""The person's API tokens (a page under their account), the published schema, the docs for
signed-in people and a problem for any other address under /api/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from governance.htmx import PortalRequest

from . import services
from .forms import TokenForm
from .problems import problem_response
from .v1 import api


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: PortalRequest) -> HttpResponse:
    """Make a token (shown once, on the answer to the POST) and see and revoke one's own."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    made = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _api_token, made = services.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                request=request,
            )
            form = TokenForm()
        else:
            status = 400
    context = {
        "form": form,
        "made": made,
        "tokens": request.user.api_tokens.all(),
    }
    return render(request, "api/tokens.html", context, status=status)


@require_POST
@login_required
def token_revoke(request: PortalRequest, pk: int) -> HttpResponse:
    api_token = get_object_or_404(request.user.api_tokens.all(), pk=pk)
    services.revoke_token(api_token=api_token, by=request.user, request=request)
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("api:tokens")


def openapi_json(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3 schema of the API's current version (v1), for anyone: it holds no data."""
    return JsonResponse(api.get_openapi_schema(path_prefix="/api/v1/"))


def _schema_name(content: dict) -> str:
    """The name of the schema a request or answer carries (its $ref's last part)."""
    for media in content.values():
        schema = media.get("schema", {})
        return str(schema.get("$ref", schema.get("type", ""))).rpartition("/")[2]
    return ""


def operations() -> list[dict]:
    """The published schema's operations, in the router's order, as the docs page lists them."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            answers = operation.get("responses", {})
            success = next(status for status in answers if int(status) < 400)
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation["operationId"],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "body": _schema_name(body) if body else "",
                    "status": success,
                    "answer": _schema_name(answers[success].get("content", {})),
                    "errors": [status for status in answers if int(status) >= 400],
                }
            )
    return found


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """The API's operations, read from the published schema, for signed-in people: a plain
    page in the portal's layout. (django-ninja's Swagger UI runs under the content security
    policy from the portal's own files, but fails WCAG 2.1 AA: contrast, buttons in buttons.)"""
    return render(request, "api/docs.html", {"operations": operations()})


@csrf_exempt  # a POST to no route is a 404 problem too, not the CSRF page: no cookie is read
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(404, _("There is nothing at this address of the API."))
