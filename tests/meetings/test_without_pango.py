"""A machine without Pango (a fresh Debian demo): migrate, the pages and the worker still run,
and approved minutes say what to install instead of "Producing the PDF" for ever.

The child Pythons here get a sitecustomize that makes cffi refuse to load Pango, so WeasyPrint's
own loader (weasyprint/text/ffi.py, which has no setting for this on Linux) fails the way it
does on a machine without libpango, at `import weasyprint`."""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from governance.models import OutboxMessage
from meetings.models import MinutesPdf
from meetings.pdf import PDF_PACKAGES_INSTALL
from meetings.services import approve_minutes
from tests.factories import make_held_minutes
from tests.worker import database_url_for_workers, on_broker, start_worker, wait_for

lock = import_module("meetings.migrations.0003_lock_approved_minutes")

ROOT = Path(settings.BASE_DIR)

NO_PANGO = '''
"""This Python cannot load Pango, as on a machine without libpango."""
import cffi

_dlopen = cffi.FFI.dlopen


def dlopen(self, name, flags=0):
    if "pango" in str(name):
        raise OSError(
            f"cannot load library {name!r}: {name}: cannot open shared object file: "
            "No such file or directory"
        )
    return _dlopen(self, name, flags)


cffi.FFI.dlopen = dlopen
'''

PAGES = """
import json, os
import django
django.setup()
from django.test import Client
from governance.models import User
from tests.helpers import pass_second_factor
client = Client()
user = User.objects.get(pk=int(os.environ["USER_PK"]))
client.force_login(user)
pass_second_factor(client, user)  # a new process: tests/conftest.py's patch is not here
urls = os.environ["URLS"].split()
pages = [client.get(url).content.decode() for url in urls]
# The htmx poll of the PDF status section.
poll = client.get(urls[0], headers={"HX-Request": "true", "HX-Target": "pdf-status"})
print(json.dumps(pages + [poll.content.decode()]))
"""


@pytest.fixture
def without_pango(tmp_path):
    """The environment of a child Python that cannot load Pango."""
    folder = tmp_path / "no-pango"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_PANGO)
    return {
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
    }


def python(*args, env):
    return subprocess.run(  # noqa: S603 - the portal itself, in a child Python
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_machine_without_pango_migrates_a_new_database(tmp_path, without_pango):
    env = {**without_pango, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}"}
    weasyprint = python("-c", "import weasyprint", env=env)
    assert weasyprint.returncode != 0
    assert "OSError: cannot load library 'libpango-1.0-0'" in weasyprint.stderr

    migrate = python("manage.py", "migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying meetings." in migrate.stdout
    # Every lock trigger outlived the migrations: SQLite rebuilds a table to change it, which
    # drops the table's triggers, and those of other tables that name it break.
    with closing(sqlite3.connect(tmp_path / "portal.sqlite3")) as database:
        triggers = {
            name
            for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_locked_%'"
            )
        }
    assert triggers == {create.split()[2] for create in lock._sqlite_statements()}
    check = python("manage.py", "check", env=env)  # imports the URLconf and every view
    assert check.returncode == 0, check.stderr


@pytest.mark.django_db(transaction=True)
def test_without_pango_the_worker_keeps_the_pdf_job_and_the_minutes_say_what_to_install(
    contract_a, procurement, client_for, tmp_path, without_pango
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    urls = [minutes.get_absolute_url(), minutes.meeting.get_absolute_url()]
    # Where Pango loads, the same page waits for the worker's PDF.
    assert "Producing the PDF" in client_for(procurement).get(urls[0]).content.decode()

    # A real worker without Pango starts (every task module imported) and takes the PDF job.
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-no-pango"
    worker = start_worker(tmp_path / "worker.log", queue=queue, **without_pango)
    try:
        with on_broker(settings.CELERY_BROKER_URL) as broker:
            broker.send_task("governance.tasks.perform_outbox_message", [job.pk], queue=queue)
            assert wait_for(lambda: OutboxMessage.objects.get(pk=job.pk).last_error), (
                tmp_path / "worker.log"
            ).read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    job.refresh_from_db()
    # Waiting, not failed: installing the packages and restarting is enough for the PDF.
    assert job.done_at is None and job.failed_at is None
    assert job.attempts == 0
    assert job.next_attempt_at > timezone.now()
    assert PDF_PACKAGES_INSTALL in job.last_error
    assert "cannot load library 'libpango-1.0-0'" in job.last_error
    assert not MinutesPdf.objects.filter(minutes=minutes).exists()

    # The portal without Pango: the minutes page, the meeting page and the htmx poll.
    pages = python(
        "-c",
        PAGES,
        env={
            **without_pango,
            "DATABASE_URL": database_url_for_workers(),
            "USER_PK": str(procurement.pk),
            "URLS": " ".join(urls),
        },
    )
    assert pages.returncode == 0, pages.stderr
    for html in json.loads(pages.stdout.splitlines()[-1]):
        assert "This server cannot make PDFs" in html
        assert f"<code>{PDF_PACKAGES_INSTALL}</code>" in html
        assert "Producing the PDF" not in html  # no polling for ever
