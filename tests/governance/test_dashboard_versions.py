"""The dashboard's figures are shared by everyone who sees the portfolio and kept under the
version of their data: a change shows on the next look, without Refresh, while a crowd of
looks at a version nobody has worked out yet works it out once."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from escalations.services import raise_issue
from operations.services import record_measurement
from portal import dashboard
from relationship.services import add_city_goal
from tests.factories import fill_governance, make_contract, make_service_level, make_supplier
from tests.helpers import squashed

pytestmark = pytest.mark.django_db


def _page(client, query=""):
    response = client.get(reverse("portal:dashboard") + query)
    assert response.status_code == 200
    return squashed(response.content.decode())


def _open_at_operational(count):
    return f"<strong>{count}</strong>open at operational level"


def _figures_time(page):
    return page.split("Figures as of ", 1)[1][:8]


@pytest.fixture
def cleared():
    cache.clear()
    yield
    cache.clear()


@override_settings(DASHBOARD_CACHE_SECONDS=60)
def test_a_change_shows_on_the_next_look_without_refresh(
    cleared, procurement, director, client_for
):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    service_level = make_service_level(contract)
    client = client_for(director)
    first = _page(client)
    assert _open_at_operational(0) in first

    # Nothing changed: another member of the city's staff gets the same figures, of that time.
    again = _page(client_for(procurement))
    assert _figures_time(again) == _figures_time(first)

    raise_issue(
        title="Backups fail",
        contracts=[contract],
        owner_name="Ola",
        owner_organisation="Alpha",
        by=procurement,
    )
    assert _open_at_operational(1) in _page(client)

    # A figure that misses its target raises an operational issue: on the next look too.
    record_measurement(
        service_level=service_level,
        period_start=timezone.localdate().replace(day=1),
        value=Decimal("97.0"),
        by=procurement,
    )
    assert _open_at_operational(2) in _page(client_for(procurement))

    add_city_goal(
        title="All services digital first", description="", target_date=None, by=procurement
    )
    assert "All services digital first" in _page(client)


@override_settings(DASHBOARD_CACHE_SECONDS=1)
def test_figures_older_than_the_setting_are_worked_out_again_by_one_visitor(
    cleared, procurement, director, client_for
):
    fill_governance(make_contract(make_supplier(), status="active"))
    client = client_for(director)
    first = _page(client)
    time.sleep(1.1)  # the figures are now older than DASHBOARD_CACHE_SECONDS

    # Someone else is already working them out again: this visitor is not kept waiting and is
    # shown the figures kept for this version, which say how old they are.
    with translation.override("en"):
        lock = f"{dashboard.page_key(show_all=False)}:recomputing"
    assert cache.add(lock, 1, timeout=60)
    assert _figures_time(_page(client_for(procurement))) == _figures_time(first)

    # That visitor finished (or gave up): the next one works them out again.
    cache.delete(lock)
    assert _figures_time(_page(client)) != _figures_time(first)
    assert cache.get(lock) is None


@override_settings(DASHBOARD_CACHE_SECONDS=60)
def test_while_another_works_out_a_new_version_a_look_waits_briefly_then_sees_the_previous(
    cleared, procurement, director, client_for, monkeypatch
):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    client = client_for(director)
    assert _open_at_operational(0) in _page(client)
    raise_issue(
        title="Backups fail",
        contracts=[contract],
        owner_name="Ola",
        owner_organisation="Alpha",
        by=procurement,
    )
    with translation.override("en"):
        lock = f"{dashboard.page_key(show_all=False)}:recomputing"
    assert cache.add(lock, 1, timeout=60)  # another request is at the new version
    monkeypatch.setattr(dashboard, "WAIT_SECONDS", 0.3)
    started = time.monotonic()
    assert _open_at_operational(0) in _page(client_for(procurement))
    assert time.monotonic() - started >= 0.3
    cache.delete(lock)
    assert _open_at_operational(1) in _page(client)


@pytest.mark.django_db(transaction=True)
@override_settings(DASHBOARD_CACHE_SECONDS=60)
def test_a_crowd_looking_at_a_new_version_works_it_out_once(cleared, procurement, monkeypatch):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    raise_issue(
        title="Backups fail",
        contracts=[contract],
        owner_name="Ola",
        owner_organisation="Alpha",
        by=procurement,
    )
    renders = []
    render = dashboard._render_dashboard

    def counted(*args, **kwargs):
        renders.append(1)
        time.sleep(0.3)  # a slow recompute: the others arrive while it runs
        return render(*args, **kwargs)

    monkeypatch.setattr(dashboard, "_render_dashboard", counted)
    crowd = 6
    start = threading.Barrier(crowd)
    shown = []

    def look():
        try:
            with translation.override("en"):
                start.wait()
                shown.append(str(dashboard.dashboard_html()[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=look) for _ in range(crowd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert len(shown) == crowd
    assert all(_open_at_operational(1) in squashed(html) for html in shown)


REDIS_AWAY = {
    "default": {
        "BACKEND": "governance.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
    }
}


@override_settings(DASHBOARD_CACHE_SECONDS=60, CACHES=REDIS_AWAY)
def test_without_redis_a_look_works_the_figures_out_without_waiting(procurement):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    raise_issue(
        title="Backups fail",
        contracts=[contract],
        owner_name="Ola",
        owner_organisation="Alpha",
        by=procurement,
    )
    started = time.monotonic()
    with translation.override("en"):
        html, _made_at = dashboard.dashboard_html()
    assert time.monotonic() - started < dashboard.WAIT_SECONDS
    assert _open_at_operational(1) in squashed(html)
