"""Two-factor sign-in: the city's staff give their authenticator's code after the password
before any page opens; a recovery code works once; a stolen password alone neither passes nor
sets up a new phone; procurement staff reset a lost phone on the People page."""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import AccessEvent, AccessEventKind, Role
from governance.passwords import DEMO_AUTHENTICATOR_KEY
from tests.factories import PASSWORD, make_user
from tests.helpers import authenticator_code

pytestmark = pytest.mark.django_db


def password_only(client, user):
    """Signed in with the password through the page, the code not yet given."""
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def kinds(user):
    return list(
        AccessEvent.objects.filter(person=user).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_after_the_password_every_page_asks_for_the_code_first(client, procurement, contract_a):
    password_only(client, procurement)

    response = client.get(f"/contracts/{contract_a.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/mfa/?next=/contracts/{contract_a.pk}/"
    # htmx moves the whole page there rather than swapping the code page into a section.
    response = client.get("/contracts/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/mfa/")
    assert client.post("/account/recovery-codes/").status_code == 302  # no new codes either

    page = client.get("/mfa/")
    assert "six-digit code" in page.text
    assert 'href="/people/"' not in page.text  # no menu before the code

    response = client.post("/mfa/", {"code": "000000", "next": "/contracts/"})
    assert response.status_code == 200
    assert "That code is not right" in response.text
    time.sleep(1.1)  # after a wrong code, django-otp takes the next a second later

    response = client.post(
        "/mfa/", {"code": authenticator_code(procurement), "next": "/suppliers/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/suppliers/"
    assert client.get(f"/contracts/{contract_a.pk}/").status_code == 200
    assert kinds(procurement) == [
        AccessEventKind.SIGNED_IN,
        AccessEventKind.MFA_FAILED,
    ]


def test_a_code_works_once(client, procurement):
    code = authenticator_code(procurement)
    password_only(client, procurement)
    assert client.post("/mfa/", {"code": code}).status_code == 302
    client.logout()

    password_only(client, procurement)
    response = client.post("/mfa/", {"code": code})
    assert response.status_code == 200
    assert client.get("/contracts/").status_code == 302


def test_the_code_page_only_sends_on_within_the_portal(client, procurement):
    password_only(client, procurement)
    code = authenticator_code(procurement)
    response = client.post("/mfa/", {"code": code, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_codes_make_the_next_try_wait(client, procurement):
    """django-otp doubles the wait after each wrong code it checked: four so far, 8 seconds."""
    password_only(client, procurement)
    for failures in range(1, 5):
        client.post("/mfa/", {"code": "000000"})
        TOTPDevice.objects.filter(user=procurement).update(  # as if the person waited
            throttling_failure_timestamp=timezone.now() - timedelta(seconds=2**failures)
        )
    TOTPDevice.objects.filter(user=procurement).update(throttling_failure_timestamp=timezone.now())
    # Even the right code waits its turn.
    response = client.post("/mfa/", {"code": authenticator_code(procurement)})
    assert "Too many wrong codes: try again in 8 seconds" in response.text
    assert kinds(procurement).count(AccessEventKind.MFA_FAILED) == 5


def test_a_new_officer_sets_the_app_up_and_gets_recovery_codes(client):
    officer = make_user(Role.PROCUREMENT, email="ny@city.example")
    TOTPDevice.objects.filter(user=officer).delete()  # as a new account has none
    password_only(client, officer)

    response = client.get("/contracts/")
    assert response["Location"] == "/mfa/setup/?next=/contracts/"
    page = client.get(response["Location"])
    assert "<svg" in page.text and "QR code for the authenticator app" in page.text
    key = re.search(r'id="authenticator-key">([A-Z2-7 ]+)<', page.text).group(1)

    response = client.post("/mfa/setup/", {"code": "123456", "next": "/contracts/"})
    assert "That code is not right" in response.text

    # The code an app computes from the key as shown on the page.
    code = f"{totp(b32decode(key.replace(' ', ''))):06d}"
    response = client.post("/mfa/setup/", {"code": code, "next": "/contracts/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.text)
    assert len(codes) == 10
    assert 'href="/contracts/"' in response.text
    assert client.get("/contracts/").status_code == 200
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1
    assert AccessEventKind.MFA_ENABLED in kinds(officer)

    # Without the phone: a recovery code, once.
    client.logout()
    password_only(client, officer)
    assert client.post("/mfa/", {"code": codes[0].upper()}).status_code == 302
    assert AccessEventKind.MFA_RECOVERY_USED in kinds(officer)
    client.logout()
    password_only(client, officer)
    assert client.post("/mfa/", {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9


def test_a_stolen_password_does_not_set_up_a_new_phone(client, procurement):
    password_only(client, procurement)
    response = client.get("/mfa/setup/")
    assert response["Location"].startswith("/mfa/?")
    assert client.post("/mfa/setup/", {"code": "123456"})["Location"].startswith("/mfa/?")
    assert TOTPDevice.objects.filter(user=procurement).count() == 1


def test_new_recovery_codes_replace_the_old(client, procurement):
    client.force_login(procurement)
    first = re.findall(r"<li><code>(\w+)</code>", client.post("/account/recovery-codes/").text)
    second = re.findall(r"<li><code>(\w+)</code>", client.post("/account/recovery-codes/").text)
    assert len(second) == 10 and not set(first) & set(second)
    assert "10 recovery codes left" in client.get("/account/").text
    assert kinds(procurement).count(AccessEventKind.MFA_CODES_RENEWED) == 2


def test_supplier_contacts_pass_with_the_password_unless_the_city_asks_for_more(client, contact_a):
    password_only(client, contact_a)
    assert client.get(f"/suppliers/{contact_a.supplier_id}/").status_code == 200
    client.logout()

    with override_settings(MFA_FOR_SUPPLIER_CONTACTS=True):
        password_only(client, contact_a)
        response = client.get(f"/suppliers/{contact_a.supplier_id}/")
        assert response["Location"].startswith("/mfa/setup/")


def test_a_contact_who_set_the_app_up_is_asked_for_it(client, contact_a):
    TOTPDevice.objects.create(user=contact_a, name="phone", confirmed=True)
    password_only(client, contact_a)
    assert client.get(f"/suppliers/{contact_a.supplier_id}/")["Location"].startswith("/mfa/?")


def test_procurement_resets_a_lost_phone_on_the_people_page(client, procurement, director):
    client.force_login(procurement)
    page = client.get("/people/")
    assert f'action="/people/{director.pk}/reset-two-factor/"' in page.text
    assert f'action="/people/{procurement.pk}/reset-two-factor/"' not in page.text  # not oneself

    response = client.post(
        f"/people/{director.pk}/reset-two-factor/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=director).exists()
    event = AccessEvent.objects.get(kind=AccessEventKind.MFA_RESET)
    assert (event.person, event.by) == (director, procurement)

    client.logout()
    password_only(client, director)
    assert client.get("/dashboard/")["Location"].startswith("/mfa/setup/")


def test_only_an_administrator_resets_an_administrator(client, procurement, admin_user):
    client.force_login(procurement)
    response = client.post(
        f"/people/{admin_user.pk}/reset-two-factor/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "Only an administrator" in response.text
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_the_demo_says_the_demo_users_code(client):
    demo = make_user(Role.PROCUREMENT, email="demo@city.example")
    TOTPDevice.objects.filter(user=demo).update(key=DEMO_AUTHENTICATOR_KEY)
    password_only(client, demo)
    assert 'id="demo-code"' not in client.get("/mfa/").text
    with override_settings(DEMO_SECOND_FACTOR_HINT=True):
        page = client.get("/mfa/").text
        code = re.search(r"authenticator shows (\d{6}) now", page).group(1)
        assert client.post("/mfa/", {"code": code}).status_code == 302
