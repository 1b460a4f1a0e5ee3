"""One answer for every section of a page: htmx asks for the section, a browser without
JavaScript gets the page (or is sent back to the section's place on its page)."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from .models import User


class PortalRequest(HttpRequest):
    """A request past login_required, as the views see it (for type checking)."""

    user: "User"
    htmx: HtmxDetails


def section(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str = "section",
    done: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The template's named partial for htmx; otherwise, when `done` is given (a change went
    through) a redirect there, else the whole template as a page (a form's errors, say)."""
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, f"{template}#{partial}", context, status=status)
    elif done is not None:
        response = redirect(done)
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def message_above_the_page(reason: str, status: int) -> HttpResponse:
    """For htmx: a refusal shown where the page's messages go, the section left as it was
    (base.html's htmx config swaps 409, 413 and 429 where these headers say). #messages is the
    page's live region, so a screen reader reads it out."""
    message = format_html('<p class="message error">{}</p>', reason)
    response = HttpResponse(message, status=status)
    response["HX-Retarget"] = "#messages"
    response["HX-Reswap"] = "innerHTML"
    return response
