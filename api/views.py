"""The person's API tokens (a page under their account), the published schema, the docs for
signed-in people and a problem for any other address under /api/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
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


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """django-ninja's Swagger UI in the portal's layout, its files served by the portal (no
    CDN, nothing inline for the content security policy), for signed-in people; trying a
    request out asks for a token (Authorize)."""
    swagger = {"url": reverse("api:openapi_json"), "layout": "BaseLayout", "deepLinking": True}
    return render(request, "api/docs.html", {"swagger_settings": swagger})


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(404, _("There is nothing at this address of the API."))
