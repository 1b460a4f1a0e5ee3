"""Two-factor sign-in with django-otp: a time-based code from an authenticator app (TOTP), or
one of the recovery codes given when it was set up, each good once.

Who must pass it: the city's staff and administrators who signed in with a password, supplier
contacts when MFA_FOR_SUPPLIER_CONTACTS is on, and anyone who set it up. A person signed in
through the city's identity provider passed that provider's own second factor
(governance.oidc sets SIGNED_IN_THROUGH). Until the session has passed it, every page sends
the person to give a code, or to set the app up if they have none."""

import math
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access_log
from .models import CITY_ROLES, AccessEventKind, Role, User
from .passwords import DEMO_AUTHENTICATOR_KEY

# The session key governance.oidc sets when the city's identity provider signed the person in.
SIGNED_IN_THROUGH = "signed_in_through"

# Pages a person between password and code may open: giving the code or setting the app up,
# signing out, and what needs no sign-in at all.
OPEN_PREFIXES = (
    "/mfa/",
    "/logout/",
    "/static/",
    "/healthz/",
    "/readyz/",
    "/privacy/",
    "/favicon.ico",
    "/password/reset/",
    "/oidc/",
)


def must_pass(user: User) -> bool:
    """Whether this person's sign-in asks for a second factor (before any session)."""
    return required_of(user) or has_authenticator(user)


def required_of(user: User) -> bool:
    """Whether the person's role asks for a second factor whether or not they set one up."""
    if user.role in CITY_ROLES or user.is_staff:
        return True
    return user.role == Role.SUPPLIER_CONTACT and settings.MFA_FOR_SUPPLIER_CONTACTS


# The session key that says the person had an authenticator when they signed in: a supplier's
# contact without one (the most requests) then costs no query to tell they owe nothing.
HAD_AUTHENTICATOR = "had_authenticator"


@receiver(user_logged_in)
def _note_the_authenticator(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session") and not required_of(user):
        request.session[HAD_AUTHENTICATOR] = has_authenticator(user)


def owes_second_factor(request: HttpRequest) -> bool:
    """Whether the signed-in person must still give a code in this session. A person whose
    role asks for it, or who had an app when signing in, and whose session has not passed
    (django-otp checks the device it passed with still exists: a reset ends that)."""
    user: User = request.user  # type: ignore[assignment]
    if not (required_of(user) or request.session.get(HAD_AUTHENTICATOR)):
        return False
    return not session_passed(request)


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def with_authenticator(people) -> set[int]:
    """Which of these people set up an authenticator (one query, for the People page)."""
    return set(
        TOTPDevice.objects.filter(user__in=list(people), confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def session_passed(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_verified() or request.session.get(SIGNED_IN_THROUGH))  # type: ignore[union-attr]


class SecondFactorMiddleware:
    """A signed-in person who owes the second factor gets no page but the one that asks for
    it (htmx requests move the whole page there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(OPEN_PREFIXES)
            and owes_second_factor(request)
        ):
            name = "mfa_verify" if has_authenticator(user) else "mfa_setup"
            page = request.htmx.current_url_abs_path if request.htmx else None
            if page is None and request.method == "GET":
                page = request.get_full_path()
            url = reverse(name)
            if page and page != "/":
                url += "?" + urlencode({"next": page}, safe="/")
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
        return self.get_response(request)


def new_authenticator(user: User) -> TOTPDevice:
    """An authenticator not yet confirmed: its key is shown once, as a QR code and as text.
    Any earlier unconfirmed one goes (a person who reloads the page gets a new key)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def authenticator_key(device: TOTPDevice) -> str:
    """The key as an authenticator app's "enter a key" field takes it: base32, in groups."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_authenticator(request: HttpRequest, device: TOTPDevice, code: str) -> list[str]:
    """Confirms the app with a code it shows: the person's only authenticator from now on,
    with fresh recovery codes (returned, to be shown once), and this session has passed.
    Raises ValueError for a wrong code."""
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ValueError(code)
    user: User = request.user  # type: ignore[assignment]
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    request.session[HAD_AUTHENTICATOR] = True  # asked again if the app is ever reset
    access_log.record(AccessEventKind.MFA_ENABLED, email=user.email, person=user, request=request)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def renew_recovery_codes(request: HttpRequest) -> list[str]:
    """New recovery codes for the signed-in person; the old ones stop working."""
    user: User = request.user  # type: ignore[assignment]
    with transaction.atomic():
        codes = _new_recovery_codes(user)
    access_log.record(
        AccessEventKind.MFA_CODES_RENEWED, email=user.email, person=user, request=request
    )
    return codes


def qr_code_svg(device: TOTPDevice) -> str:
    """The app's setup link as an inline SVG QR code (no image request, no inline style)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("QR code for the authenticator app")
    )


def seconds_to_wait(user: User) -> int:
    """How long until django-otp takes the next code after wrong ones (0: now)."""
    waits = [0]
    for device in devices_for_user(user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
    return max(waits)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def pass_second_factor(request: HttpRequest, code: str) -> bool:
    """Checks a code from the app (six digits) or a recovery code against the person's own
    devices; on success this session has passed. django-otp makes each device wait longer
    after each wrong code (1, 2, 4 … seconds), which is what stops guessing."""
    user: User = request.user  # type: ignore[assignment]
    code = code.strip().replace(" ", "").replace("-", "").lower()
    is_app_code = code.isdigit() and len(code) == 6
    kinds = (TOTPDevice,) if is_app_code else (StaticDevice,)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kinds) and device.verify_token(code):
                break
        else:
            device = None
    if device is None:
        access_log.record(
            AccessEventKind.MFA_FAILED, email=user.email, person=user, request=request
        )
        return False
    otp_login(request, device)
    if not is_app_code:
        access_log.record(
            AccessEventKind.MFA_RECOVERY_USED, email=user.email, person=user, request=request
        )
    return True


def reset_second_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """For a person who lost their phone: their authenticator and recovery codes go, and at
    their next sign-in they set up the app again (after their password)."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
    access_log.record(
        AccessEventKind.MFA_RESET, email=user.email, person=user, by=by, request=request
    )


def code_now(device: TOTPDevice) -> str:
    """The code the device's app shows now, or the next step's when this step's code was
    used (a code works once). For the demo's hint and the tests' sign-ins."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def demo_code(user: User) -> str | None:
    """In the demo (DEMO_SECOND_FACTOR_HINT, governance/settings/local.py), the code a demo
    user's authenticator shows, for the code page to say: the demo keeps the second factor
    without an app at hand. Nothing for anyone else."""
    if not getattr(settings, "DEMO_SECOND_FACTOR_HINT", False):
        return None
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True, key=DEMO_AUTHENTICATOR_KEY
    ).first()
    return code_now(device) if device else None


def give_demo_authenticator(user: User) -> None:
    """A demo user's authenticator, with the demo key (governance.passwords)."""
    TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "demo", "key": DEMO_AUTHENTICATOR_KEY}
    )
