"""Sessions end after eight idle hours (and with the browser): the next page asks to sign in
and comes back afterwards; an htmx request sends the whole page there instead of swapping
the sign-in form into a fragment."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from governance.models import Level, RoleHolder

# The add-a-role-holder form of the operational level, as the contract page posts it.
NEW_HOLDER = {
    "operational-side": "buyer",
    "operational-role_title": "Deputy",
    "operational-name": "Ny Person",
    "operational-email": "ny@city.example",
}


@pytest.fixture
def signed_in(client, procurement):
    client.force_login(procurement)
    return client


def idle_past_the_session_age():
    """Every session's last activity moves back past SESSION_COOKIE_AGE."""
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def test_each_request_keeps_the_session_for_eight_more_hours_until_the_browser_closes(signed_in):
    response = signed_in.get("/contracts/")
    assert response.status_code == 200
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert timedelta(hours=8) - timedelta(minutes=1) < remaining <= timedelta(hours=8)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie


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
        NEW_HOLDER,
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
