"""Which language the portal speaks: Swedish first, English second (settings.LANGUAGES).

Before sign-in, the language the person chose on this browser (Django's language cookie) or
else the browser's own (Accept-Language), as django.middleware.locale.LocaleMiddleware finds it;
once signed in, the one kept on their account. E-mails and calendar files go out in their
recipient's language (language_for), the minutes PDF in its forum's."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import User, normalise_email

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PersonLanguageMiddleware:
    """The signed-in person's own language for everything this request renders (after
    django.contrib.auth's middleware; LocaleMiddleware has chosen one for everyone else and
    names the chosen one in Content-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: kept on the account of a signed-in person (so e-mails
    follow), and in a cookie on this browser for the sign-in pages."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if language not in SUPPORTED:  # only a hand-made request: the switch sends one of them
        return HttpResponseBadRequest(_("Choose Swedish or English."))
    response = HttpResponseRedirect(target)
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


def current_language() -> str:
    """The language this request speaks (before sign-in: the browser's or the one chosen):
    a new account starts with it."""
    language = (translation.get_language() or "").split("-")[0]
    return language if language in SUPPORTED else settings.LANGUAGE_CODE


def language_for(email: str) -> str:
    """The language of the person with this address, or the portal's own for someone without
    an account (a role holder, an invited contact not yet signed up)."""
    language = (
        User.objects.filter(email=normalise_email(email)).values_list("language", flat=True).first()
    )
    return language if language in SUPPORTED else settings.LANGUAGE_CODE


def languages_for(emails: Iterable[str]) -> dict[str, str]:
    """language_for each address, in one query (a meeting's invitees, an issue's people)."""
    addresses = {email: normalise_email(email) for email in emails}
    known = dict(
        User.objects.filter(email__in=set(addresses.values())).values_list("email", "language")
    )
    return {
        email: known[address] if known.get(address) in SUPPORTED else settings.LANGUAGE_CODE
        for email, address in addresses.items()
    }


@contextmanager
def speaking_to(email: str) -> Iterator[str]:
    """Renders inside in the recipient's language (and gives it)."""
    language = language_for(email)
    with translation.override(language):
        yield language
