"""Signing in: five wrong passwords for one e-mail address from one address lock that pair out
for a while, with a page that says until when; others are not affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from governance.models import Role
from tests.factories import PASSWORD, make_user
from tests.helpers import give_code

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def anna(db):
    return make_user(Role.PROCUREMENT, email="anna.lind@city.example")


def sign_in(client, email, password, address="192.0.2.10", **headers):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, email, times, address="192.0.2.10"):
    for _attempt in range(times):
        response = sign_in(client, email, "not the password", address)
    return response


def signed_in_as(client):
    """Who the client is signed in as, after the code page if the password led there."""
    response = client.get("/dashboard/")
    if response.status_code == 302 and response["Location"].startswith("/mfa/"):
        give_code(client, response.wsgi_request.user)
        response = client.get("/dashboard/")
    return response.status_code == 200 and response.wsgi_request.user.email


def wait_out_the_cool_off():
    """Move the recorded attempts back by the cool-off, as if the person waited."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)


def test_wrong_passwords_lock_out_even_the_right_one_with_a_page_saying_until_when(client, anna):
    response = fail(client, anna.email, LIMIT - 1)
    assert response.status_code == 200
    assert "correct e-mail" in response.text.lower()  # the form's own error, no lockout yet

    response = sign_in(client, anna.email, "not the password")
    assert response.status_code == 429

    before = timezone.localtime()
    response = sign_in(client, anna.email, PASSWORD)
    after = timezone.localtime()
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.text
    assert "paused for 15 minutes" in response.text
    waits = {(moment + timedelta(minutes=15)).strftime("%H:%M") for moment in (before, after)}
    assert any(f"Try again after {until}" in response.text for until in waits)
    assert response["Retry-After"] == "900"
    assert 'class="topbar"' in response.text  # in the site's layout
    assert signed_in_as(client) is False


def test_after_the_cool_off_the_right_password_works_and_the_count_starts_over(client, anna):
    fail(client, anna.email, LIMIT)
    assert sign_in(client, anna.email, PASSWORD).status_code == 429

    wait_out_the_cool_off()
    response = sign_in(client, anna.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == anna.email

    # Success cleared the count: the next wrong password is an ordinary mistake again.
    client.logout()
    assert fail(client, anna.email, 1).status_code == 200
    assert sign_in(client, anna.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, anna):
    fail(client, anna.email, LIMIT - 1)
    assert sign_in(client, anna.email, PASSWORD).status_code == 302
    client.logout()
    response = fail(client, anna.email, LIMIT - 1)
    assert response.status_code == 200
    assert sign_in(client, anna.email, PASSWORD).status_code == 302


def test_another_person_on_the_same_network_is_not_locked_out(client, anna):
    erik = make_user(Role.PROCUREMENT, email="erik.berg@city.example")
    fail(client, anna.email, LIMIT)

    assert sign_in(client, erik.email, PASSWORD).status_code == 302
    assert signed_in_as(client) == erik.email


def test_the_same_person_from_another_address_is_not_locked_out(client, anna):
    fail(client, anna.email, LIMIT, address="192.0.2.10")
    assert sign_in(client, anna.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_capital_letters_in_the_address_count_as_the_same_person(client, anna):
    fail(client, anna.email, LIMIT - 1)
    assert sign_in(client, "Anna.Lind@City.Example", "wrong").status_code == 429
    assert sign_in(client, anna.email, PASSWORD).status_code == 429


def test_the_admin_sign_in_is_locked_too(client, anna):
    fail(client, anna.email, LIMIT)
    response = client.post(
        "/admin/login/",
        {"username": anna.email, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.text


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXIES=["10.0.0.2"])
def test_behind_the_proxy_each_client_address_counts_and_a_forged_one_does_not_help(client, anna):
    proxy = "10.0.0.2"
    for forged in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"]:
        response = sign_in(
            client, anna.email, "wrong", proxy, HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.20"
        )
    assert response.status_code == 429  # the proxy-appended address is the one counted

    colleague = sign_in(client, anna.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert colleague.status_code == 302  # Anna at another desk, behind the same proxy


def test_a_lookalike_address_is_another_address(client, anna):
    """Exact, normalised addresses: a dotless i (which PostgreSQL's UPPER() makes an I) does
    not sign in as anna, nor give a guesser five more tries at her password."""
    lookalike = "anna.lind@c\u0131ty.example"
    assert sign_in(client, lookalike, PASSWORD).status_code == 200
    assert signed_in_as(client) is False
    fail(client, "anna.lind@city.example", LIMIT)
    assert sign_in(client, lookalike, PASSWORD).status_code in (200, 429)
    assert signed_in_as(client) is False


def test_the_same_address_in_any_case_or_spacing_is_the_same_person(client, anna):
    sign_in(client, "  Anna.Lind@CITY.example ", PASSWORD)
    assert signed_in_as(client) == "anna.lind@city.example"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXIES=["10.0.0.0/24"])
def test_around_the_proxy_a_forwarded_address_is_not_believed(client, anna):
    """Straight to gunicorn (not from the proxy's address): thirty tries, each claiming another
    address, are one address's tries, locked after five; and claiming anna's address does not
    lock anna out."""
    attacker = "192.0.2.66"
    statuses = [
        sign_in(
            client, anna.email, "wrong", attacker, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"
        ).status_code
        for number in range(30)
    ]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}  # the fifth wrong one locks

    anna_at_her_desk = "198.51.100.7"
    for _attempt in range(LIMIT):
        sign_in(client, anna.email, "wrong", attacker, HTTP_X_FORWARDED_FOR=anna_at_her_desk)
    through_proxy = sign_in(
        client, anna.email, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR=anna_at_her_desk
    )
    assert through_proxy.status_code == 302
