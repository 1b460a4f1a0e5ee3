"""A meeting is named by its Stockholm time wherever it is shown as text: 09:00, as the forum's
rule and every page say it, not 08:00 (UTC, as stored) in the admin and the demo's output."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from meetings.models import Meeting
from meetings.services import start_minutes
from tests.factories import make_forum

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def winter_meeting(contract_a, procurement):
    forum = make_forum([contract_a], procurement, name="Weekly operations")
    # 09:00 in Stockholm is 08:00 UTC in winter and 07:00 UTC in summer.
    starts_at = datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


def test_a_meeting_is_named_by_its_stockholm_time(winter_meeting, contract_a, procurement):
    assert str(winter_meeting) == "Weekly operations 2026-11-30 09:00"
    forum = winter_meeting.forum
    summer = datetime(2026, 6, 1, 9, 0, tzinfo=STOCKHOLM)
    summer_meeting = Meeting.objects.create(
        forum=forum, starts_at=summer, ends_at=summer + timedelta(hours=1)
    )
    assert str(Meeting.objects.get(pk=summer_meeting.pk)) == "Weekly operations 2026-06-01 09:00"


def test_the_admin_lists_meetings_and_minutes_at_their_stockholm_time(
    winter_meeting, procurement, admin_user, client
):
    start_minutes(meeting=winter_meeting, by=procurement)
    client.force_login(admin_user)
    meetings = client.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert "2026-11-30 09:00" in meetings
    assert "08:00" not in meetings
    minutes = client.get(reverse("admin:meetings_minutes_changelist")).content.decode()
    assert "Weekly operations 2026-11-30 09:00" in minutes
    assert "08:00" not in minutes
