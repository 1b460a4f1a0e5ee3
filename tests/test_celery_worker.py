"""Tasks run on a real Celery worker process, over the real Redis broker, on the test database."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from governance.celery import app
from meetings.tasks import reconcile_meetings
from suppliers.models import Invitation
from suppliers.services import invite_contact
from suppliers.tasks import purge_expired_invitations
from tests.factories import make_forum

pytestmark = pytest.mark.worker


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    database = settings.DATABASES["default"]
    database_url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    app.control.purge()
    with open(log_path, "w") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own worker command
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "governance",
                "worker",
                "--queues",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--pool",
                "solo",
                "--hostname",
                f"test-{os.getpid()}@%h",
                "--loglevel",
                "INFO",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{log_path.read_text()}")
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_beat_task_purges_expired_invitations_on_a_worker(
    celery_worker_process, transactional_db, supplier_a, procurement
):
    old, _token = invite_contact(
        supplier_a, name="Old", email="old@a.example", invited_by=procurement
    )
    fresh, _token = invite_contact(
        supplier_a, name="New", email="new@a.example", invited_by=procurement
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=40))

    purge_expired_invitations.delay()

    assert wait_for(lambda: not Invitation.objects.filter(pk=old.pk).exists())
    assert Invitation.objects.filter(pk=fresh.pk).exists()
    # Idempotent: a second run (a doubled beat) changes nothing more.
    purge_expired_invitations.delay()
    time.sleep(1)
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_beat_task_plans_meetings_on_a_worker(
    celery_worker_process, transactional_db, contract_a, procurement
):
    forum = make_forum([contract_a], procurement)

    reconcile_meetings.delay()

    assert wait_for(lambda: forum.meetings.count() >= 8)
    count = forum.meetings.count()
    reconcile_meetings.delay()  # a doubled beat
    time.sleep(1)
    assert forum.meetings.count() == count


def test_beat_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
