"""Drill: the worker is killed (SIGKILL) between rendering a minutes PDF and storing it.

The job's transaction dies with the worker: no PDF, the job not done. After the lease the
relay hands it out again, to a worker that is alive, and there is exactly one PDF, and one
e-mail with it per attendee.
"""

import signal
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from governance.celery import app
from governance.models import OutboxMessage
from governance.outbox import LEASE, relay_due_messages
from governance.tasks import perform_outbox_message
from meetings.models import MinutesPdf
from meetings.services import approve_minutes
from tests.factories import make_held_minutes
from tests.worker import database_url_for_workers, start_worker, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.worker]


def test_worker_killed_mid_render_leaves_exactly_one_pdf(worker, contract_a, procurement, tmp_path):
    minutes = make_held_minutes(contract_a, procurement)
    with transaction.atomic():
        approve_minutes(minutes=minutes, by=procurement)
        # Keep the relay of the other worker away: this job goes to the worker we kill.
        OutboxMessage.objects.filter(key=f"minutes-pdf:{minutes.pk}").update(
            next_attempt_at=timezone.now() + timedelta(hours=1)
        )
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    doomed = start_worker(tmp_path / "doomed.log", queue="portal-test-doomed")
    # Hold the PDF table so the worker is caught between rendering and storing.
    blocker = psycopg.connect(database_url_for_workers())
    blocker.execute("LOCK TABLE meetings_minutespdf IN EXCLUSIVE MODE")
    try:
        perform_outbox_message.apply_async(args=[job.pk], queue="portal-test-doomed")

        def worker_is_storing():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted "
                    "AND relation = 'meetings_minutespdf'::regclass"
                )
                return cursor.fetchone()[0] > 0

        assert wait_for(worker_is_storing), (tmp_path / "doomed.log").read_text()
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
        with app.connection_for_write() as broker:
            broker.default_channel.queue_purge("portal-test-doomed")

    job.refresh_from_db()
    assert job.done_at is None
    assert not MinutesPdf.objects.filter(minutes=minutes).exists()

    # After the lease the relay hands the job out again, to the worker that is still alive.
    relay_due_messages(now=timezone.now() + timedelta(hours=1) + LEASE)

    assert wait_for(lambda: OutboxMessage.objects.get(pk=job.pk).done_at is not None)
    assert MinutesPdf.objects.filter(minutes=minutes).count() == 1
    # Nothing lost: the PDF's e-mail to each attendee, queued once and sent.
    mails = OutboxMessage.objects.filter(key__startswith=f"minutes-mail:{minutes.pk}:")
    assert wait_for(lambda: not mails.filter(done_at=None).exists())
    assert sorted(mails.values_list("payload__to", flat=True)) == sorted(
        [email] for email in minutes.attendance.exclude(email="").values_list("email", flat=True)
    )
