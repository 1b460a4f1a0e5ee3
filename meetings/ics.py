"""RFC 5545 calendar objects for meetings, so attendees' calendars follow every change."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
)

from .models import MeetingStatus


def _address(email, name, **params):
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = name
    address.params.update(params)
    return address


@lru_cache(maxsize=16)
def _transitions(key, first_year, last_year):
    """The instants (UTC) the zone changes its offset within the years, from zoneinfo itself:
    a day-by-day walk, then halving down to the second where the offset changed."""
    zone = ZoneInfo(key)
    found = []
    day = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    while day < end:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = day, after  # the offset at low is the old one, at high the new one
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = after
    return tuple(found)


def _onset(component, zone, at, before):
    """One STANDARD or DAYLIGHT onset; DTSTART is the local time the change happens at, read
    on the clock before it (RFC 5545: 02:00 with TZOFFSETFROM +0100 for the spring change)."""
    local = at.astimezone(zone)
    component.add("tzname", local.tzname())
    component.add("dtstart", (at + before).replace(tzinfo=None))
    component.add("tzoffsetfrom", before)
    component.add("tzoffsetto", local.utcoffset())
    return component


def _vtimezone(key, first_year, last_year):
    """The zone's VTIMEZONE as explicit onsets for the years only, one per change.

    Not icalendar's Timezone.from_tzinfo: it puts the spring DTSTART an hour late (03:00 with
    TZOFFSETFROM +0100, so 02:00 UTC instead of 01:00 UTC).
    """
    zone = ZoneInfo(key)
    vtimezone = Timezone()
    vtimezone.add("tzid", key)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    offset = start.astimezone(zone).utcoffset()
    # The offset the years start with, so every instant in them has an onset before it.
    first = TimezoneDaylight() if start.astimezone(zone).dst() else TimezoneStandard()
    vtimezone.add_component(_onset(first, zone, start, offset))
    for at in _transitions(key, first_year, last_year):
        daylight = at.astimezone(zone).dst()
        component = TimezoneDaylight() if daylight else TimezoneStandard()
        vtimezone.add_component(_onset(component, zone, at, offset))
        offset = at.astimezone(zone).utcoffset()
    return vtimezone


def meeting_ics(meeting, attendees, cancelled=None):
    """The meeting as an iCalendar REQUEST, or a CANCEL once it is cancelled (or, with
    cancelled=True, for people taken off a meeting that goes on without them).

    The UID never changes and SEQUENCE rises with each change, so a calendar updates the
    event it already has instead of adding a second one.
    """
    forum = meeting.forum
    local = ZoneInfo(settings.TIME_ZONE)
    if cancelled is None:
        cancelled = meeting.status == MeetingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//City IT governance portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    # Only the transitions around the meeting: all of them (1970-2038) make every calendar
    # file carry some 140 transitions and be slow to build; the walk is cached per years.
    year = meeting.starts_at.year
    calendar.add_component(_vtimezone(settings.TIME_ZONE, year - 1, year + 1))
    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(local))
    event.add("dtend", meeting.ends_at.astimezone(local))
    event.add("summary", f"{forum.name} ({forum.get_level_display()})")
    event.add("location", forum.location or forum.dial_in or forum.get_mode_display())
    description = [f"{forum.get_mode_display()}: {forum.dial_in}" if forum.dial_in else ""]
    description.append(settings.PORTAL_BASE_URL + meeting.get_absolute_url())
    event.add("description", "\n".join(line for line in description if line))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(forum.chair.email, str(forum.chair)))
    for holder in attendees:
        event.add(
            "attendee",
            _address(holder.email, holder.name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION"),
        )
    calendar.add_component(event)
    return calendar.to_ical()
