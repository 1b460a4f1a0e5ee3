"""RFC 5545 calendar objects for meetings, so attendees' calendars follow every change."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from .models import MeetingStatus


def _address(email, name, **params):
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = name
    address.params.update(params)
    return address


def meeting_ics(meeting, attendees):
    """The meeting as an iCalendar REQUEST, or a CANCEL once it is cancelled.

    The UID never changes and SEQUENCE rises with each change, so a calendar updates the
    event it already has instead of adding a second one.
    """
    forum = meeting.forum
    local = ZoneInfo(settings.TIME_ZONE)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//City IT governance portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
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
    # Only the transitions around the meeting: the default range (1970-2038) makes every
    # calendar file carry some 140 transitions and is slow to build.
    year = meeting.starts_at.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return calendar.to_ical()
