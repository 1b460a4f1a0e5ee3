"""Password reset by e-mail (one link, once, for 24 hours; the same answer for an address with
and without an account; rate limited) and password change (the old password first; other
browsers signed out)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from governance.models import OutboxMessage, Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh long phrase"


@pytest.fixture(autouse=True)
def fresh_counts():
    """The hourly counts of asks live in the cache: each test starts without any."""
    cache.clear()


@pytest.fixture
def petra(supplier_a):
    return make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email="petra.sjo@solvik.example")


def links_to(address):
    return [
        message.payload["body"]
        for message in OutboxMessage.objects.filter(key__startswith="password-reset:")
        if message.payload["to"] == [address]
    ]


def ask(client, address):
    return client.post(reverse("password_reset"), {"email": address})


def test_the_answer_is_the_same_with_or_without_an_account_and_only_one_gets_a_link(client, petra):
    known, unknown = ask(client, petra.email), ask(client, "nobody@solvik.example")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(links_to(petra.email)) == 1
    assert links_to("nobody@solvik.example") == []
    # A lookalike address (dotless i) is not petra's.
    ask(client, "petra.sjo@solv\u0131k.example")
    assert len(links_to(petra.email)) == 1


def test_the_link_sets_a_new_password_once(client, petra):
    ask(client, "  Petra.Sjo@SOLVIK.example ")
    (body,) = links_to(petra.email)
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]

    weak = client.post(set_url, {"new_password1": "aaaaaaaaaaaa", "new_password2": "aaaaaaaaaaaa"})
    assert "too few different characters" in weak.content.decode()
    saved = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert saved["Location"] == reverse("password_reset_complete")
    petra.refresh_from_db()
    assert petra.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True).content.decode()
    assert "This link cannot be used" in again


def test_more_than_three_asks_an_hour_send_nothing_more(client, petra):
    for _ask in range(5):
        assert ask(client, petra.email)["Location"] == reverse("password_reset_done")
    assert len(links_to(petra.email)) == 3


def test_a_deactivated_account_gets_no_link(client, petra):
    petra.is_active = False
    petra.save()
    ask(client, petra.email)
    assert links_to(petra.email) == []


def test_changing_the_password_needs_the_old_one_and_signs_other_browsers_out(
    client, django_user_model, petra
):
    elsewhere = Client()
    elsewhere.force_login(petra)
    client.force_login(petra)
    url = reverse("password_change")
    refused = client.post(
        url,
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Your old password was entered incorrectly" in refused.content.decode()
    changed = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed["Location"] == reverse("password_change_done")
    assert client.get(reverse("portal:home")).status_code == 302  # still signed in: home
    assert elsewhere.get(reverse("portal:home"))["Location"].startswith(reverse("login"))
