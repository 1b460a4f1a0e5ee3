"""The access log: every sign-in, failed sign-in, sign-out, password reset and change, and
deactivation, with who, when and from where, for procurement staff and administrators."""

import pytest
from django.urls import reverse

from governance.models import AccessEvent, Role
from governance.services import deactivate_user
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh long phrase"


def test_what_happened_to_an_account_is_in_the_log_for_the_register_keepers(
    client, client_for, procurement, director, supplier_a
):
    petra = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email="petra@alpha.example")
    address = {"REMOTE_ADDR": "192.0.2.44"}
    client.post(reverse("login"), {"username": petra.email, "password": "wrong"}, **address)
    client.post(
        reverse("login"), {"username": "nobody@alpha.example", "password": "wrong"}, **address
    )
    client.post(reverse("login"), {"username": petra.email, "password": PASSWORD}, **address)
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        **address,
    )
    client.post(reverse("logout"), **address)
    client.post(reverse("password_reset"), {"email": petra.email}, **address)
    deactivate_user(user=petra, by=procurement)

    kinds = list(AccessEvent.objects.order_by("pk").values_list("kind", "email", "address"))
    assert kinds == [
        ("sign_in_failed", petra.email, "192.0.2.44"),
        ("sign_in_failed", "nobody@alpha.example", "192.0.2.44"),
        ("signed_in", petra.email, "192.0.2.44"),
        ("password_changed", petra.email, "192.0.2.44"),
        ("signed_out", petra.email, "192.0.2.44"),
        ("reset_asked", petra.email, "192.0.2.44"),
        ("deactivated", petra.email, None),
    ]
    assert AccessEvent.objects.get(kind="deactivated").by == procurement

    page = client_for(procurement).get(reverse("access_log"), {"q": "petra"}).content.decode()
    assert "Account deactivated" in page and "Sign-in failed" in page
    assert "nobody@alpha.example" not in page  # the search narrows to petra's
    assert client_for(director).get(reverse("access_log")).status_code == 403
    assert client_for(petra).get(reverse("access_log")).status_code in (302, 403)


def test_a_search_with_a_nul_character_finds_the_address_instead_of_failing(client, admin_user):
    """A URL can carry a NUL (%00), which PostgreSQL refuses in text: the lists drop it."""
    client.force_login(admin_user)
    for url in (reverse("access_log"), reverse("people")):
        response = client.get(url, {"q": f"{admin_user.email[:4]}\x00"})
        assert response.status_code == 200
        assert admin_user.email in response.content.decode()
