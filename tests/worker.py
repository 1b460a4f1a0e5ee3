"""Real Celery workers for tests: a worker process on the test database, over real Redis."""

import os
import socket
import subprocess
import sys
import time

import pytest
from celery import Celery
from django.conf import settings

from governance.celery import app


def database_url_for_workers():
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def start_worker(log_path, queue=None, broker_url=None, **env):
    """A real `celery worker` process on the test database (or env's DATABASE_URL), reading one
    queue of the tests' broker (or of broker_url)."""
    broker_url = broker_url or settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
        "CELERY_BROKER_URL": broker_url,
        **env,
    }
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
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
                queue,
                "--pool",
                "solo",
                "--hostname",
                f"{queue}-{os.getpid()}@%h",
                "--loglevel",
                "INFO",
                # Alone on its queue: asking for neighbours only costs a second at start.
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    with on_broker(broker_url) as broker:
        while not broker.control.ping(
            destination=[f"{queue}-{os.getpid()}@{socket.gethostname()}"], timeout=0.5
        ):
            if worker.poll() is not None or time.monotonic() > deadline:
                worker.kill()
                worker.wait()
                pytest.fail(f"The Celery worker did not start:\n{log_path.read_text()}")
    return worker


def on_broker(broker_url):
    """A Celery app on the given broker (the tests' own, or another), to ping workers and send
    tasks by name; use it as a context manager, which closes its connections."""
    # Celery lets CELERY_BROKER_URL in the environment win over broker_url; these two it doesn't.
    return Celery(
        "governance",
        set_as_current=False,
        config_source={
            "broker_read_url": broker_url,
            "broker_write_url": broker_url,
            "task_default_queue": settings.CELERY_TASK_DEFAULT_QUEUE,
        },
    )


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def wait_until_quiet(queue=None, seconds=30):
    """Until the workers run, hold and have queued nothing, twice in a row: then the test
    database can be flushed without a task writing into it."""
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    deadline = time.monotonic() + seconds
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=1, limit=1)  # one worker: answer as it replies
        busy = [*(inspect.active() or {}).values(), *(inspect.reserved() or {}).values()]
        with app.connection_for_write() as broker:
            queued = broker.default_channel.client.llen(queue)
        quiet = quiet + 1 if not any(busy) and not queued else 0
        time.sleep(0.2)
