"""On a real worker: after a contract ends, its meeting of tomorrow sends a cancellation and
no reminder (the reported bug: a reminder went out after the end), and the daily notice task
alerts the city's contract-level role holders once."""

import email
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Level, OutboxMessage, RoleHolder, Side
from meetings.models import MeetingStatus
from meetings.services import reconcile_meetings as reconcile_now
from meetings.tasks import reconcile_meetings
from suppliers.models import ContractStatus, add_months
from suppliers.services import change_contract_status
from suppliers.tasks import send_notice_alerts
from tests.factories import make_forum
from tests.worker import wait_for, wait_until_quiet

pytestmark = pytest.mark.worker


def mails(mail_folder):
    """(To, Subject, calendar METHOD or None) of every message the worker sent."""
    found = []
    for path in mail_folder.glob("*.log"):
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(raw.strip())
            if message["Subject"] is None:
                continue
            method = None
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    method = part.get_param("method")
            found.append((message["To"], message["Subject"], method))
    return found


def test_no_reminder_after_the_end_only_the_cancellation(
    worker, contract_a, procurement, mail_folder
):
    soon = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    # A weekly forum whose next meeting is in three hours: its reminder would be due now.
    forum = make_forum(
        [contract_a], procurement, name="Ending forum", weekday=soon.weekday(),
        time_of_day=soon.time(),
    )  # fmt: skip
    reconcile_now()
    meeting = forum.meetings.order_by("starts_at").first()
    assert meeting.starts_at == soon
    contract_a.status = ContractStatus.TERMINATING
    contract_a.save()
    decider = RoleHolder.objects.people_at(Level.BUSINESS, [contract_a]).get(side=Side.BUYER)

    change_contract_status(
        contract=contract_a,
        status=ContractStatus.ENDED,
        by=procurement,
        decided_by=decider,
        reason="Notice period over.",
    )
    reconcile_meetings.delay()  # the beat's task: plans, then queues the reminders due

    def cancelled_to_the_supplier():
        return any(
            to == "supplier.operational@example.org"
            and subject.startswith("Cancelled: Ending forum")
            and method == "CANCEL"
            for to, subject, method in mails(mail_folder)
        )

    assert wait_for(cancelled_to_the_supplier)
    wait_until_quiet()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert not OutboxMessage.objects.filter(key__contains=":reminder:").exists()
    assert not [m for m in mails(mail_folder) if m[1].startswith("Reminder: Ending forum")]
    assert not forum.meetings.filter(status=MeetingStatus.PLANNED).exists()


def test_the_daily_task_alerts_once_on_a_worker(worker, contract_a, mail_folder):
    today = timezone.localdate()
    contract_a.status = ContractStatus.ACTIVE
    contract_a.title = "Notice on a worker"
    contract_a.end_date = add_months(today + timedelta(days=60), contract_a.notice_period_months)
    contract_a.save()

    send_notice_alerts.delay()

    def alerted():
        return [
            to
            for to, subject, _method in mails(mail_folder)
            if subject.startswith("Notice deadline") and "Notice on a worker" in subject
        ]

    assert wait_for(lambda: alerted() == ["buyer.contract@example.org"])
    send_notice_alerts.delay()  # a doubled beat
    wait_until_quiet()
    assert wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists())
    assert alerted() == ["buyer.contract@example.org"]
