"""Sessions end after eight idle hours (and with the browser): the next page asks to sign in
and comes back afterwards; an htmx request sends the whole page there instead of swapping
the sign-in form into a fragment. Pages read the session from the cache and move its eight
hours on at most once a minute, so a page does not write the database for it; with Redis
away the database answers."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Level, RoleHolder
from tests.factories import PASSWORD, city_person
from tests.helpers import give_code
from tests.sessions import as_if_last_saved, idle_past_the_session_age


def new_holder():
    """The add-a-role-holder form of the operational level, as the contract page posts it:
    Ny Person of the city's staff as Deputy."""
    person = city_person("ny@city.example", "Ny", "Person")
    return {"operational-person": f"user-{person.pk}", "operational-role_title": "Deputy"}


EIGHT_HOURS = timedelta(hours=8)
# A Redis that is not there: nothing listens on port 1.
REDIS_AWAY = {
    "default": {
        "BACKEND": "governance.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def signed_in(client, procurement):
    client.force_login(procurement)
    return client


def time_left():
    """How long the (only) session lasts if nobody uses it from now on."""
    return Session.objects.get().expire_date - timezone.now()


def session_queries(queries):
    return [query["sql"] for query in queries if "django_session" in query["sql"]]


def test_signing_in_gives_a_browser_session_cookie_for_eight_idle_hours(client, procurement):
    response = client.post("/login/", {"username": procurement.email, "password": PASSWORD})
    assert response.status_code == 302
    assert give_code(client, procurement).status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert EIGHT_HOURS - timedelta(minutes=1) < time_left() <= EIGHT_HOURS
    assert client.get("/contracts/").status_code == 200


def test_a_session_used_a_minute_ago_is_kept_and_has_eight_hours_again(signed_in):
    as_if_last_saved(timedelta(minutes=1, seconds=1))
    assert time_left() < EIGHT_HOURS - timedelta(minutes=1)
    response = signed_in.get("/contracts/")
    assert response.status_code == 200
    assert EIGHT_HOURS - timedelta(minutes=1) < time_left() <= EIGHT_HOURS


def test_a_session_idle_for_eight_hours_and_a_minute_is_gone(signed_in):
    as_if_last_saved(EIGHT_HOURS + timedelta(minutes=1))
    response = signed_in.get("/contracts/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contracts/"


def test_pages_within_a_minute_neither_write_nor_read_the_session_in_the_database(signed_in):
    as_if_last_saved(timedelta(seconds=30))
    expiry = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get("/contracts/").status_code == 200
        assert signed_in.get("/dashboard/").status_code == 200
    assert session_queries(queries) == []  # no UPDATE, and the cache answered the reads
    assert Session.objects.get().expire_date == expiry


@override_settings(CACHES=REDIS_AWAY)
def test_with_redis_away_sessions_are_read_from_the_database_and_still_end(client, procurement):
    response = client.post("/login/", {"username": procurement.email, "password": PASSWORD})
    assert response.status_code == 302
    assert give_code(client, procurement).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/contracts/").status_code == 200
    assert [sql.split()[0] for sql in session_queries(queries)] == ["SELECT"]

    as_if_last_saved(timedelta(minutes=2))
    assert client.get("/contracts/").status_code == 200
    assert EIGHT_HOURS - timedelta(minutes=1) < time_left() <= EIGHT_HOURS

    idle_past_the_session_age()
    assert client.get("/contracts/")["Location"] == "/login/?next=/contracts/"


def test_an_expired_session_asks_to_sign_in_and_comes_back_to_the_page(signed_in, contract_a):
    idle_past_the_session_age()
    response = signed_in.get(f"/contracts/{contract_a.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/contracts/{contract_a.pk}/"
    assert "Sign in" in signed_in.get(response["Location"]).text


def test_an_htmx_request_with_an_expired_session_sends_the_whole_page_to_sign_in(
    signed_in, contract_a
):
    page = f"http://testserver/contracts/{contract_a.pk}/"
    idle_past_the_session_age()
    response = signed_in.get(
        f"/contracts/{contract_a.pk}/levels/operational/mandate/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/login/?next=/contracts/{contract_a.pk}/"
    assert response.content == b""  # nothing for htmx to swap into the fragment


def test_an_htmx_change_with_an_expired_session_saves_nothing_and_returns_to_the_page(
    signed_in, contract_a
):
    page = f"http://testserver/contracts/{contract_a.pk}/"
    idle_past_the_session_age()
    response = signed_in.post(
        f"/contracts/{contract_a.pk}/levels/{Level.OPERATIONAL}/holders/",
        new_holder(),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    assert response["HX-Redirect"] == f"/login/?next=/contracts/{contract_a.pk}/"
    assert not RoleHolder.objects.filter(name="Ny Person").exists()


def test_htmx_polling_without_a_page_address_returns_to_what_it_polled(signed_in):
    idle_past_the_session_age()
    response = signed_in.get("/contracts/?q=A-0", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/login/?next=/contracts/%3Fq%3DA-0"


def test_a_signed_in_htmx_request_still_gets_its_fragment(signed_in, contract_a):
    response = signed_in.get("/contracts/?q=A-0", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "A-001" in response.text
    assert "<html" not in response.text
