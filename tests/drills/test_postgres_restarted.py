"""Drill: PostgreSQL restarts while signed-in users load pages and write comments.

gunicorn serves the portal from a private cluster; a few threads request pages and post
comments through HTTP with their session cookies while the cluster restarts (pg_ctl restart
-m fast), once under load and once while the load pauses. Answers during the first restart may
fail, as a 503 that asks to try again in a moment, never a 500; once the cluster is up again
every answer is a 200, still signed in (CONN_HEALTH_CHECKS replaces the idle connections the
second restart cut), and every comment the portal acknowledged is in the database.
"""

import threading
import time
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.urls import reverse

from tests.worker import wait_for

from .processes import Browser, run_script

pytestmark = pytest.mark.drill

THREADS = 4


@dataclass
class Load:
    """Each thread's answers: (started, finished, status, what); comments acknowledged, with
    the time they were. The threads request while `running` is set."""

    answers: list = field(default_factory=list)
    acknowledged: list = field(default_factory=list)
    running: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pause(self):
        """Until no request is under way: then the portal's connections sit idle."""
        self.running.clear()
        assert wait_for(lambda: self.in_flight == 0)


def keep_busy(browser, number, paths, comment_path, load):
    count = 0
    while not load.stop.is_set():
        if not load.running.wait(timeout=0.1):
            continue
        with load.lock:
            load.in_flight += 1
        count += 1
        started = time.monotonic()
        if count % 3 == 0:
            text = f"Comment {number}-{count}"
            status, _body, headers = browser.post(comment_path, {"body": text})
            what = f"POST {comment_path}"
            # Saved: the browser is sent back to the comments (not to sign in).
            succeeded = status == 302 and headers.get("Location", "").endswith("#comments")
        else:
            path = paths[count % len(paths)]
            status, _body, _headers = browser.get(path)
            what = f"GET {path}"
            succeeded = status == 200
        finished = time.monotonic()
        with load.lock:
            load.in_flight -= 1
            load.answers.append((started, finished, status, what, succeeded))
            if what.startswith("POST") and succeeded:
                load.acknowledged.append((finished, text))


def test_restarting_postgres_under_load_loses_nothing(
    cluster_database, private_cluster, start_gunicorn
):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # connections outlive requests
    world = run_script(cluster_database, "seed_minutes", users=THREADS)
    portal = start_gunicorn(cluster_database, workers=3)
    browsers = [
        Browser(portal.base_url).log_in(user["email"], world["password"], user["authenticator"])
        for user in world["users"]
    ]
    paths = [
        reverse("portal:meeting_detail", args=[world["meeting"]]),
        reverse("meetings:minutes_detail", args=[world["minutes"]]),
        reverse("portal:contract_detail", args=[world["contract"]]),
        reverse("portal:dashboard"),
    ]
    comment_path = reverse("meetings:comment_add", args=[world["minutes"]])
    load = Load()
    threads = [
        threading.Thread(target=keep_busy, args=(browser, number, paths, comment_path, load))
        for number, browser in enumerate(browsers)
    ]
    load.running.set()
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        # Under load: requests in flight fail, and their connections with them.
        restart_began = time.monotonic()
        private_cluster.restart()
        back = time.monotonic()
        time.sleep(2)
        # Idle: each gunicorn worker keeps a connection (CONN_MAX_AGE) the restart cuts; only
        # the health check at its next request notices.
        load.pause()
        private_cluster.restart()
        load.running.set()
        time.sleep(2)
    finally:
        load.stop.set()
        load.running.set()
        for thread in threads:
            thread.join(timeout=60)

    before = [answer for answer in load.answers if answer[1] < restart_began]
    during = [answer for answer in load.answers if restart_began <= answer[1] and answer[0] <= back]
    # While the database is away the portal says so (503, try again), never a server error.
    assert {answer[2] for answer in during} <= {200, 302, 503}, during
    after = [answer for answer in load.answers if answer[0] > back]
    assert len(before) > 10 and len(after) > 10, (len(before), len(after))
    assert [answer for answer in before if not answer[4]] == []
    # Below 500, and in fact each page and comment as before: still signed in, as sessions
    # live in the database.
    failed_after = [answer for answer in after if not answer[4]]
    assert not failed_after, f"{failed_after}\n{portal.log()}"

    # Every comment the portal acknowledged, before or after the restart, is in the database.
    rows = private_cluster.execute("SELECT body FROM meetings_minutescomment", on=cluster_database)
    stored = {body for (body,) in rows}
    acknowledged = {text for _finished, text in load.acknowledged}
    assert acknowledged <= stored
    assert any(finished < restart_began for finished, _text in load.acknowledged)
