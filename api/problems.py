"""Errors as RFC 9457 problem details: application/problem+json with type, title, status and
detail; a refused input also lists its fields (`errors`: where, and what is wrong)."""

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Not authenticated"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    422: gettext_lazy("Invalid input"),
    429: gettext_lazy("Too many requests"),
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised anywhere in an API view: answered as a problem with this status."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        # No page describes each kind: "about:blank" says the status's title is the whole story.
        "type": "about:blank",
        "title": str(TITLES.get(status, _("Error"))),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """pydantic's (and ninja's) errors as fields and messages: `body.figures.0.value`."""
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ninja nests the body under the view's parameter name: body.payload.x -> body.x
        if len(location) > 2 and location[0] == "body":
            location = [location[0], *location[2:]]
        found.append({"field": ".".join(location), "message": str(error.get("msg", ""))})
    return found
