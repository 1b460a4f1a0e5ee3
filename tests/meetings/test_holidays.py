"""Meetings keep off Swedish public holidays and the eves the city takes off: moved to the next
working day at the same time, or skipped, as each forum says; the annual review rhythm."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Level
from meetings.models import Cadence, OnHoliday, Weekday
from meetings.services import reconcile_meetings, start_minutes
from meetings.working_days import is_working_day
from tests.factories import make_forum

STOCKHOLM = ZoneInfo("Europe/Stockholm")

pytestmark = pytest.mark.django_db


def local_starts(forum):
    starts = forum.meetings.values_list("starts_at", flat=True)
    return [start.astimezone(STOCKHOLM) for start in starts]


def weekly(contract, chair, weekday, on_holiday=OnHoliday.MOVE):
    return make_forum(
        [contract], chair, weekday=weekday, time_of_day=time(10, 30), on_holiday=on_holiday
    )


# Rule days that are days off, over several years: (weekday of the forum, the day, next working day)
DAYS_OFF = [
    (Weekday.THURSDAY, date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve
    (Weekday.THURSDAY, date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Eve
    (Weekday.WEDNESDAY, date(2027, 1, 6), date(2027, 1, 7)),  # Epiphany
    (Weekday.FRIDAY, date(2027, 12, 24), date(2027, 12, 27)),
    (Weekday.FRIDAY, date(2027, 12, 31), date(2028, 1, 3)),
    (Weekday.THURSDAY, date(2028, 1, 6), date(2028, 1, 7)),
    (Weekday.FRIDAY, date(2026, 6, 19), date(2026, 6, 22)),  # Midsummer Eve
    (Weekday.FRIDAY, date(2027, 6, 25), date(2027, 6, 28)),
    (Weekday.FRIDAY, date(2028, 6, 23), date(2028, 6, 26)),
    (Weekday.MONDAY, date(2026, 4, 6), date(2026, 4, 7)),  # Easter Monday
    (Weekday.MONDAY, date(2027, 3, 29), date(2027, 3, 30)),
    (Weekday.MONDAY, date(2028, 4, 17), date(2028, 4, 18)),
    (Weekday.WEDNESDAY, date(2029, 12, 26), date(2029, 12, 27)),  # Boxing Day
]


@pytest.mark.parametrize(("weekday", "day_off", "moved_to"), DAYS_OFF)
def test_meeting_on_a_day_off_moves_to_the_next_working_day_at_its_time(
    contract_a, procurement, weekday, day_off, moved_to
):
    forum = weekly(contract_a, procurement, weekday)
    reconcile_meetings(
        now=datetime.combine(day_off - timedelta(days=10), time(0), STOCKHOLM), horizon_weeks=3
    )
    starts = local_starts(forum)
    days = [start.date() for start in starts]
    assert day_off not in days
    assert moved_to in days
    assert all(start.time() == time(10, 30) for start in starts)
    assert all(is_working_day(day) for day in days)


@pytest.mark.parametrize(("weekday", "day_off", "_moved_to"), DAYS_OFF)
def test_a_forum_that_skips_holidays_has_no_meeting_that_week(
    contract_a, procurement, weekday, day_off, _moved_to
):
    forum = weekly(contract_a, procurement, weekday, on_holiday=OnHoliday.SKIP)
    days = list(forum.meeting_dates(date(day_off.year, 1, 1), date(day_off.year, 12, 31)))
    assert day_off not in days
    assert _moved_to not in days
    # The rest of the year's meetings stay on the rule's weekday.
    assert {day.weekday() for day in days} == {weekday}


def test_every_weekly_meeting_over_four_years_is_on_a_working_day(contract_a, procurement):
    for weekday in Weekday:
        forum = weekly(contract_a, procurement, weekday)
        days = list(forum.meeting_dates(date(2026, 1, 1), date(2029, 12, 31)))
        assert all(is_working_day(day) for day in days), weekday
        # Moved, not lost: a meeting for each day of the rule (the last may move into 2030).
        plan = forum.meeting_plan(date(2026, 1, 1), date(2030, 1, 31))
        moved_from = {rule_day for rule_day, day, _holiday in plan if day is not None}
        assert set(forum.rule_dates(date(2026, 1, 1), date(2029, 12, 31))) <= moved_from


def test_a_moved_meeting_from_before_today_is_still_planned(contract_a, procurement):
    # Christmas Eve 2026 is a Thursday: on Christmas Day the meeting is still to come (Monday).
    forum = weekly(contract_a, procurement, Weekday.THURSDAY)
    reconcile_meetings(now=datetime(2026, 12, 25, 8, tzinfo=STOCKHOLM), horizon_weeks=1)
    assert date(2026, 12, 28) in [start.date() for start in local_starts(forum)]


def test_forum_page_shows_moved_and_skipped_meetings(client, contract_a, procurement):
    # Good Friday and Easter Monday fall every year: a Monday forum always has one to show.
    moving = weekly(contract_a, procurement, Weekday.MONDAY)
    skipping = weekly(contract_a, procurement, Weekday.MONDAY, on_holiday=OnHoliday.SKIP)
    client.force_login(procurement)
    page = client.get(reverse("meetings:forum_detail", args=[moving.pk])).content.decode()
    changes = moving.holiday_changes(timezone.localdate())
    assert changes
    for rule_day, day, holiday in changes:
        assert f"{rule_day:%a %-d %b %Y}" in page
        assert str(holiday).replace("'", "&#x27;") in page
        assert f"Moved to {day:%a %-d %b %Y}" in page
    assert "Easter Monday" in page
    page = client.get(reverse("meetings:forum_detail", args=[skipping.pk])).content.decode()
    assert "Easter Monday" in page
    assert "Skipped" in page
    assert "Moved to" not in page


# The annual business review -------------------------------------------------------------


def annual(contract, chair, **fields):
    fields.setdefault("week_of_month", 2)
    fields.setdefault("month_of_year", 11)
    return make_forum(
        [contract],
        chair,
        name="Annual business review",
        level=Level.BUSINESS,
        cadence=Cadence.ANNUAL,
        weekday=Weekday.TUESDAY,
        time_of_day=time(13),
        **fields,
    )


def test_annual_forum_meets_once_a_year_on_its_rule_day(contract_a, procurement):
    forum = annual(contract_a, procurement)
    days = list(forum.meeting_dates(date(2026, 1, 1), date(2029, 12, 31)))
    assert days == [date(2026, 11, 10), date(2027, 11, 9), date(2028, 11, 14), date(2029, 11, 13)]


def test_annual_meeting_is_planned_once_by_the_scheduler(contract_a, procurement):
    forum = annual(contract_a, procurement)
    for month in range(1, 13):  # a year of reconciles, eight weeks ahead each
        reconcile_meetings(now=datetime(2027, month, 1, tzinfo=STOCKHOLM))
    assert [start.date() for start in local_starts(forum)] == [date(2027, 11, 9)]


def test_annual_meeting_on_a_holiday_moves(contract_a, procurement):
    # The first Friday of January 2027 is New Year's Day.
    forum = annual(contract_a, procurement, week_of_month=1, month_of_year=1)
    forum.weekday = Weekday.FRIDAY
    forum.save()
    assert list(forum.meeting_dates(date(2027, 1, 1), date(2027, 12, 31))) == [date(2027, 1, 4)]


def test_annual_forum_starts_from_the_annual_review_agenda(contract_a, procurement):
    forum = annual(contract_a, procurement)
    reconcile_meetings(now=datetime(2027, 11, 1, tzinfo=STOCKHOLM))
    minutes = start_minutes(meeting=forum.meetings.get(), by=procurement)
    assert list(minutes.items.values_list("title", flat=True)) == [
        "Relationship review",
        "Goals against the target picture",
        "Contract portfolio and renewals",
        "Decisions on starting or ending relationships",
        "Open actions",
        "Escalations",
    ]


def test_annual_review_agenda_in_swedish(contract_a, procurement):
    forum = annual(contract_a, procurement, language="sv")
    reconcile_meetings(now=datetime(2027, 11, 1, tzinfo=STOCKHOLM))
    minutes = start_minutes(meeting=forum.meetings.get(), by=procurement)
    titles = list(minutes.items.values_list("title", flat=True))
    assert titles[0] == "Genomgång av relationen"
    assert "Målen mot målbilden" in titles


def test_business_forums_keep_their_level_standard_agenda(contract_a, procurement):
    forum = annual(contract_a, procurement)
    forum.cadence = Cadence.QUARTERLY
    forum.save()
    titles = [item.title for item in forum.agenda_items()]
    assert titles[0] == "The relationship"
