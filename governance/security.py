"""The content security policy, sign-in lockout, the page for a refused CSRF token and
ended sessions under htmx."""

import functools
import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit

from axes.helpers import get_cool_off
from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .cache import count_up
from .htmx import message_above_the_page
from .models import normalise_email

ADMIN_PREFIX = "/admin/"  # where governance/urls.py mounts Django's admin


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's policy, with one allowance in the admin only: django-simple-history's
    history page carries an inline style attribute. Scripts stay as strict as everywhere.
    A PDF gets no policy: Chromium applies it to its own PDF viewer page, which it breaks."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "style-src-attr": [UNSAFE_INLINE]}
        return parts


def sign_in_name(request, credentials):
    """The e-mail address a sign-in attempt was for, as django-axes counts it: in any case of
    letters it is the same person, so it is one count."""
    name = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalise_email(name) or None


@functools.cache
def _proxy_networks(addresses: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def from_trusted_proxy(address: str | None) -> bool:
    """Whether the connection comes from one of TRUSTED_PROXIES (addresses or networks)."""
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(peer in network for network in _proxy_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request):
    """The address a request came from. A request that comes from the TLS proxy (one of
    TRUSTED_PROXIES) passed TRUSTED_PROXY_COUNT proxies that each append to X-Forwarded-For:
    it is that many entries from the right (entries further left are the client's to invent).
    Any other request reached gunicorn directly and its X-Forwarded-For is the client's own
    invention: the connection's address counts."""
    connection = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count or not from_trusted_proxy(connection):
        return connection
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    return forwarded[-count] if len(forwarded) >= count else connection


def locked_out(request, original_response=None, credentials=None):
    """django-axes refused a sign-in: say until when, in the site's layout (429)."""
    cool_off = get_cool_off(request)
    # The refused attempt itself restarts the wait, so it ends one cool-off from now.
    until = timezone.localtime(timezone.now() + cool_off)
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": round(cool_off.total_seconds() / 60), "until": until},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def csrf_failure(request, reason=""):
    """A change refused for a missing or stale CSRF token (an old tab, a session signed in
    again elsewhere): nothing was saved; say so and how to go on."""
    if request.htmx:
        # htmx does not swap a 403 into the page; reload it (with a fresh token) and show why.
        messages.error(
            request,
            _(
                "This page had expired, so your last change was not saved. "
                "The page has been reloaded: please make the change again."
            ),
        )
        response = HttpResponse(status=403)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "403_csrf.html", status=403)


class HtmxLoginRedirectMiddleware:
    """When the session has ended, an htmx request sends the whole page to sign in (and back
    to that page afterwards); otherwise htmx would follow the redirect and swap the sign-in
    form into a fragment of the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.htmx
            and response.status_code == 302
            and not request.user.is_authenticated
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            page = request.htmx.current_url_abs_path
            if page is None and request.method == "GET":
                page = request.get_full_path()
            login_url = redirect_to_login(page).url if page else resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(login_url)
        return response


class PrivateResponsesMiddleware:
    """What a signed-in person is shown (pages, the minutes PDF, calendar files) is never
    stored by a browser or a proxy: the next person at a shared computer could otherwise read
    it from the cache or with the back button. A response that sets its own Cache-Control
    keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class WriteRateLimitMiddleware:
    """At most WRITES_PER_MINUTE changes (POSTs) a minute from one signed-in person: a script
    or a stuck key cannot flood the minutes, the issues or everyone's inbox. Beyond it the
    change is refused with a word on why and for how long (HTTP 429), and nothing typed is
    lost (_refusal). Counted in the cache; when the cache is down, nothing is counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.user.is_authenticated:
            minute = int(time.time() // 60)
            count = count_up(f"writes:{request.user.pk}:{minute}", timeout=120)
            if count is not None and count > settings.WRITES_PER_MINUTE:
                return self.refused(request, 60 - int(time.time() % 60))
        return self.get_response(request)

    def refused(self, request, seconds):
        reason = _(
            "You have made more than %(count)d changes in a minute, so this one was not "
            "saved. Wait %(seconds)d seconds and send it again."
        ) % {"count": settings.WRITES_PER_MINUTE, "seconds": seconds}
        response = _refusal(request, "429.html", reason, status=429)
        response["Retry-After"] = str(seconds)
        return response


def _refusal(request, template, reason, status):
    """An answer that refuses a change and says why, keeping what the person wrote: an htmx
    form stays as it was, with the reason where the page's messages go; a plain form is one
    Back away."""
    if request.htmx:
        return message_above_the_page(reason, status)
    return render(request, template, {"reason": reason}, status=status)


# Paths whose requests may be larger than MAX_REQUEST_BYTES, each with the setting that holds
# its limit: an app above registers its own upload (documents: an attachment of 25 MB).
LARGER_REQUESTS: dict[str, str] = {}


class RequestSizeLimitMiddleware:
    """A request body larger than MAX_REQUEST_BYTES (a figures file at its limit, with its
    form) is refused from its declared length, before a byte of it is read: a 50 MB upload
    used to be read in full and only then refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        larger = next(
            (name for path, name in LARGER_REQUESTS.items() if request.path_info.startswith(path)),
            None,
        )
        most = getattr(settings, larger) if larger else settings.MAX_REQUEST_BYTES
        if declared > most:
            numbers = {
                "sent": f"{declared / 1024 / 1024:.1f}",
                "most": f"{most // 1024 // 1024}",
            }
            reason = _(
                "What you sent is %(sent)s MB, more than the %(most)s MB the portal takes at "
                "once, so it was not read. A figures file takes at most 2 MB: split it."
            )
            if larger:
                reason = _(
                    "What you sent is %(sent)s MB, more than the %(most)s MB the portal takes "
                    "here, so it was not read."
                )
            reason %= numbers
            response = _refusal(request, "413.html", reason, status=413)
            response["Connection"] = "close"  # the rest of the body is not read
            return response
        return self.get_response(request)
