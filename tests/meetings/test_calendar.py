from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.models import MeetingStatus
from meetings.services import reconcile_meetings
from tests.factories import make_forum

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def download(client, meeting):
    response = client.get(reverse("meetings:meeting_calendar", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_calendar_file_invites_the_governance_roles_in_stockholm_time(
    client_for, contract_a, procurement, contact_a
):
    forum = make_forum([contract_a], procurement, time_of_day=time(9, 0))
    reconcile_meetings(now=datetime(2026, 3, 25, tzinfo=STOCKHOLM))
    meeting = forum.meetings.get(starts_at__date="2026-03-30")  # first Monday of summer time
    calendar = download(client_for(contact_a), meeting)
    event = calendar.events[0]
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.ics_uid
    assert event["SEQUENCE"] == 0
    assert event.start == datetime(2026, 3, 30, 9, 0, tzinfo=STOCKHOLM)
    assert event.start.tzinfo.key == "Europe/Stockholm"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Stockholm"]
    attendees = sorted(str(address) for address in event["ATTENDEE"])
    assert attendees == [
        "mailto:buyer.operational@example.org",
        "mailto:supplier.operational@example.org",
    ]
    assert str(event["ORGANIZER"]) == f"mailto:{procurement.email}"


def test_cancelled_meeting_keeps_its_uid_and_raises_the_sequence(
    client_for, contract_a, procurement
):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    meeting = forum.meetings.first()
    forum.is_active = False
    forum.save()
    reconcile_meetings()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    calendar = download(client_for(procurement), meeting)
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.events[0]["UID"]) == meeting.ics_uid
    assert calendar.events[0]["SEQUENCE"] == 1
    assert calendar.events[0]["STATUS"] == "CANCELLED"
