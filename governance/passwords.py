"""What a password must be beyond Django's own checks: not something a guesser tries early."""

import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The demo's accounts share this password (manage.py seed_demo prints it): it is public, so
# nobody may choose it for a real account.
DEMO_PASSWORD = "governance-demo"  # noqa: S105 - printed on purpose: demo data only
# The demo users' authenticator key (hex; in an app: GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ),
# the RFC 6238 example key: as public as the demo password.
DEMO_AUTHENTICATOR_KEY = "3132333435363738393031323334353637383930"

MIN_DISTINCT_CHARACTERS = 5


class GuessablePasswordValidator:
    """Refuses what the length and the list of common passwords let through but a guesser
    tries early: spaces only, a few characters repeated ("aaaaaaaaaaaa"), a common password
    with capitals, digits or symbols added ("Password123!"), and the demo's password."""

    def __init__(self) -> None:
        self.common = CommonPasswordValidator().passwords  # lower case, as Django keeps them

    def validate(self, password: str, user: object = None) -> None:
        if not password.strip():
            raise ValidationError(
                _("A password of spaces only is too easy to guess."), code="password_blank"
            )
        if len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
            raise ValidationError(
                _("This password has too few different characters: use at least %(count)d."),
                code="password_too_uniform",
                params={"count": MIN_DISTINCT_CHARACTERS},
            )
        letters = re.sub(r"[\W\d_]+", "", password.lower())
        if password == DEMO_PASSWORD or (letters and letters in self.common):
            raise ValidationError(
                _("This is a common password with a few characters added: choose another."),
                code="password_common_variant",
            )

    def get_help_text(self) -> str:
        return _(
            "Not spaces only, at least %(count)d different characters, and not a common "
            "password with digits or symbols added."
        ) % {"count": MIN_DISTINCT_CHARACTERS}
