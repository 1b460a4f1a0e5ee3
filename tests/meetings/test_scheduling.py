import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from governance.models import Level
from meetings.models import Cadence, Meeting, MeetingStatus, Weekday
from meetings.services import reconcile_meetings
from tests.factories import make_forum

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=0):
    return datetime(year, month, day, hour, tzinfo=STOCKHOLM)


def test_weekly_meeting_stays_at_nine_across_daylight_saving(contract_a, procurement):
    forum = make_forum([contract_a], procurement, weekday=Weekday.MONDAY, time_of_day=time(9))
    created, _cancelled = reconcile_meetings(now=at(2026, 3, 16), horizon_weeks=4)
    starts = list(forum.meetings.values_list("starts_at", flat=True))
    assert created == 5
    local = [start.astimezone(STOCKHOLM) for start in starts]
    assert [(moment.date(), moment.hour) for moment in local] == [
        (date(2026, 3, 16), 9),
        (date(2026, 3, 23), 9),
        (date(2026, 3, 30), 9),  # the day after summer time starts
        (date(2026, 4, 7), 9),  # Easter Monday: moved to the Tuesday
        (date(2026, 4, 13), 9),
    ]
    assert [start.astimezone(UTC).hour for start in starts] == [8, 8, 7, 7, 7]


def test_weekly_meeting_stays_at_nine_when_summer_time_ends(contract_a, procurement):
    forum = make_forum([contract_a], procurement, weekday=Weekday.MONDAY, time_of_day=time(9))
    reconcile_meetings(now=at(2026, 10, 12), horizon_weeks=2)
    starts = list(forum.meetings.values_list("starts_at", flat=True))
    local = [start.astimezone(STOCKHOLM) for start in starts]
    assert [(moment.date(), moment.hour) for moment in local] == [
        (date(2026, 10, 12), 9),
        (date(2026, 10, 19), 9),
        (date(2026, 10, 26), 9),  # the day after summer time ends (2026-10-25)
    ]
    assert [start.astimezone(UTC).hour for start in starts] == [7, 7, 8]


def test_quarterly_meeting_falls_on_the_rule_day(contract_a, procurement):
    forum = make_forum(
        [contract_a],
        procurement,
        level=Level.CONTRACT,
        cadence=Cadence.QUARTERLY,
        weekday=Weekday.TUESDAY,
        week_of_month=2,
        month_of_quarter=1,
        time_of_day=time(13, 30),
    )
    reconcile_meetings(now=at(2026, 11, 24), horizon_weeks=52)
    days = [
        start.astimezone(STOCKHOLM).date()
        for start in forum.meetings.values_list("starts_at", flat=True)
    ]
    assert days == [date(2027, 1, 12), date(2027, 4, 13), date(2027, 7, 13), date(2027, 10, 12)]


def test_second_run_writes_nothing(contract_a, procurement):
    make_forum([contract_a], procurement)
    now = at(2026, 11, 24, 12)
    assert reconcile_meetings(now=now) == (8, 0)
    assert reconcile_meetings(now=now) == (0, 0)
    assert Meeting.objects.count() == 8


def test_stopped_beat_catches_up_without_duplicates(contract_a, procurement):
    make_forum([contract_a], procurement)
    reconcile_meetings(now=at(2026, 11, 24, 12))
    created, _cancelled = reconcile_meetings(now=at(2026, 12, 22, 12))  # four weeks later
    assert created == 4
    slots = list(Meeting.objects.values_list("forum_id", "starts_at"))
    assert len(slots) == len(set(slots)) == 12


def test_moved_forum_cancels_the_old_slots_and_plans_new_ones(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    now = at(2026, 11, 24, 12)
    reconcile_meetings(now=now)
    forum.time_of_day = time(10, 0)
    forum.save()
    assert reconcile_meetings(now=now) == (8, 8)
    old = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    assert {meeting.starts_at.astimezone(STOCKHOLM).hour for meeting in old} == {9}
    assert {meeting.sequence for meeting in old} == {1}


def test_stopped_forum_cancels_its_planned_meetings(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    now = at(2026, 11, 24, 12)
    reconcile_meetings(now=now)
    forum.is_active = False
    forum.save()
    assert reconcile_meetings(now=now) == (0, 8)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_create_each_meeting_once(contract_a, procurement):
    for _ in range(5):
        make_forum([contract_a], procurement)
    now = at(2026, 11, 24, 12)
    barrier = threading.Barrier(2)
    errors = []

    def beat():
        try:
            barrier.wait()
            reconcile_meetings(now=now)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Meeting.objects.count() == 40


def test_supplier_contact_sees_only_forums_with_their_supplier(
    client_for, contract_a, contract_b, contact_b, procurement
):
    forum_a = make_forum([contract_a], procurement, name="Alpha weekly")
    joint = make_forum([contract_a, contract_b], procurement, name="Joint weekly")
    reconcile_meetings()
    page = client_for(contact_b).get(reverse("meetings:forum_list")).content.decode()
    assert "Joint weekly" in page
    assert "Alpha weekly" not in page
    client = client_for(contact_b)
    assert client.get(forum_a.get_absolute_url()).status_code == 404
    assert client.get(forum_a.meetings.first().get_absolute_url()).status_code == 404
    assert client.get(joint.meetings.first().get_absolute_url()).status_code == 200


def test_forum_page_lists_default_attendees_from_the_governance_model(
    client_for, contract_a, procurement
):
    forum = make_forum([contract_a], procurement, level=Level.CONTRACT)
    page = client_for(procurement).get(forum.get_absolute_url()).content.decode()
    assert "Contract level lead" in page
    assert "buyer.contract@example.org" in page
    assert "supplier.contract@example.org" in page
    assert "operational@example.org" not in page


def forum_form_data(contract, chair, **overrides):
    data = {
        "name": "Weekly ops",
        "level": "operational",
        "cadence": "weekly",
        "contracts": [contract.pk],
        "chair": chair.pk,
        "mode": "phone",
        "dial_in": "+46 8 123 456, PIN 42",
        "weekday": 0,
        "time_of_day": "09:00",
        "duration_minutes": 60,
        "week_of_month": 2,
        "month_of_quarter": 1,
        "month_of_year": 11,
        "on_holiday": "move",
        "starts_on": "2026-01-05",
        "is_active": "on",
    }
    return data | overrides


def test_forum_form_explains_missing_dial_in_and_keeps_input(client_for, procurement, contract_a):
    response = client_for(procurement).post(
        reverse("meetings:forum_create"),
        forum_form_data(contract_a, procurement, dial_in=""),
    )
    assert "Give the dial-in number or link for a remote meeting." in response.content.decode()
    assert 'value="Weekly ops"' in response.content.decode()


def test_saving_a_forum_plans_its_meetings(client_for, procurement, contract_a):
    response = client_for(procurement).post(
        reverse("meetings:forum_create"),
        forum_form_data(contract_a, procurement),
        follow=True,
    )
    # Eight weeks ahead: eight Mondays, or nine when run on a Monday morning.
    planned = Meeting.objects.filter(starts_at__gte=datetime.now(UTC) - timedelta(days=1)).count()
    assert planned in (8, 9)
    assert f"{planned} meetings planned" in response.content.decode()


def test_a_person_in_several_contracts_of_a_forum_is_listed_once(
    client_for, supplier_a, procurement
):
    from tests.factories import fill_governance, make_contract

    contracts = [fill_governance(make_contract(supplier_a)) for _ in range(3)]
    forum = make_forum(contracts, procurement)
    assert len(forum.default_attendees()) == 2
    page = client_for(procurement).get(reverse("meetings:forum_list")).content.decode()
    assert page.count(supplier_a.name) == 1


def test_meetings_page_queries_do_not_grow_with_forums(client_for, procurement, supplier_a):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import fill_governance, make_contract

    client = client_for(procurement)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("meetings:forum_list")).status_code == 200
        return len(captured)

    make_forum([fill_governance(make_contract(supplier_a))], procurement)
    reconcile_meetings()
    small = queries()
    for _ in range(6):
        make_forum([make_contract(supplier_a), make_contract(supplier_a)], procurement)
    reconcile_meetings()
    assert queries() == small
