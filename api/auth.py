"""Who an API request comes from: `Authorization: Bearer <token>`, a personal API token, and
nothing else (no session: a browser's cookie never writes, so there is no CSRF to guard).
Each token makes at most API_REQUESTS_PER_MINUTE requests a minute (counted in the cache)."""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from governance.cache import count_up

from . import services
from .models import ApiToken
from .problems import ProblemError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = services.authenticate(token.strip())
        if api_token is None:
            return None
        minute = int(time.time() // 60)
        count = count_up(f"api-requests:{api_token.pk}:{minute}", timeout=120)
        if count is not None and count > settings.API_REQUESTS_PER_MINUTE:
            seconds = 60 - int(time.time() % 60)
            raise ProblemError(
                429,
                _(
                    "This token has made more than %(count)d requests this minute. "
                    "Wait %(seconds)d seconds."
                )
                % {"count": settings.API_REQUESTS_PER_MINUTE, "seconds": seconds},
                headers={"Retry-After": str(seconds)},
            )
        # The person acting: history rows, and every visible_to, name them; answers (problem
        # details, a form's messages) in their language, as their pages are.
        request.user = api_token.user
        translation.activate(api_token.user.language)
        request.LANGUAGE_CODE = translation.get_language()
        return api_token


def token_of(request: HttpRequest) -> ApiToken:
    token: Any = request.auth  # type: ignore[attr-defined]
    return token


def require_write(request: HttpRequest) -> None:
    """A change needs a read-write token (and the person's own right to make it)."""
    if not token_of(request).may_write:
        raise ProblemError(403, _("This token may only read; make a read-write token to write."))
