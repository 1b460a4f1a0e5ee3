"""Making, using and revoking personal API tokens; the access log records each made and each
revoked (governance.access_log)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from governance import access_log
from governance.models import AccessEventKind, User

from .models import ApiToken, Scope

# A recognisable start (secret scanners and people can tell a portal token at a glance), then
# 256 random bits.
TOKEN_PREFIX = "gpt_"  # noqa: S105 - a prefix, not a secret
# How often a token's "last used" is written: at most once a minute, not on every request.
LAST_USED_STEP = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(
    *,
    user: User,
    name: str,
    scope: str = Scope.READ,
    days: int,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for the person, valid `days` (at most API_TOKEN_MAX_DAYS); returns it with
    the token itself, which is shown once and never kept."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError("A token lives between one day and API_TOKEN_MAX_DAYS.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    api_token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        scope=scope,
        prefix=token[:10],
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    access_log.record(
        AccessEventKind.API_TOKEN_CREATED, email=user.email, person=user, by=user, request=request
    )
    return api_token, token


@transaction.atomic
def revoke_token(*, api_token: ApiToken, by: User, request: HttpRequest | None = None) -> None:
    """Stop the token working at once (revoking it again changes nothing)."""
    changed = ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        owner = api_token.user
        access_log.record(
            AccessEventKind.API_TOKEN_REVOKED,
            email=owner.email,
            person=owner,
            by=by,
            request=request,
        )


def authenticate(token: str) -> ApiToken | None:
    """The usable token (with its person) that `token` is, else None; notes its use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = (
        ApiToken.objects.usable()
        .select_related("user__supplier")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_STEP:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    return api_token
