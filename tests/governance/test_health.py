"""/healthz/ and /readyz/: what the container runtime, the load balancer and monitoring ask.

Against the real services: the test database, the tests' Redis (cache and broker) and a real
`celery beat` process for the heartbeat. A service that is down is a Redis URL on a port where
nothing listens."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from governance.health import BEAT_HEARTBEAT_KEY, record_beat_heartbeat
from governance.models import OutboxKind, OutboxMessage
from tests.drills.processes import free_port, stop
from tests.worker import database_url_for_workers, wait_for

CLOSED_PORT_REDIS = f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture(autouse=True)
def no_heartbeat():
    """No beat runs under the tests: each test starts without a heartbeat and leaves none."""
    cache.delete(BEAT_HEARTBEAT_KEY)
    yield
    cache.delete(BEAT_HEARTBEAT_KEY)


def readiness(client):
    response = client.get("/readyz/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def states(answer):
    return {name: check["state"] for name, check in answer["checks"].items()}


def test_alive_without_the_database_the_cache_or_a_session(client):
    # No database access is allowed in this test (no `db` fixture): any query would fail it.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies
    assert client.head("/healthz/").status_code == 200


@pytest.mark.django_db
def test_ready_when_a_real_beat_leaves_its_heartbeat(client, tmp_path):
    status, answer = readiness(client)
    assert status == 503
    assert answer["checks"]["beat"] == {"state": "failing", "reason": "no heartbeat"}

    # Beat's tasks go to a queue of this test's own, emptied afterwards: no worker takes them.
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-beat-heartbeat"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
        "DATABASE_URL": database_url_for_workers(),
        "TEST_QUEUE": queue,
    }
    log = tmp_path / "beat.log"
    with open(log, "w") as output:
        beat = subprocess.Popen(  # noqa: S603 - our own beat command
            [
                *(sys.executable, "-m", "celery", "-A", "governance", "beat"),
                *("--schedule", str(tmp_path / "schedule"), "--loglevel", "INFO"),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: cache.get(BEAT_HEARTBEAT_KEY) is not None, seconds=60), (
            log.read_text()
        )
        status, answer = readiness(client)
    finally:
        stop(beat)
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)
    assert status == 200, answer
    assert answer["status"] == "ok"
    assert states(answer) == dict.fromkeys(["database", "cache", "broker", "outbox", "beat"], "ok")
    assert answer["checks"]["beat"]["seconds_since_heartbeat"] < 30
    assert answer["checks"]["outbox"]["oldest_due_seconds"] == 0


@pytest.mark.django_db
def test_not_ready_names_the_cache_when_redis_does_not_answer(client):
    record_beat_heartbeat()
    backend = "governance.cache.ForgivingRedisCache"
    cache_on_a_closed_port = {"default": {"BACKEND": backend, "LOCATION": CLOSED_PORT_REDIS}}
    started = time.monotonic()
    with override_settings(CACHES=cache_on_a_closed_port):
        status, answer = readiness(client)
    assert time.monotonic() - started < 5
    assert status == 503
    assert answer["status"] == "failing"
    assert states(answer) == {
        "database": "ok",
        "cache": "failing",
        "broker": "ok",
        "outbox": "ok",
        "beat": "failing",  # its heartbeat is kept in the cache
    }
    assert answer["checks"]["beat"]["reason"] == "cache failing"
    # The answer is public: no host, port or error text.
    assert "127.0.0.1" not in json.dumps(answer)
    assert CLOSED_PORT_REDIS.split(":")[2].split("/")[0] not in json.dumps(answer)


@pytest.mark.django_db
def test_not_ready_names_the_broker_when_it_does_not_answer(client):
    record_beat_heartbeat()
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=CLOSED_PORT_REDIS):
        status, answer = readiness(client)
    assert time.monotonic() - started < 5
    assert status == 503
    assert states(answer) == {
        "database": "ok",
        "cache": "ok",
        "broker": "failing",
        "outbox": "ok",
        "beat": "ok",
    }
    assert answer["checks"]["broker"] == {"state": "failing", "reason": "OperationalError"}


@pytest.mark.django_db
def test_not_ready_when_outbox_work_has_waited_too_long(client):
    record_beat_heartbeat()
    now = timezone.now()

    def promise(key, **fields):
        OutboxMessage.objects.create(kind=OutboxKind.EMAIL, key=key, payload={}, **fields)

    # Handed to a worker (leased), finished, or given up: none of them waits on the relay.
    promise("leased", next_attempt_at=now + timedelta(minutes=4))
    promise("done", next_attempt_at=now - timedelta(hours=1), done_at=now)
    promise("failed", next_attempt_at=now - timedelta(hours=1), failed_at=now)
    promise("due a minute ago", next_attempt_at=now - timedelta(minutes=1))
    status, answer = readiness(client)
    assert status == 200, answer
    assert 60 <= answer["checks"]["outbox"]["oldest_due_seconds"] < 120

    promise("due eleven minutes ago", next_attempt_at=now - timedelta(minutes=11))
    status, answer = readiness(client)
    assert status == 503
    assert states(answer)["outbox"] == "failing"
    assert answer["checks"]["outbox"]["reason"] == "work waits"
    assert answer["checks"]["outbox"]["oldest_due_seconds"] >= 11 * 60
    assert [name for name, state in states(answer).items() if state != "ok"] == ["outbox"]


@pytest.mark.django_db
def test_not_ready_when_beat_has_been_silent_too_long(client):
    cache.set(BEAT_HEARTBEAT_KEY, time.time() - 10 * 60, timeout=None)
    status, answer = readiness(client)
    assert status == 503
    assert answer["checks"]["beat"]["reason"] == "heartbeat too old"
    assert answer["checks"]["beat"]["seconds_since_heartbeat"] >= 600


@pytest.mark.django_db
def test_the_healthcheck_command_fails_on_what_fails(capsys):
    with pytest.raises(CommandError, match="failing: beat"):
        call_command("healthcheck", "beat")
    assert json.loads(capsys.readouterr().out)["checks"]["beat"]["state"] == "failing"
    record_beat_heartbeat()
    call_command("healthcheck", "beat", "database")
    assert json.loads(capsys.readouterr().out)["status"] == "ok"
    with pytest.raises(CommandError, match="no such check: disk"):
        call_command("healthcheck", "disk")
