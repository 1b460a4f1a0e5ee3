"""Drill: two beats at once, each one's reconcile running in a process of its own.

Two processes run the reconcile task (meetings.tasks.reconcile_meetings, as a worker runs it
for beat) against PostgreSQL at the very same moment: the drill holds a SHARE lock on the
meetings table until both have read what they will write and wait at their first write, then
lets them race. Twice: while there are meetings to plan (with invitations and a reminder due),
and after the forums stop (cancellations). Neither crashes, no meeting is doubled, every
invitee gets each invitation, reminder and cancellation once, and a further run writes nothing.
"""

import subprocess
import sys
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from governance.models import OutboxKind, OutboxMessage, Role
from meetings.models import Forum, Meeting, MeetingStatus
from tests.factories import fill_governance, make_contract, make_forum, make_supplier, make_user
from tests.worker import database_url_for_workers, wait_for

from .processes import ROOT, portal_env, run_script

pytestmark = pytest.mark.drill


def race(count=2):
    """Start `count` reconciles together; returns their exit codes and output."""
    database = database_url_for_workers()
    blocker = psycopg.connect(database)
    blocker.execute("LOCK TABLE meetings_meeting IN SHARE MODE")
    beats = []
    try:
        for _ in range(count):
            beats.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.drills.scripts", "reconcile", "{}"],
                    env=portal_env(database),
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )

        def all_waiting_to_write():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    " AND relation = 'meetings_meeting'::regclass"
                )
                return cursor.fetchone()[0] == count

        assert wait_for(all_waiting_to_write, seconds=60)
    finally:
        blocker.rollback()  # and they're off
        blocker.close()
        answers = []
        for beat in beats:
            try:
                output, _ = beat.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                beat.kill()
                output, _ = beat.communicate()
            answers.append((beat.returncode, output))
    return answers


def calendar_mails():
    """(meeting, kind, e-mail) of each calendar e-mail promised, as many times as promised."""
    keys = OutboxMessage.objects.filter(kind=OutboxKind.EMAIL, key__startswith="meeting:")
    return sorted(
        (int(meeting), kind, email)
        for meeting, kind, _sequence, email in (
            key.removeprefix("meeting:").split(":", 3) for key in keys.values_list("key", flat=True)
        )
    )


def snapshot():
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(OutboxMessage.objects.order_by("pk").values_list("pk", "key")),
    )


def test_two_beats_at_once_plan_remind_and_cancel_once(transactional_db):
    chair = make_user(Role.PROCUREMENT)
    contract = fill_governance(make_contract(make_supplier("Alpha Drift AB"), reference="A-001"))
    soon = timezone.localtime() + timedelta(hours=12)  # a meeting within the reminder's 24 hours
    later = soon + timedelta(days=3)
    forums = [
        make_forum([contract], chair, name="Weekly operations", weekday=later.weekday()),
        make_forum([contract], chair, name="Soon", weekday=soon.weekday(), time_of_day=soon.time()),
    ]
    invitees = sorted(forums[0].invitees())

    answers = race()
    assert [code for code, _output in answers] == [0, 0], answers
    meetings = list(Meeting.objects.order_by("forum_id", "starts_at"))
    slots = {(meeting.forum_id, meeting.starts_at) for meeting in meetings}
    assert len(slots) == len(meetings) >= 16  # eight weeks of two forums, none twice
    assert all(meeting.sequence == 0 for meeting in meetings)
    due = [meeting for meeting in meetings if meeting.starts_at <= timezone.now() + timedelta(1)]
    assert [meeting.forum_id for meeting in due] == [forums[1].pk]
    assert calendar_mails() == sorted(
        [(meeting.pk, "invitation", email) for meeting in meetings for email in invitees]
        + [(meeting.pk, "reminder", email) for meeting in due for email in invitees]
    )

    Forum.objects.update(is_active=False)  # both forums stop: every coming meeting goes
    before = calendar_mails()
    answers = race()
    assert [code for code, _output in answers] == [0, 0], answers
    cancelled = list(Meeting.objects.order_by("pk"))
    assert {meeting.status for meeting in cancelled} == {MeetingStatus.CANCELLED}
    assert {meeting.sequence for meeting in cancelled} == {1}  # changed once, not twice
    cancellations = [mail for mail in calendar_mails() if mail[1] == "cancel"]
    assert cancellations == sorted(
        (meeting.pk, "cancel", email) for meeting in meetings for email in invitees
    )
    assert len(calendar_mails()) == len(before) + len(cancellations)

    unchanged = snapshot()
    assert run_script(database_url_for_workers(), "reconcile") == {
        "created": 0,
        "cancelled": 0,
        "reminders": 0,
    }
    assert snapshot() == unchanged  # a further run writes nothing
