"""Which days the city holds no meetings: Swedish public holidays (the `holidays` package),
the eves the city treats as days off (julafton, nyårsafton, midsommarafton) and weekends."""

from datetime import date, timedelta
from functools import cache

import holidays
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

StrOrPromise = str | Promise

# What each holiday is called on the forum page: the package names them in English only.
HOLIDAY_NAMES = {
    "New Year's Day": pgettext_lazy("holiday", "New Year's Day"),
    "Epiphany": pgettext_lazy("holiday", "Epiphany"),
    "Good Friday": pgettext_lazy("holiday", "Good Friday"),
    "Easter Sunday": pgettext_lazy("holiday", "Easter Sunday"),
    "Easter Monday": pgettext_lazy("holiday", "Easter Monday"),
    "May Day": pgettext_lazy("holiday", "May Day"),
    "Ascension Day": pgettext_lazy("holiday", "Ascension Day"),
    "Pentecost": pgettext_lazy("holiday", "Pentecost"),
    "National Day": pgettext_lazy("holiday", "National Day of Sweden"),
    "Midsummer Day": pgettext_lazy("holiday", "Midsummer Day"),
    "All Saints' Day": pgettext_lazy("holiday", "All Saints' Day"),
    "Christmas Day": pgettext_lazy("holiday", "Christmas Day"),
    "Second Day of Christmas": pgettext_lazy("holiday", "Boxing Day"),
}
CHRISTMAS_EVE = pgettext_lazy("holiday", "Christmas Eve")
NEW_YEARS_EVE = pgettext_lazy("holiday", "New Year's Eve")
MIDSUMMER_EVE = pgettext_lazy("holiday", "Midsummer Eve")


@cache
def holidays_in(year: int) -> dict[date, "StrOrPromise"]:
    """The year's days off with their (translatable) names: public holidays and the eves."""
    days: dict[date, StrOrPromise] = {
        day: HOLIDAY_NAMES.get(name, name)
        for day, name in holidays.country_holidays("SE", years=year, language="en_US").items()
    }
    days[date(year, 12, 24)] = CHRISTMAS_EVE
    days[date(year, 12, 31)] = NEW_YEARS_EVE
    # Midsummer Eve is the Friday between 19 and 25 June.
    june_19 = date(year, 6, 19)
    days[june_19 + timedelta(days=(4 - june_19.weekday()) % 7)] = MIDSUMMER_EVE
    return days


def holiday_name(day: date) -> "StrOrPromise | None":
    """The day's holiday (or eve) name, or None on an ordinary day (weekends included)."""
    return holidays_in(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
