"""Drill: Redis (the cache and the broker) stops while procurement staff approve minutes.

The portal runs under gunicorn on a private Redis, which the drill stops. Users keep working
through HTTP without a server error; when Redis is back a real worker produces every PDF and
every e-mail exactly once.
"""

import email
import hashlib
import time

import pytest
from django.urls import reverse

from governance.models import OutboxKind, OutboxMessage, Role
from meetings.models import MinutesPdf
from operations.models import FigureImport, ImportStatus, Measurement
from operations.services import create_import
from tests.factories import (
    PASSWORD,
    fill_governance,
    make_contract,
    make_held_minutes,
    make_service_level,
    make_supplier,
    make_user,
)
from tests.worker import database_url_for_workers, on_broker, wait_for

from .processes import Browser, messages_in

pytestmark = [pytest.mark.drill, pytest.mark.worker]

FIGURES = "contract,service_level,period,value\n" + "".join(
    f"A-001,Server operations,2025-{month:02d},99.9\n" for month in range(1, 13)
)
APPROVED = "Minutes approved and locked. The PDF is being produced and sent to the attendees."


def mailed(folder):
    """(recipient, sha256 of the attached PDF) for every e-mail the worker sent."""
    sent = []
    for path in folder.glob("*.log"):
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(raw.strip())
            for part in message.walk():
                if part.get_content_type() == "application/pdf":
                    sent.append(
                        (message["To"], hashlib.sha256(part.get_payload(decode=True)).hexdigest())
                    )
    return sent


def test_approving_while_redis_is_stopped_loses_nothing(
    transactional_db, private_redis, start_gunicorn, start_drill_worker, tmp_path
):
    contract = fill_governance(make_contract(make_supplier("Alpha Drift AB"), reference="A-001"))
    make_service_level(contract)
    staff = [make_user(Role.PROCUREMENT) for _ in range(3)]
    minutes = [make_held_minutes(contract, staff[number % 3]) for number in range(7)]
    figure_import, _parsed = create_import(
        supplier=contract.supplier, filename="figures.csv", text=FIGURES, by=staff[0]
    )
    database = database_url_for_workers()
    redis_env = {"REDIS_URL": private_redis.url(0), "CELERY_BROKER_URL": private_redis.url(1)}
    portal = start_gunicorn(database, OUTBOX_KICK_ON_COMMIT="1", **redis_env)
    browsers = [
        Browser(portal.base_url).log_in(user.email, PASSWORD, user.totpdevice_set.get().key)
        for user in staff
    ]

    def approve(browser, one):
        started = time.monotonic()
        status, body, headers = browser.post(reverse("meetings:minutes_approve", args=[one.pk]))
        assert status == 302, body[:3000]
        assert time.monotonic() - started < 1.5, "the approval waited on Redis"
        status, body, _headers = browser.get(headers["Location"])
        assert status == 200, body[:3000]
        return messages_in(body)

    # Approved while Redis is up: the kick to the relay waits in Redis, and is lost with it.
    assert approve(browsers[0], minutes[0]) == [APPROVED]

    private_redis.stop()

    for number, one in enumerate(minutes[1:6], start=1):
        assert approve(browsers[number % 3], one) == [APPROVED]
    confirm = reverse("operations:import_confirm", args=[figure_import.pk])
    status, body, headers = browsers[1].post(confirm)
    assert status == 302, body[:3000]
    status, body, _headers = browsers[1].get(headers["Location"])
    assert status == 200, body[:3000]
    assert messages_in(body) == ["The file is queued for import."]
    for path in ["/dashboard/", reverse("meetings:minutes_detail", args=[minutes[1].pk])]:
        status, body, _headers = browsers[2].get(path)
        assert status == 200, f"{path}: {status}\n{body[:3000]}"

    # All of it promised in the database, none of it done.
    assert OutboxMessage.objects.filter(kind=OutboxKind.MINUTES_PDF, done_at=None).count() == 6
    assert not MinutesPdf.objects.exists()
    log = portal.log()
    assert "Broker unavailable" in log  # each commit tried the broker, and let it be
    assert "Redis cache unavailable" in log  # the import's progress went without the cache
    assert " 500 " not in log

    private_redis.start()
    mail = tmp_path / "mail"
    start_drill_worker(
        private_redis.url(1),
        database,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
        OUTBOX_KICK_ON_COMMIT="1",
        **redis_env,
    )
    # Redis is back: the next approval's kick wakes the relay, which takes everything due.
    assert approve(browsers[0], minutes[6]) == [APPROVED]

    def all_done():
        return not OutboxMessage.objects.filter(done_at=None).exists()

    assert wait_for(all_done, seconds=60), list(
        OutboxMessage.objects.filter(done_at=None).values("key", "attempts", "last_error")
    )
    with on_broker(private_redis.url(1)) as broker:
        broker.send_task("governance.tasks.relay_outbox")  # and beat's relay, once more

    assert wait_for(lambda: len(mailed(mail)) >= 7 * len(minutes[0].attendance.all()))
    assert not OutboxMessage.objects.filter(failed_at__isnull=False).exists()
    pdfs = {pdf.minutes_id: pdf for pdf in MinutesPdf.objects.all()}
    assert sorted(pdfs) == sorted(one.pk for one in minutes)  # one each, none missing
    expected = sorted(
        (row.email, pdfs[one.pk].sha256) for one in minutes for row in one.attendance.all()
    )
    assert sorted(mailed(mail)) == expected  # each attendee once per version, no more
    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.DONE
    assert Measurement.objects.count() == 12
    assert FigureImport.objects.count() == 1
