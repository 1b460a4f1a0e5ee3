"""What a newcomer sees of `make run`: a taken port said in one line before anything else runs,
a log of one line per event, and the portal's own error pages (DEBUG off)."""

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from tests.drills.processes import ROOT


def run_make(*arguments):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "--no-print-directory", *arguments],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_taken_port_is_said_in_one_line_before_anything_runs():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        finished = run_make("run", f"PORT={port}")
    assert time.monotonic() - started < 10  # no uv sync, no migrations, no worker
    assert finished.returncode != 0
    assert finished.stdout == ""
    (line,) = finished.stderr.splitlines()
    assert f"Port {port} on 127.0.0.1 is taken" in line
    assert re.search(r"`make run PORT=\d+`", line), line


def test_a_port_that_is_no_number_is_refused_in_one_line():
    finished = run_make("run", "PORT=eighty")
    assert finished.returncode != 0
    (line,) = finished.stderr.splitlines()
    assert "PORT must be a port number" in line


def run_demo_settings(script, tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "REDIS_URL", "CELERY_BROKER_URL", "LOG_FORMAT"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="governance.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        **env,
    )
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", "import django; django.setup()\n" + textwrap.dedent(script)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARNING|ERROR) +[\w.]+: .+$")

MISSING_PAGE = """
    from django.test import Client

    response = Client(HTTP_HOST="127.0.0.1").get("/no-such-page/")
    print(response.status_code, "Det finns inget här" in response.content.decode())
    """


def test_the_demo_shows_the_portals_own_error_pages_and_logs_each_event_once(tmp_path):
    finished = run_demo_settings(MISSING_PAGE, tmp_path)
    assert finished.returncode == 0, finished.stderr
    # The portal's own page, in Swedish (the demo's language), not Django's list of every URL.
    assert finished.stdout.split() == ["404", "True"]
    assert finished.stderr.splitlines() == [
        line for line in finished.stderr.splitlines() if LOG_LINE.match(line)
    ]
    assert [line.split(" ", 2)[2] for line in finished.stderr.splitlines()] == [
        "WARNING django.request: Not Found: /no-such-page/"
    ]


def test_a_developer_still_gets_djangos_debug_pages_and_no_line_twice(tmp_path):
    finished = run_demo_settings(MISSING_PAGE, tmp_path, DJANGO_DEBUG="1")
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split() == ["404", "False"]  # the technical page
    # Django's own handler used to print django.* lines a second time when DEBUG was on.
    assert [line.split(" ", 2)[2] for line in finished.stderr.splitlines()] == [
        "WARNING django.request: Not Found: /no-such-page/"
    ]
