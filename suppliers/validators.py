import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

_ORGANISATION_NUMBER = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")


def luhn_is_valid(digits):
    """The Luhn check used by Swedish organisation and personal identity numbers."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_organisation_number(value):
    """Return the number as NNNNNN-NNNN, or raise ValidationError saying what is wrong."""
    cleaned = re.sub(r"\s", "", value or "")
    match = _ORGANISATION_NUMBER.match(cleaned)
    if not match:
        raise ValidationError(
            _("Enter the organisation number as ten digits, e.g. 556677-8899."),
            code="format",
        )
    digits = match.group(1) + match.group(2)
    if not luhn_is_valid(digits):
        raise ValidationError(
            _("%(number)s is not a valid organisation number: the check digit does not match."),
            params={"number": f"{digits[:6]}-{digits[6:]}"},
            code="check_digit",
        )
    return f"{digits[:6]}-{digits[6:]}"


def validate_organisation_number(value):
    normalise_organisation_number(value)


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def validate_plausible_date(value):
    """Contract and forum dates the portal computes with (notice deadlines, renewals, meeting
    series) stay within 1900-2199, so the arithmetic cannot run off the calendar."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            code="implausible_date",
        )


# Notice periods and renewal terms are counted back and forth from the end date.
validate_at_most_ten_years = MaxValueValidator(
    120, message=_("Give at most 120 months (ten years).")
)


def complete_organisation_number(first_nine_digits):
    """Append the Luhn check digit: for demo data and tests that need valid numbers."""
    for check in "0123456789":
        digits = first_nine_digits + check
        if luhn_is_valid(digits):
            return f"{digits[:6]}-{digits[6:]}"
    raise ValueError(first_nine_digits)
