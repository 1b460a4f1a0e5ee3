"""The content security policy, sign-in lockout, the page for a refused CSRF token and
ended sessions under htmx."""

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


def client_ip(request):
    """The address a request came from. Behind TRUSTED_PROXY_COUNT proxies that each append to
    X-Forwarded-For, it is that many entries from the right (entries further left are the
    client's to invent); without proxies it is the connection's address."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


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
