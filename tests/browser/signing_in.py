"""Signing in through the pages, as a person does: password, then (for whoever has an
authenticator app) the code it shows."""

from urllib.parse import urlsplit

from governance.models import User
from tests.helpers import authenticator_code


def sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    give_code_if_asked(page, email)


def give_code_if_asked(page, email):
    """On the code page (after a password), types the code the person's app shows now."""
    if urlsplit(page.url).path.startswith("/mfa/"):
        page.fill("#id_code", authenticator_code(User.objects.get(email=email)))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
