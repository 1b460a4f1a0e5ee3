"""In Chromium: a contact who forgot their password sets a new one from the e-mailed link, and
a procurement officer deactivates them on the People page, which signs them out at once; a new
officer sets up two-factor sign-in, changes her password, signs in with a recovery code and has
a lost phone reset."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from governance.models import OutboxMessage, Role
from tests.factories import PASSWORD, make_supplier, make_user

from .signing_in import sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a fresh long phrase"


def people_page_in_another_browser(browser, base, manager):
    """A manager's own browser (its own cookies), signed in and on the People page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, manager.email, PASSWORD)
    page.get_by_role("link", name="People").click()
    return context, page


def test_a_forgotten_password_and_a_deactivation(page, browser, live_server, transactional_db):
    base = live_server.url
    supplier = make_supplier("Gamma Nät AB")
    nina = make_user(Role.SUPPLIER_CONTACT, supplier=supplier, email="nina@gamma.example")
    officer = make_user(Role.PROCUREMENT, email="officer@city.example")

    # Nina forgot her password.
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "Nina@Gamma.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    body = OutboxMessage.objects.get(key__startswith="password-reset:").payload["body"]
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body).group(1)
    page.goto(base + link)
    page.fill("#id_new_password1", "aaaaaaaaaaaa")
    page.fill("#id_new_password2", "aaaaaaaaaaaa")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("too few different characters")).to_be_visible()
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your new password is saved")).to_be_visible()
    sign_in(page, base, nina.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Gamma Nät AB")).to_be_visible()

    # The officer deactivates her on the People page.
    officer_context, officer_page = people_page_in_another_browser(browser, base, officer)
    officer_page.fill("#people-q", "nina")
    officer_page.get_by_role("button", name="Search").click()
    row = officer_page.locator("#people tr", has_text="nina@gamma.example")
    officer_page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate").click()
    expect(officer_page.locator("#people tr", has_text="nina@gamma.example")).to_contain_text(
        "Deactivated"
    )
    officer_page.get_by_role("link", name="Access log").click()
    expect(officer_page.locator("main")).to_contain_text("Account deactivated")
    officer_context.close()

    # Nina's next click finds her signed out.
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_new_officer_sets_up_two_factor_changes_her_password_and_has_a_lost_phone_reset(
    page, browser, live_server, transactional_db
):
    base = live_server.url
    sara = make_user(Role.PROCUREMENT, email="sara@city.example", first_name="Sara")
    TOTPDevice.objects.filter(user=sara).delete()  # a new account: no app set up yet
    manager = make_user(Role.PROCUREMENT, email="manager@city.example")

    # Her first sign-in: after the password, the app is set up before any page.
    page.goto(f"{base}/contracts/")
    page.fill("#id_username", sara.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("link", name="People")).to_have_count(0)  # no menu yet
    expect(page.locator(".qr-code svg")).to_be_visible()
    key = page.locator("#authenticator-key").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{totp(b32decode(key)):06d}")  # what her app shows
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(f"{base}/contracts/")

    # She changes her password from her account page.
    page.get_by_role("link", name="Your account").click()
    expect(page.locator("main")).to_contain_text("You have 10 recovery codes left")
    page.get_by_role("link", name="Change your password").click()
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()

    # Without her phone: the new password and a recovery code.
    page.get_by_role("button", name="Sign out").click()
    page.fill("#id_username", sara.email)
    page.fill("#id_password", NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()

    # She lost the phone: the manager resets her two-factor sign-in on the People page.
    manager_context, manager_page = people_page_in_another_browser(browser, base, manager)
    row = manager_page.locator("#people tr", has_text=sara.email)
    expect(row).to_contain_text("Set up")
    manager_page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Reset").click()
    expect(manager_page.locator("#people tr", has_text=sara.email)).to_contain_text("Not set up")
    manager_page.get_by_role("link", name="Access log").click()
    expect(manager_page.locator("main")).to_contain_text("Two-factor sign-in reset")
    manager_context.close()

    # Her next sign-in sets up the new phone.
    page.get_by_role("button", name="Sign out").click()
    page.fill("#id_username", sara.email)
    page.fill("#id_password", NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
