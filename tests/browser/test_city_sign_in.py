"""In Chromium, against a real OpenID Connect provider the tests start (django-oidc-provider in a
process of its own, tests/oidc_provider): the city's staff sign in with the city's account and
get the role of their groups, at once and without the portal's second factor; a deactivated
account, a person in no mapped group and a supplier contact's address are refused, with a
message on the sign-in page."""

from importlib import import_module

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import expect

from governance.models import AccessEvent, AccessEventKind, Role, User
from tests.factories import make_supplier, make_user
from tests.oidc_provider.server import LocalProvider

pytestmark = pytest.mark.browser

PROVIDER_PASSWORD = "a provider password"
ROLE_GROUPS = {
    "sg-portal-admins": Role.ADMINISTRATOR,
    "sg-procurement": Role.PROCUREMENT,
    "sg-it-director": Role.DIRECTOR,
}


@pytest.fixture(scope="module")
def provider(live_server):
    provider = LocalProvider(redirect_uri=f"{live_server.url}/oidc/callback/")
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def city_sign_in(provider):
    """The portal with single sign-on on, through the tests' provider."""
    with override_settings(
        **provider.portal_settings(),
        OIDC_ROLE_GROUPS=ROLE_GROUPS,
        AUTHENTICATION_BACKENDS=[
            *settings.AUTHENTICATION_BACKENDS,
            "governance.oidc.CityStaffBackend",
        ],
    ):
        yield provider


def sign_in_with_the_city_account(page, base_url, email=None):
    """Through the provider's own sign-in page, unless the browser is signed in there."""
    page.goto(f"{base_url}/login/")
    page.get_by_role("link", name="Sign in with the city's account").click()
    if email is not None:
        expect(page.get_by_role("heading", name="City identity provider")).to_be_visible()
        page.fill("#id_username", email)
        page.fill("#id_password", PROVIDER_PASSWORD)
        page.get_by_role("button", name="Continue").click()


def portal_session(context, base_url):
    engine = import_module(settings.SESSION_ENGINE)
    host = base_url.split("//")[1].split(":")[0]
    cookie = next(
        cookie
        for cookie in context.cookies()
        if cookie["name"] == settings.SESSION_COOKIE_NAME and cookie["domain"] == host
    )
    return engine.SessionStore(cookie["value"])


def test_an_officer_signs_in_and_a_new_group_changes_her_role(
    page, city_sign_in, live_server, transactional_db
):
    base = live_server.url
    city_sign_in.person(
        "Olle@City.example",  # as the provider spells it; the portal keeps it normalised
        password=PROVIDER_PASSWORD,
        name="Olle Officer",
        groups=["sg-procurement"],
    )

    sign_in_with_the_city_account(page, base, "Olle@City.example")
    expect(page.locator(".who")).to_contain_text("Olle Officer · Procurement staff")
    expect(page.get_by_role("link", name="People")).to_be_visible()
    assert "/mfa/" not in page.url  # no two-factor page: the provider asked for its own
    olle = User.objects.get(email="olle@city.example")
    assert (olle.role, olle.first_name, olle.last_name) == (Role.PROCUREMENT, "Olle", "Officer")
    assert not olle.has_usable_password()
    assert portal_session(page.context, base)["signed_in_through"] == "oidc"
    assert AccessEvent.objects.filter(kind=AccessEventKind.SIGNED_IN, person=olle).exists()

    # She moves to the IT director's group; her next sign-in makes her an IT director.
    city_sign_in.person(
        "Olle@City.example",
        password=PROVIDER_PASSWORD,
        name="Olle Officer",
        groups=["sg-it-director"],
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in_with_the_city_account(page, base)  # the provider still knows her
    expect(page.locator(".who")).to_contain_text("Olle Officer · IT director")
    expect(page.get_by_role("link", name="People")).to_have_count(0)
    olle.refresh_from_db()
    assert olle.role == Role.DIRECTOR
    assert AccessEvent.objects.filter(kind=AccessEventKind.ROLE_CHANGED, person=olle).count() == 1


def test_the_provider_vouches_but_the_portal_refuses(
    browser, city_sign_in, live_server, transactional_db
):
    base = live_server.url
    dora = make_user(Role.PROCUREMENT, email="dora@city.example", is_active=False)
    sara = make_user(
        Role.SUPPLIER_CONTACT, supplier=make_supplier("Gamma Nät AB"), email="sara@gamma.example"
    )
    for email, groups in [
        ("dora@city.example", ["sg-procurement"]),
        ("nils@city.example", ["sg-canteen"]),
        ("sara@gamma.example", ["sg-procurement"]),
    ]:
        city_sign_in.person(email, password=PROVIDER_PASSWORD, name="Some One", groups=groups)

    refusals = [
        ("dora@city.example", "Your account in the portal is deactivated."),
        ("nils@city.example", "Your city account is in no group that gives access"),
        ("sara@gamma.example", "This e-mail address belongs to a supplier contact."),
    ]
    for email, message in refusals:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in_with_the_city_account(page, base, email)
        expect(page.get_by_role("status")).to_contain_text(message)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.locator(".who")).to_have_count(0)
        page.goto(f"{base}/")  # and no page behind the sign-in either
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        context.close()
        assert AccessEvent.objects.filter(kind=AccessEventKind.SIGN_IN_FAILED, email=email).exists()

    dora.refresh_from_db()
    sara.refresh_from_db()
    assert not dora.is_active
    assert (sara.role, sara.first_name) == (Role.SUPPLIER_CONTACT, "Test")
    assert not User.objects.filter(email="nils@city.example").exists()
    assert not AccessEvent.objects.filter(kind=AccessEventKind.SIGNED_IN).exists()
