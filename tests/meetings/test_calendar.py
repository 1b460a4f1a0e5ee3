import io
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.tz import tzical
from django.urls import reverse
from icalendar import Calendar

from meetings.ics import meeting_ics
from meetings.models import Meeting, MeetingStatus
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


def stockholm_changes(first_year, last_year):
    """zoneinfo's own offset changes, found hour by hour (Stockholm changes on the hour UTC)."""
    changes = []
    instant = datetime(first_year, 1, 1, tzinfo=UTC)
    while instant.year <= last_year:
        following = instant + timedelta(hours=1)
        if instant.astimezone(STOCKHOLM).utcoffset() != following.astimezone(STOCKHOLM).utcoffset():
            changes.append(following)
        instant = following
    return changes


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028, 2029])
def test_calendar_files_time_zone_changes_when_zoneinfo_does(contract_a, procurement, year):
    """Read by another parser (dateutil), the file's VTIMEZONE gives the offset zoneinfo gives
    just before, at and after every change in the years it covers (2024-2030 over these)."""
    forum = make_forum([contract_a], procurement)
    starts_at = datetime(year, 6, 2, 9, 0, tzinfo=STOCKHOLM)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    text = meeting_ics(meeting, []).decode()
    vtimezone = re.search(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r\n", text, re.DOTALL)
    assert vtimezone
    parsed = tzical(io.StringIO(vtimezone.group(0))).get("Europe/Stockholm")
    changes = stockholm_changes(year - 1, year + 1)
    assert len(changes) == 6
    for change in changes:
        for seconds in (-3600, -1, 0, 1, 1800, 3600):
            instant = change + timedelta(seconds=seconds)
            expected = instant.astimezone(STOCKHOLM)
            read = instant.astimezone(parsed)
            assert read.utcoffset() == expected.utcoffset(), instant
            assert read.replace(tzinfo=None) == expected.replace(tzinfo=None), instant
