"""The city's single sign-on without a provider: which role a person's groups give, what the
backend does with an account the provider vouched for, and the pages while it is on or off
(tests/browser/test_city_sign_in.py signs in through a real provider)."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from governance.models import AccessEvent, AccessEventKind, Role, User
from governance.oidc import CityStaffBackend, SignInRefused, groups_in, role_for
from governance.settings.base import env_pairs
from tests.factories import make_supplier, make_user

NOWHERE = "http://127.0.0.1:9"  # nothing answers: a test that reached the provider fails
SINGLE_SIGN_ON = {
    "OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "portal",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{NOWHERE}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{NOWHERE}/token",
    "OIDC_OP_USER_ENDPOINT": f"{NOWHERE}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{NOWHERE}/jwks",
    "OIDC_ROLE_GROUPS": {"admins": "admin", "buyers": "procurement", "it-board": "director"},
    "AUTHENTICATION_BACKENDS": [
        *settings.AUTHENTICATION_BACKENDS,
        "governance.oidc.CityStaffBackend",
    ],
}

pytestmark = pytest.mark.usefixtures("single_sign_on")


@pytest.fixture
def single_sign_on():
    with override_settings(**SINGLE_SIGN_ON):
        yield


@pytest.fixture
def backend(rf):
    backend = CityStaffBackend()
    backend.request = rf.get("/oidc/callback/")
    return backend


def claims(email="Kim@City.example", groups=("buyers",), **more):
    return {"email": email, "given_name": "Kim", "family_name": "Berg", "groups": groups, **more}


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["buyers"], Role.PROCUREMENT),
        (["it-board"], Role.DIRECTOR),
        (["it-board", "buyers"], Role.PROCUREMENT),
        (["buyers", "admins", "it-board"], Role.ADMINISTRATOR),
        (["canteen", "it-board"], Role.DIRECTOR),
        (["canteen"], None),
        ([], None),
    ],
)
def test_the_most_powerful_mapped_group_gives_the_role(groups, role):
    assert role_for(groups) == role


def test_one_group_sent_as_a_string_is_one_group():
    assert groups_in({"groups": "buyers"}) == ["buyers"]
    assert groups_in({}) == []
    with override_settings(OIDC_GROUPS_CLAIM="roles"):
        assert groups_in({"roles": ["it-board"], "groups": ["buyers"]}) == ["it-board"]


def test_a_group_cannot_make_anyone_a_supplier_contact():
    mapping = {"suppliers": Role.SUPPLIER_CONTACT}
    with override_settings(OIDC_ROLE_GROUPS=mapping), pytest.raises(ImproperlyConfigured):
        CityStaffBackend()


def test_the_role_groups_variable_is_group_equals_role(monkeypatch):
    monkeypatch.setenv("OIDC_ROLE_GROUPS", "a1b2-c3=admin, Buyers = procurement")
    assert env_pairs("OIDC_ROLE_GROUPS") == {"a1b2-c3": "admin", "Buyers": "procurement"}
    monkeypatch.setenv("OIDC_ROLE_GROUPS", "admin")
    with pytest.raises(ImproperlyConfigured):
        env_pairs("OIDC_ROLE_GROUPS")


def test_the_first_sign_in_creates_the_account(backend, db):
    kim = backend.create_user(claims())
    assert (kim.email, kim.role, kim.get_full_name()) == (
        "kim@city.example",
        Role.PROCUREMENT,
        "Kim Berg",
    )
    assert not kim.has_usable_password()
    assert list(backend.filter_users_by_claims(claims(email=" KIM@city.example"))) == [kim]


def test_a_later_sign_in_updates_name_and_role_and_logs_a_new_role(backend, db):
    kim = make_user(Role.PROCUREMENT, email="kim@city.example")
    backend.update_user(kim, claims(groups=["buyers"], given_name="Kimberly"))
    assert not AccessEvent.objects.filter(kind=AccessEventKind.ROLE_CHANGED).exists()
    backend.update_user(kim, claims(groups=["admins"]))
    kim.refresh_from_db()
    assert (kim.role, kim.first_name) == (Role.ADMINISTRATOR, "Kim")
    assert AccessEvent.objects.get(kind=AccessEventKind.ROLE_CHANGED).person == kim


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("deactivated", "deactivated"),
        ("supplier contact", "supplier contact"),
        ("in no group", "no group"),
    ],
)
def test_refusals_are_failed_sign_ins(backend, db, who, message):
    if who == "deactivated":
        person = make_user(Role.DIRECTOR, email="kim@city.example", is_active=False)
    elif who == "supplier contact":
        person = make_user(
            Role.SUPPLIER_CONTACT, supplier=make_supplier(), email="kim@city.example"
        )
    else:
        person = None
    with pytest.raises(SignInRefused, match=message):
        if person is None:
            backend.create_user(claims(groups=["canteen"]))
        else:
            backend.update_user(person, claims())
    failed = AccessEvent.objects.get(kind=AccessEventKind.SIGN_IN_FAILED)
    assert (failed.email, failed.person) == ("kim@city.example", person)
    assert User.objects.count() == (0 if person is None else 1)
    if person is not None:
        role = person.role
        person.refresh_from_db()
        assert person.role == role


def test_the_password_form_never_exchanges_a_code(rf, db):
    request = rf.post("/login/?code=stolen&state=any")
    assert (
        CityStaffBackend().authenticate(request, username="kim@city.example", password="x") is None
    )


def test_the_sign_in_page_offers_the_city_account(client, db):
    page = client.get("/login/?next=/contracts/")
    assert "Sign in with the city's account" in page.content.decode()
    assert 'href="/oidc/authenticate/?next=/contracts/"' in page.content.decode()
    with override_settings(OIDC_ENABLED=False):
        assert "city's account" not in client.get("/login/").content.decode()


def test_signing_in_goes_to_the_provider_with_a_nonce_and_pkce(client, db):
    response = client.get("/oidc/authenticate/?next=/contracts/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{NOWHERE}/authorize?")
    for parameter in ("nonce=", "code_challenge=", "state=", "client_id=portal"):
        assert parameter in response["Location"]


def test_no_single_sign_on_while_it_is_off(client, db):
    with override_settings(OIDC_ENABLED=False):
        assert client.get("/oidc/authenticate/").status_code == 404
        assert client.get("/oidc/callback/?code=a&state=b").status_code == 404


def test_a_sign_in_cancelled_at_the_provider_is_a_message(client, db):
    response = client.get("/oidc/callback/?error=access_denied&state=any")
    assert response.status_code == 302 and response["Location"] == "/login/"
    [message] = get_messages(response.wsgi_request)
    assert "did not succeed" in str(message)


def test_a_provider_that_does_not_answer_is_a_message(client, db):
    client.get("/oidc/authenticate/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get(f"/oidc/callback/?code=a-code&state={state}")
    assert response.status_code == 302 and response["Location"] == "/login/"
    [message] = get_messages(response.wsgi_request)
    assert "did not succeed" in str(message)
