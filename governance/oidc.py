"""Single sign-on for the city's staff through the city's OpenID Connect provider (Entra ID or
similar), with mozilla-django-oidc. The provider says who the person is and which groups they
are in; OIDC_ROLE_GROUPS says which groups give which role. Supplier contacts keep their
invitations, passwords and two-factor sign-in: their addresses are refused here."""

import logging
from collections.abc import Iterable
from typing import Any, NoReturn

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import access_log
from .auth import PortalBackend
from .languages import current_language
from .mfa import SIGNED_IN_THROUGH
from .models import AccessEventKind, Role, User, normalise_email

logger = logging.getLogger(__name__)

# The roles a group may give, most powerful first: a person in several mapped groups gets the
# first of these that any of them gives. Never a supplier contact's role: suppliers are invited.
STAFF_ROLES_BY_POWER = (Role.ADMINISTRATOR, Role.PROCUREMENT, Role.DIRECTOR)


class SignInRefused(Exception):
    """The provider vouched for the person, but the portal does not let them in; the message
    tells them why on the sign-in page. Raised instead of returning None so that Django's
    generic "failed sign-in" (without an address) is not logged a second time."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def role_groups() -> dict[str, str]:
    """OIDC_ROLE_GROUPS, checked: each group gives one of the city's roles."""
    mapping = dict(settings.OIDC_ROLE_GROUPS)
    for group, role in mapping.items():
        if role not in STAFF_ROLES_BY_POWER:
            staff_roles = ", ".join(STAFF_ROLES_BY_POWER)
            raise ImproperlyConfigured(
                f"OIDC_ROLE_GROUPS gives group {group!r} the role {role!r}; "
                f"a group gives one of: {staff_roles}."
            )
    return mapping


def role_for(groups: Iterable[str]) -> str | None:
    """The most powerful role any of the groups gives (None: no group gives one)."""
    mapping = role_groups()
    given = {mapping[group] for group in groups if group in mapping}
    return next((role for role in STAFF_ROLES_BY_POWER if role in given), None)


def groups_in(claims: dict[str, Any]) -> list[str]:
    """The groups the provider names, as a list whether it sent a list or one string."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    return [groups] if isinstance(groups, str) else [str(group) for group in groups]


class CityStaffBackend(OIDCAuthenticationBackend):
    """Signs the city's staff in with the provider's answer: the account is found by its
    normalised e-mail address, created at the first sign-in and given the role of its groups
    at each one. A supplier contact's address, a deactivated account and a person in no mapped
    group are refused, and the refusal is in the access log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_groups()  # a wrong mapping stops the first sign-in, not a later one halfway

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback's call (which brings the nonce kept in the session) exchanges a
        # code: the password form's call must not, whatever its query string says.
        if "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict:
        # Entra ID names the groups in the ID token only, not at the userinfo endpoint.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email=normalise_email(claims["email"]))

    def create_user(self, claims: dict[str, Any]) -> User:
        email = normalise_email(claims["email"])
        role = self._role_or_refuse(claims, email=email, person=None)
        # No password: the provider is how this person signs in (a reset can still give one).
        return User.objects.create_user(
            email, None, role=role, language=current_language(), **self._names(claims)
        )

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if user.is_supplier_contact:
            self._refuse(
                user.email,
                user,
                _(
                    "This e-mail address belongs to a supplier contact. Supplier contacts sign "
                    "in with their e-mail address and password below."
                ),
            )
        if not user.is_active:
            self._refuse(
                user.email,
                user,
                _(
                    "Your account in the portal is deactivated. Ask the city's outsourcing "
                    "team if you need access again."
                ),
            )
        role = self._role_or_refuse(claims, email=user.email, person=user)
        changed_role = role != user.role
        for field, value in {**self._names(claims), "role": role}.items():
            setattr(user, field, value)
        user.save(update_fields=["first_name", "last_name", "role"])
        if changed_role:
            access_log.record(
                AccessEventKind.ROLE_CHANGED, email=user.email, person=user, request=self.request
            )
        return user

    def get_user(self, user_id: Any) -> User | None:
        # As for a password's session: the supplier loaded along, an inactive person refused.
        return PortalBackend().get_user(user_id)

    def _role_or_refuse(self, claims: dict[str, Any], *, email: str, person: User | None) -> str:
        role = role_for(groups_in(claims))
        if role is None:
            self._refuse(
                email,
                person,
                _(
                    "Your city account is in no group that gives access to the portal. Ask the "
                    "city's outsourcing team for access."
                ),
            )
        return role

    def _refuse(self, email: str, person: User | None, message: str) -> NoReturn:
        access_log.record(
            AccessEventKind.SIGN_IN_FAILED, email=email, person=person, request=self.request
        )
        raise SignInRefused(message)

    @staticmethod
    def _names(claims: dict[str, Any]) -> dict[str, str]:
        given = claims.get("given_name") or ""
        family = claims.get("family_name") or ""
        if not (given or family) and claims.get("name"):
            given, _space, family = str(claims["name"]).partition(" ")
        return {"first_name": given[:150], "last_name": family[:150]}


def _only_while_single_sign_on_is_on() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


class CitySignInView(OIDCAuthenticationRequestView):
    """Sends the person to the city's provider; not there while single sign-on is off."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _only_while_single_sign_on_is_on()
        return super().get(request)


class CitySignInCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back. A refusal or a failure is a message on the
    sign-in page; a success marks the session as signed in through the provider, which
    enforced its own second factor (governance.mfa asks for none then)."""

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def get(self, request: HttpRequest) -> HttpResponse:
        _only_while_single_sign_on_is_on()
        try:
            return super().get(request)
        except SignInRefused as refusal:
            messages.error(request, refusal.message)
            return HttpResponseRedirect(self.failure_url)
        except requests.RequestException:
            logger.warning(
                "The identity provider refused the code or did not answer", exc_info=True
            )
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session[SIGNED_IN_THROUGH] = "oidc"
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            _("Signing in with the city's account did not succeed. Please try again."),
        )
        return super().login_failure()
