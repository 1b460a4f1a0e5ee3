"""Tasks run on a real Celery worker process, over the real Redis broker, on the test database."""

import email
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance.celery import app
from governance.models import OutboxMessage
from governance.tasks import relay_outbox
from meetings.models import Meeting, MinutesPdf
from meetings.services import NOTIFY_BATCH, approve_minutes
from meetings.tasks import notify_meeting_changes, reconcile_meetings
from suppliers.models import Invitation
from suppliers.services import invite_contact
from suppliers.tasks import purge_expired_invitations
from tests.factories import make_forum, make_held_minutes
from tests.worker import database_url_for_workers, wait_for

pytestmark = pytest.mark.worker


def test_beat_task_purges_expired_invitations_on_a_worker(worker, supplier_a, procurement):
    old, _token = invite_contact(
        supplier=supplier_a, name="Old", email="old@a.example", by=procurement
    )
    fresh, _token = invite_contact(
        supplier=supplier_a, name="New", email="new@a.example", by=procurement
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=40))

    purge_expired_invitations.delay()

    assert wait_for(lambda: not Invitation.objects.filter(pk=old.pk).exists())
    assert Invitation.objects.filter(pk=fresh.pk).exists()
    # Idempotent: a second run (a doubled beat) changes nothing more.
    purge_expired_invitations.delay()
    time.sleep(1)
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_beat_task_plans_meetings_on_a_worker(worker, contract_a, procurement):
    forum = make_forum([contract_a], procurement)

    reconcile_meetings.delay()

    assert wait_for(lambda: forum.meetings.count() >= 8)
    count = forum.meetings.count()
    reconcile_meetings.delay()  # a doubled beat
    time.sleep(1)
    assert forum.meetings.count() == count


def test_beat_task_tells_what_a_big_reconcile_left_on_a_worker(worker, contract_a, procurement):
    forums = [make_forum([contract_a], procurement) for _ in range(NOTIFY_BATCH // 8 + 2)]
    reconcile_meetings()  # in this process: more new meetings than one batch tells about
    assert Meeting.objects.filter(notified_sequence__isnull=True).exists()

    notify_meeting_changes.delay()

    assert wait_for(lambda: not Meeting.objects.filter(notified_sequence__isnull=True).exists())
    invitations = OutboxMessage.objects.filter(key__contains=":invitation:").count()
    assert invitations == Meeting.objects.count() * len(forums[0].invitees())


def test_beat_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_approved_minutes_are_rendered_and_mailed_by_the_worker(
    worker, contract_a, procurement, mail_folder
):
    minutes = make_held_minutes(contract_a, procurement)
    recipients = set(minutes.attendance.exclude(email="").values_list("email", flat=True))

    approve_minutes(minutes=minutes, by=procurement)  # commits: the kick reaches the worker's relay

    assert wait_for(lambda: MinutesPdf.objects.filter(minutes=minutes).exists())
    content = bytes(MinutesPdf.objects.get(minutes=minutes).content)
    assert content.startswith(b"%PDF-")

    def mailed_with_this_pdf():
        """Recipients of a message in the mail folder whose attachment is this very PDF."""
        found = set()
        for path in mail_folder.glob("*.log"):
            for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
                message = email.message_from_string(raw.strip())
                for part in message.walk():
                    if (
                        part.get_content_type() == "application/pdf"
                        and part.get_payload(decode=True) == content
                    ):
                        found.add(message["To"])
        return found

    assert wait_for(lambda: mailed_with_this_pdf() == recipients)


REDIS_DOWN_REQUEST = """
import json, os, time
import django
django.setup()
from django.test import Client
from governance.models import User
from tests.helpers import pass_second_factor
client = Client(HTTP_HOST="127.0.0.1")
user = User.objects.get(pk=int(os.environ["USER_PK"]))
client.force_login(user)
pass_second_factor(client, user)  # a new process: tests/conftest.py's patch is not here
client.get("/dashboard/")  # warm: the timing below is the approval's own
started = time.monotonic()
response = client.post(os.environ["URL"])
print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started}))
"""


def test_approving_while_redis_is_down_loses_nothing(worker, contract_a, procurement):
    minutes = make_held_minutes(contract_a, procurement)
    result = subprocess.run(  # noqa: S603 - the portal itself, with its broker unreachable
        [sys.executable, "-c", REDIS_DOWN_REQUEST],
        env={
            **os.environ,
            "DATABASE_URL": database_url_for_workers(),
            "DJANGO_SETTINGS_MODULE": "governance.settings.test",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/1",  # nothing listens on port 9
            "OUTBOX_KICK_ON_COMMIT": "1",  # the request does try the broker
            "USER_PK": str(procurement.pk),
            "URL": reverse("meetings:minutes_approve", args=[minutes.pk]),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 302  # approved, back to the meeting: no error page
    assert answer["seconds"] < 1, "the request waited on the broker"
    assert "Broker unavailable" in result.stderr  # it tried, and let it be
    minutes.refresh_from_db()
    assert minutes.is_approved
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    assert job.done_at is None  # promised, waiting for the broker
    assert not MinutesPdf.objects.filter(minutes=minutes).exists()

    relay_outbox.delay()  # Redis is back: beat's next relay

    assert wait_for(lambda: MinutesPdf.objects.filter(minutes=minutes).exists())
    relay_outbox.delay()
    time.sleep(1)
    assert MinutesPdf.objects.filter(minutes=minutes).count() == 1
