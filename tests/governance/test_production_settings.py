"""governance.settings.production as the containers load it, each in a process of its own: error
reports to Sentry only when SENTRY_DSN is set (and without the people's data), one JSON object
per log line, and the health URLs answering over plain HTTP behind the redirect to HTTPS."""

import gzip
import json
import os
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from django.conf import settings

from tests.drills.processes import ROOT, free_port, stop
from tests.worker import database_url_for_workers, wait_for

SESSION_COOKIE = "sessionid=a-session-key-that-must-not-leave-the-portal"


def production_env(**env):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings.production",
        "DJANGO_SECRET_KEY": "production-settings-test-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example",
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SENTRY_DSN": "",
        "LOG_FORMAT": "json",
        **env,
    }


def run_production(script, **env):
    """Run a Python script under the production settings; returns the finished process."""
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", "import django; django.setup()\n" + textwrap.dedent(script)],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def get(port, path, **headers):
    """GET as the TLS proxy in front passes a request on: (status, body)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "portal.example", "X-Forwarded-Proto": "https", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return None, b""


class SentryStandIn(ThreadingHTTPServer):
    """Receives what the Sentry SDK sends (envelopes), as sentry.io would."""

    def __init__(self):
        self.envelopes = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                encoding = handler.headers.get("Content-Encoding")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    body = brotli.decompress(body)
                self.envelopes.append((handler.path, body.decode()))
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def events(self):
        """The error events received: each envelope's items of type "event"."""
        found = []
        for _path, envelope in self.envelopes:
            lines = envelope.splitlines()
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


@pytest.fixture
def sentry():
    server = SentryStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_error_reaches_sentry_without_the_persons_data(sentry, tmp_path):
    # gunicorn as the web container runs it; the database is away (nothing listens on its
    # port), so a signed-in person's page fails.
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/portal",
        SENTRY_DSN=f"http://public-key@127.0.0.1:{sentry.server_address[1]}/1",
    )
    with open(log, "w") as output:
        server = subprocess.Popen(  # noqa: S603 - the portal itself
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: get(port, "/healthz/")[0] == 200, seconds=60), log.read_text()
        status, _body = get(port, "/contracts/", Cookie=SESSION_COOKIE)
        assert wait_for(sentry.events, seconds=20), log.read_text()
    finally:
        stop(server)
    assert status == 503  # "back in a moment", not a 500
    assert {path for path, _body in sentry.envelopes} == {"/api/1/envelope/"}
    events = sentry.events()
    # The view (reading the person) and the session middleware (reading the session for its
    # cookie) each meet the database error: one event each.
    assert events
    for event in events:
        assert [value["type"] for value in event["exception"]["values"]][-1] == "OperationalError"
        assert event["request"]["url"] == "https://portal.example/contracts/"
        assert event["environment"] == "production"
        assert "ip_address" not in event.get("user", {})
    received = "".join(body for _path, body in sentry.envelopes)
    assert SESSION_COOKIE.split("=")[1] not in received
    # gunicorn's own lines and the portal's, one JSON object each.
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert {"gunicorn.error", "django.request"} <= {line["logger"] for line in lines}


def test_without_a_sentry_dsn_nothing_is_sent_and_logs_are_json_lines():
    finished = run_production(
        """
        import logging
        import sentry_sdk

        print("sentry active:", sentry_sdk.get_client().is_active())
        logger = logging.getLogger("governance.example")
        logger.warning("Broker unavailable; the outbox relay will pick the work up later.")
        try:
            1 / 0
        except ZeroDivisionError:
            logger.exception("Outbox message %s failed", "mail:42")
        """
    )
    assert finished.returncode == 0, finished.stderr
    assert "sentry active: False" in finished.stdout
    lines = [json.loads(line) for line in finished.stderr.splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("WARNING", "governance.example"),
        ("ERROR", "governance.example"),
    ]
    warning, error = lines
    assert warning["message"].startswith("Broker unavailable")
    assert "exception" not in warning
    assert error["message"] == "Outbox message mail:42 failed"
    assert "ZeroDivisionError: division by zero" in error["exception"]
    assert {"time", "level", "logger", "message"} <= warning.keys()
    assert warning["time"].startswith("20")  # ISO 8601


@pytest.mark.django_db
def test_health_urls_answer_plain_http_while_pages_redirect_to_https():
    finished = run_production(
        """
        from django.test import Client

        client = Client(HTTP_HOST="portal.example")
        for path in ("/healthz/", "/readyz/", "/login/"):
            response = client.get(path)
            print(path, response.status_code, response.get("Location", "-"))
        """
    )
    assert finished.returncode == 0, finished.stderr
    answers = dict(
        (path, (status, location))
        for path, status, location in (line.split() for line in finished.stdout.splitlines())
    )
    assert answers["/healthz/"] == ("200", "-")
    # Not ready (no beat runs in the tests), but answered, not redirected.
    assert answers["/readyz/"] == ("503", "-")
    assert answers["/login/"] == ("301", "https://portal.example/login/")
