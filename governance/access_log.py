"""The access log: sign-ins, failed sign-ins, sign-outs, password resets and changes, and
accounts deactivated, each with who, when and from which address (governance.models.AccessEvent).

Django's authentication signals record the sign-ins; the portal's own views and services call
record() for the rest."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AccessEvent, AccessEventKind, User, normalise_email
from .security import client_ip


def record(
    kind: str,
    *,
    email: str,
    person: User | None = None,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> AccessEvent:
    address = client_ip(request) if request is not None else None
    # As given (a failed sign-in's address may be anything a person or a script typed).
    return AccessEvent.objects.create(
        kind=kind, email=email.strip()[:254], person=person, by=by, address=address
    )


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(AccessEventKind.SIGNED_IN, email=user.email, person=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(AccessEventKind.SIGNED_OUT, email=user.email, person=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("username") or "")
    person = User.objects.filter(email=normalise_email(email)).first()
    record(AccessEventKind.SIGN_IN_FAILED, email=email, person=person, request=request)
