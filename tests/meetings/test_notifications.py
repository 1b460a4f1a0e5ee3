"""Calendar e-mails and the outbox: invitations, updates, cancellations and reminders are
written in the same transaction as the change and sent once, by the relay."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from governance import outbox
from governance.celery import app
from governance.models import Level, OutboxKind, OutboxMessage
from meetings import services, tasks
from meetings.forms import ForumForm
from meetings.models import Forum, Meeting, MeetingStatus
from meetings.services import queue_meeting_reminders, reconcile_meetings, update_forum
from tests.factories import make_forum

pytestmark = pytest.mark.django_db


def meeting_mails(kind=""):
    return OutboxMessage.objects.filter(key__startswith="meeting:", key__contains=kind)


def calendar_of(message):
    _filename, text, mimetype = message.payload["attachments"][0]
    return Calendar.from_ical(text), mimetype


def test_new_meetings_send_one_invitation_per_invitee_once(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    invitees = forum.invitees()
    meetings = forum.meetings.count()
    assert procurement.email in invitees
    assert meeting_mails(":invitation:").count() == meetings * len(invitees)
    message = meeting_mails(":invitation:").first()
    calendar, mimetype = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert message.payload["subject"].startswith("Invitation: Weekly operations")

    reconcile_meetings()  # the next beat
    assert meeting_mails().count() == meetings * len(invitees)


def test_each_forum_invites_its_own_people_in_the_same_queries_however_many_forums(
    contract_a, contract_b, procurement
):
    make_forum([contract_a], procurement)
    with CaptureQueriesContext(connection) as one_forum:
        reconcile_meetings()
    make_forum([contract_b], procurement)
    make_forum([contract_a, contract_b], procurement, level=Level.CONTRACT)
    with CaptureQueriesContext(connection) as three_forums:
        reconcile_meetings()
    assert len(three_forums) == len(one_forum)

    invited = {}  # forum pk -> the addresses its invitations went to
    for key in meeting_mails(":invitation:").values_list("key", flat=True):
        _meeting, meeting_pk, _kind, _sequence, email = key.split(":", 4)
        forum_pk = Forum.objects.get(meetings__pk=meeting_pk).pk
        invited.setdefault(forum_pk, set()).add(email)
    for forum in Forum.objects.all():
        # The chair and the role holders at the forum's level of its own contracts, no one else.
        assert invited[forum.pk] == set(forum.invitees()), forum.name


def test_more_news_than_a_batch_tells_the_soonest_first_and_the_task_the_rest(
    contract_a, contract_b, procurement, monkeypatch
):
    monkeypatch.setattr(services, "NOTIFY_BATCH", 5)  # a first fill of 600 forums, in small
    forums = [make_forum([contract_a], procurement), make_forum([contract_b], procurement)]
    reconcile_meetings()
    meetings = list(Meeting.objects.order_by("starts_at", "pk"))
    told = [meeting.pk for meeting in meetings if meeting.notified_sequence is not None]
    assert told == [meeting.pk for meeting in meetings[:5]]

    assert tasks.notify_meeting_changes() == {"meetings": len(meetings) - 5}  # the beat's
    every_invitation = sum(forum.meetings.count() * len(forum.invitees()) for forum in forums)
    assert meeting_mails(":invitation:").count() == every_invitation
    assert tasks.notify_meeting_changes() == {"meetings": 0}  # nothing left, nothing sent twice
    assert meeting_mails().count() == every_invitation


def test_changed_dial_in_sends_an_update_with_a_raised_sequence(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    data = ForumForm(instance=forum).initial
    data.update(dial_in="+46 8 999 999, PIN 9999", contracts=[contract_a.pk])
    form = ForumForm(
        {key: value for key, value in data.items() if value is not None}, instance=forum
    )
    assert form.is_valid(), form.errors
    update_forum(forum=forum, by=procurement, **form.cleaned_data)
    updates = meeting_mails(":update:")
    assert updates.count() == forum.meetings.count() * len(forum.invitees())
    calendar, _mimetype = calendar_of(updates.first())
    assert calendar.events[0]["SEQUENCE"] == 1
    assert "PIN 9999" in str(calendar.events[0]["LOCATION"])


def test_stopped_forum_sends_cancellations(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    forum.is_active = False
    forum.save()
    reconcile_meetings()
    cancels = meeting_mails(":cancel:")
    assert cancels.count() == forum.meetings.count() * len(forum.invitees())
    calendar, mimetype = calendar_of(cancels.first())
    assert mimetype == "text/calendar; method=CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    assert cancels.first().payload["subject"].startswith("Cancelled:")


def test_a_meeting_nobody_heard_of_is_cancelled_silently(contract_a, procurement):
    forum = make_forum([contract_a], procurement, is_active=False)
    forum.meetings.create(
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1),
        status=MeetingStatus.CANCELLED,
    )
    reconcile_meetings()
    assert not meeting_mails().exists()


def test_reminders_go_out_once_the_day_before(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    first = forum.meetings.first()
    now = first.starts_at - timedelta(hours=20)
    assert queue_meeting_reminders(now=now) == len(forum.invitees())
    assert queue_meeting_reminders(now=now + timedelta(hours=1)) == 0
    assert meeting_mails(":reminder:").count() == len(forum.invitees())


REFUSE_REMINDERS = [
    """CREATE FUNCTION refuse_reminders() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the outbox write failed'; END $$""",
    """CREATE TRIGGER refuse_reminders BEFORE INSERT ON governance_outboxmessage
    FOR EACH ROW WHEN (NEW.key LIKE 'meeting:%:reminder:%') EXECUTE FUNCTION refuse_reminders()""",
]


@pytest.mark.django_db(transaction=True)
def test_a_meeting_is_marked_reminded_only_with_its_reminders_queued(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    first = forum.meetings.first()
    now = first.starts_at - timedelta(hours=20)
    with connection.cursor() as cursor:
        for statement in REFUSE_REMINDERS:
            cursor.execute(statement)
    try:
        with pytest.raises(DatabaseError, match="the outbox write failed"):
            queue_meeting_reminders(now=now)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_reminders ON governance_outboxmessage")
            cursor.execute("DROP FUNCTION refuse_reminders()")
    first.refresh_from_db()
    assert first.reminded_at is None  # not marked: the next beat still sends the reminders
    assert queue_meeting_reminders(now=now) == len(forum.invitees())


def test_performing_an_email_sends_it_with_the_calendar_once(contract_a, procurement):
    make_forum([contract_a], procurement)
    reconcile_meetings()
    message = meeting_mails(":invitation:").first()

    assert outbox.perform(message.pk)
    assert outbox.perform(message.pk)  # a rerun of the task: already done, nothing sent
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == message.payload["to"]
    part = sent.message().get_payload()[1]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename().endswith(".ics")
    message.refresh_from_db()
    assert message.done_at and message.attempts == 1


def test_failing_work_is_retried_with_pauses_then_given_up(db):
    message = outbox.enqueue(OutboxKind.MINUTES_PDF, "minutes-pdf:missing", {"minutes": 0})
    now = timezone.now()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert not outbox.perform(message.pk, now=now)
        message.refresh_from_db()
        assert message.attempts == attempt
        assert "DoesNotExist" in message.last_error
    assert message.failed_at is not None
    assert not outbox.perform(message.pk)  # given up: not tried again
    message.refresh_from_db()
    assert message.attempts == outbox.MAX_ATTEMPTS


def test_the_same_promise_twice_is_one_row(db):
    first = outbox.enqueue(OutboxKind.EMAIL, "same-key", {"to": ["a@b.example"]})
    second = outbox.enqueue(OutboxKind.EMAIL, "same-key", {"to": ["c@d.example"]})
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


@pytest.fixture
def purged_queue():
    """The relay really publishes to Redis; leave no task behind for a later worker."""
    yield
    app.control.purge()


def test_relay_hands_out_due_rows_and_again_after_the_lease(db, purged_queue):
    message = outbox.enqueue(OutboxKind.EMAIL, "lease", {"to": ["a@b.example"]})
    now = timezone.now() + timedelta(seconds=1)
    assert outbox.relay_due_messages(now) == 1
    assert outbox.relay_due_messages(now) == 0  # leased
    message.refresh_from_db()
    assert message.next_attempt_at == now + outbox.LEASE
    # Handed out but never finished (a killed worker): handed out again after the lease.
    assert outbox.relay_due_messages(now + outbox.LEASE) == 1


def test_cancelling_one_meeting_tells_the_invitees_and_keeps_it_cancelled(
    contract_a, procurement, client_for
):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    meeting = forum.meetings.order_by("starts_at")[1]
    response = client_for(procurement).post(
        reverse("meetings:meeting_cancel", args=[meeting.pk]), follow=True
    )
    assert "Meeting cancelled" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    cancels = meeting_mails(f"meeting:{meeting.pk}:cancel:")
    assert cancels.count() == len(forum.invitees())
    assert calendar_of(cancels.first())[0]["METHOD"] == "CANCEL"
    reconcile_meetings()  # the next beat does not plan the slot again
    assert forum.meetings.filter(starts_at=meeting.starts_at).count() == 1
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
