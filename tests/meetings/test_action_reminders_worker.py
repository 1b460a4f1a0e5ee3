"""The daily reminder task runs on a real Celery worker over Redis, once per step."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import OutboxMessage, Role
from meetings.services import add_action, approve_minutes, start_minutes
from meetings.tasks import remind_action_owners
from portal.tasks import send_weekly_digests
from tests.factories import make_forum, make_issue, make_user, mark_present
from tests.meetings.test_between_meetings import OWNER_EMAIL, held_meeting
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_reminder_task_reminds_the_owner_once_on_a_worker(
    worker, contract_a, supplier_a, procurement
):
    owner = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email=OWNER_EMAIL)
    minutes = start_minutes(
        meeting=held_meeting(make_forum([contract_a], procurement), 7), by=procurement
    )
    action = add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Patch the load balancers",
        owner_name="Supplier person",
        owner_organisation="Alpha Drift AB",
        due_on=timezone.localdate() + timedelta(days=2),
        by=procurement,
    )
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    reminders = OutboxMessage.objects.filter(key__startswith="action-reminder:")

    remind_action_owners.delay()

    assert wait_for(lambda: reminders.filter(done_at__isnull=False).exists())
    remind_action_owners.delay()  # a doubled beat
    time.sleep(2)
    reminder = reminders.get()
    assert reminder.key == f"action-reminder:{action.pk}:{action.due_on}:{owner.pk}"
    assert reminder.payload["to"] == [OWNER_EMAIL]


def test_digest_task_queues_each_persons_digest_once_on_a_worker(worker, contract_a, procurement):
    make_issue([contract_a], procurement, title="Alpha storage outage")
    digests = OutboxMessage.objects.filter(key__startswith=f"digest:{procurement.pk}:")

    send_weekly_digests.delay()

    assert wait_for(lambda: digests.filter(done_at__isnull=False).exists())
    send_weekly_digests.delay()  # a doubled beat
    time.sleep(2)
    assert "Alpha storage outage" in digests.get().payload["body"]
