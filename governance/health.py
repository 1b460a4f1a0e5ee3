"""Health checks for the container runtime, the load balancer and monitoring.

/healthz/ says the process answers and touches nothing else (liveness). /readyz/ checks what the
portal needs to do its work: the database, the cache, the Celery broker, an outbox that is being
emptied, and beat's heartbeat. Each check has a short timeout. The answer is public: it names
each check and its state, never a host, a URL or an error's text (those go to the log).
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_KEY = "health:beat-heartbeat"
# Beat records its heartbeat at least this often, however far off its next task is.
BEAT_TICK_SECONDS = 30
# A broker that accepts the connection but does not answer is given this long.
BROKER_SOCKET_TIMEOUT = 2


class CheckFailed(Exception):
    """A check that reached its service but did not like the answer; details are public."""

    def __init__(self, reason: str, **details: object):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def record_beat_heartbeat() -> None:
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's usual scheduler, which also leaves a heartbeat for /readyz/ on each tick."""

    def tick(self, *args, **kwargs):
        seconds_to_next_tick = super().tick(*args, **kwargs)
        record_beat_heartbeat()
        return min(seconds_to_next_tick, BEAT_TICK_SECONDS)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_cache() -> dict:
    # The Redis cache forgives an unreachable Redis (a read is a miss), so write and read back;
    # a key of its own keeps two web processes' probes apart.
    key = f"health:probe:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise CheckFailed("not read back")
    cache.delete(key)
    return {}


def check_broker() -> dict:
    from .celery import app

    options = {**app.conf.broker_transport_options, "socket_timeout": BROKER_SOCKET_TIMEOUT}
    # The URL from the settings, so a check sees what the worker and beat are configured with.
    with app.connection_for_write(settings.CELERY_BROKER_URL, transport_options=options) as broker:
        broker.ensure_connection(max_retries=0)  # one try, within broker_connection_timeout
    return {}


def check_outbox() -> dict:
    from .models import OutboxMessage

    now = timezone.now()
    oldest_due = (
        OutboxMessage.objects.filter(done_at=None, failed_at=None, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    seconds = 0 if oldest_due is None else round((now - oldest_due).total_seconds())
    if seconds > settings.HEALTH_OUTBOX_LAG_SECONDS:
        raise CheckFailed("work waits", oldest_due_seconds=seconds)
    return {"oldest_due_seconds": seconds}


def check_beat() -> dict:
    heartbeat = cache.get(BEAT_HEARTBEAT_KEY)
    if heartbeat is None:
        raise CheckFailed("no heartbeat")
    seconds = round(time.time() - heartbeat)
    if seconds > settings.HEALTH_BEAT_SECONDS:
        raise CheckFailed("heartbeat too old", seconds_since_heartbeat=seconds)
    return {"seconds_since_heartbeat": seconds}


# name -> (check, the check whose failure makes this one's answer meaningless)
CHECKS: dict[str, tuple[Callable[[], dict], str | None]] = {
    "database": (check_database, None),
    "cache": (check_cache, None),
    "broker": (check_broker, None),
    "outbox": (check_outbox, "database"),
    "beat": (check_beat, "cache"),
}


def run_checks(names: list[str] | None = None) -> dict[str, Any]:
    """Run the named checks (all by default): {"status": "ok" or "failing", "checks": {...}}."""
    results: dict[str, dict[str, Any]] = {}
    for name in names or CHECKS:
        check, needs = CHECKS[name]
        if needs in results and results[needs]["state"] != "ok":
            results[name] = {"state": "failing", "reason": f"{needs} failing"}
            continue
        started = time.monotonic()
        try:
            details = check()
        except CheckFailed as failure:
            logger.warning("Readiness check %s failed: %s", name, failure.reason)
            results[name] = {"state": "failing", "reason": failure.reason, **failure.details}
            continue
        except Exception as error:  # any failure of the service is the check's answer
            logger.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = {"state": "failing", "reason": type(error).__name__}
            continue
        milliseconds = round((time.monotonic() - started) * 1000)
        results[name] = {"state": "ok", "ms": milliseconds, **details}
    failing = any(result["state"] != "ok" for result in results.values())
    return {"status": "failing" if failing else "ok", "checks": results}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers requests. Touches no database, cache or session."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every check passes, 503 naming the failing ones otherwise."""
    result = run_checks()
    response = JsonResponse(result, status=200 if result["status"] == "ok" else 503)
    # A 503 here is an answer, not a server error: each failing check is already logged as a
    # warning; Django would add an ERROR line (and a Sentry event) for every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
