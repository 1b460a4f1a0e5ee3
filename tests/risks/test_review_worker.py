"""The daily review task runs on a real Celery worker over Redis: each owner told once per
review date, however often beat asks."""

import time

import pytest
from django.utils import timezone

from governance.models import OutboxMessage
from risks.tasks import remind_risk_owners
from tests.factories import make_risk
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_review_task_tells_the_owner_once_on_a_worker(worker, contract_a, procurement):
    risk = make_risk(
        contract_a, procurement, title="Restore untested", review_on=timezone.localdate()
    )
    reminders = OutboxMessage.objects.filter(key__startswith="risk-review:")

    remind_risk_owners.delay()

    assert wait_for(lambda: reminders.filter(done_at__isnull=False).exists())
    remind_risk_owners.delay()  # a doubled beat
    time.sleep(2)
    reminder = reminders.get()
    assert reminder.key == f"risk-review:{risk.pk}:{risk.review_on}:{procurement.email}"
    assert reminder.payload["to"] == [procurement.email]
    assert "Restore untested" in reminder.payload["subject"]
