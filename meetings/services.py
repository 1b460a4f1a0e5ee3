from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Forum, Meeting, MeetingStatus

HORIZON_WEEKS = 8


@transaction.atomic
def reconcile_meetings(now=None, horizon_weeks=HORIZON_WEEKS):
    """Make the planned meetings of the coming weeks match the forums' rules.

    Creates what is missing and cancels planned meetings that no rule asks for any more (a
    forum moved or stopped). Safe to run twice or at once: the unique (forum, starts_at)
    constraint turns a duplicate into a no-op. Returns (created, cancelled).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + timedelta(weeks=horizon_weeks)
    horizon_end = datetime.combine(last + timedelta(days=1), time.min, ZoneInfo(settings.TIME_ZONE))
    wanted = {}
    for forum in Forum.objects.filter(is_active=True):
        for day in forum.meeting_dates(today, last):
            starts_at = forum.starts_at(day)
            if starts_at > now:
                wanted[(forum.pk, starts_at)] = Meeting(
                    forum=forum,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=forum.duration_minutes),
                )
    upcoming = Meeting.objects.filter(starts_at__gt=now, starts_at__lt=horizon_end)
    existing = set(upcoming.values_list("forum_id", "starts_at"))
    missing = [meeting for key, meeting in wanted.items() if key not in existing]
    Meeting.objects.bulk_create(missing, ignore_conflicts=True)
    unwanted = [
        pk
        for pk, forum_id, starts_at in upcoming.filter(status=MeetingStatus.PLANNED).values_list(
            "pk", "forum_id", "starts_at"
        )
        if (forum_id, starts_at) not in wanted
    ]
    cancelled = Meeting.objects.filter(pk__in=unwanted).update(
        status=MeetingStatus.CANCELLED, sequence=F("sequence") + 1
    )
    return len(missing), cancelled
