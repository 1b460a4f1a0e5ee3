"""In Chromium: a contact who forgot their password sets a new one from the e-mailed link, and
a procurement officer deactivates them on the People page, which signs them out at once."""

import re

import pytest
from playwright.sync_api import expect

from governance.models import OutboxMessage, Role
from tests.factories import PASSWORD, make_supplier, make_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a fresh long phrase"


def sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


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
    officer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    officer_page = officer_context.new_page()
    officer_page.set_default_timeout(10_000)
    sign_in(officer_page, base, officer.email, PASSWORD)
    officer_page.get_by_role("link", name="People").click()
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
