import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.models import Role, User
from suppliers.models import Contact, Invitation, hash_token
from suppliers.services import invite_contact, purge_expired_invitations

pytestmark = pytest.mark.django_db


def _invite(client, supplier, email="nina@alpha.example", name="Nina Ek"):
    response = client.post(
        reverse("suppliers:invitation_create", args=[supplier.pk]),
        {"name": name, "email": email},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    link = re.search(r"http://\S+/invitations/(\S+)/", mail.outbox[-1].body)
    return response, link.group(1)


def test_invitation_is_emailed_and_only_its_hash_is_stored(client_for, procurement, supplier_a):
    response, token = _invite(client_for(procurement), supplier_a)
    assert "An invitation was e-mailed to nina@alpha.example." in response.content.decode()
    assert mail.outbox[-1].to == ["nina@alpha.example"]
    assert "Alpha Drift AB" in mail.outbox[-1].subject
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_token(token)
    assert token not in str(Invitation.objects.values_list())
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)


def test_accepting_sets_password_binds_supplier_and_signs_in(client, procurement, supplier_a):
    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    url = reverse("suppliers:accept_invitation", args=[token])
    assert "nina@alpha.example" in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "Nina Ek", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nina@alpha.example")
    assert user.role == Role.SUPPLIER_CONTACT
    assert user.supplier == supplier_a
    assert user.check_password("a long pass phrase")
    assert Contact.objects.get(supplier=supplier_a, email=user.email).user == user
    assert client.get(reverse("portal:home"))["Location"] == supplier_a.get_absolute_url()


def test_link_works_only_once(client, procurement, supplier_a):
    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    url = reverse("suppliers:accept_invitation", args=[token])
    data = {"name": "Nina", "password1": "a long pass phrase", "password2": "a long pass phrase"}
    client.post(url, data)
    client.logout()
    response = client.post(url, data)
    assert response.status_code == 410
    assert "cannot be used" in response.content.decode()
    assert User.objects.filter(email="nina@alpha.example").count() == 1


def test_expired_link_is_refused(client, procurement, supplier_a):
    invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = client.get(reverse("suppliers:accept_invitation", args=[token]))
    assert response.status_code == 410


def test_unknown_token_is_not_found(client, db):
    response = client.get(reverse("suppliers:accept_invitation", args=["made-up-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_weak_or_mismatched_password_is_explained(client, procurement, supplier_a):
    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    url = reverse("suppliers:accept_invitation", args=[token])
    page = client.post(url, {"name": "Nina", "password1": "short", "password2": "other"})
    assert "The two passwords differ." in page.content.decode()
    page = client.post(
        url, {"name": "Nina", "password1": "12345678901", "password2": "12345678901"}
    )
    assert "This password is entirely numeric." in page.content.decode()
    assert not User.objects.filter(email="nina@alpha.example").exists()


def test_resend_replaces_the_old_link(client_for, procurement, supplier_a):
    client = client_for(procurement)
    _response, first_token = _invite(client, supplier_a)
    invitation = Invitation.objects.get()
    client.post(reverse("suppliers:invitation_resend", args=[supplier_a.pk, invitation.pk]))
    second_token = re.search(r"/invitations/(\S+)/", mail.outbox[-1].body).group(1)
    client.logout()
    assert client.get(reverse("suppliers:accept_invitation", args=[first_token])).status_code == 410
    assert (
        client.get(reverse("suppliers:accept_invitation", args=[second_token])).status_code == 200
    )


def test_revoked_link_is_refused(client_for, procurement, supplier_a):
    client = client_for(procurement)
    _response, token = _invite(client, supplier_a)
    invitation = Invitation.objects.get()
    client.post(reverse("suppliers:invitation_revoke", args=[supplier_a.pk, invitation.pk]))
    assert client.get(reverse("suppliers:accept_invitation", args=[token])).status_code == 410


def test_existing_account_cannot_be_invited_again(client_for, procurement, contact_a, supplier_a):
    response = client_for(procurement).post(
        reverse("suppliers:invitation_create", args=[supplier_a.pk]),
        {"name": "Again", "email": contact_a.email.upper()},
        headers={"HX-Request": "true"},
    )
    assert "already has an account in the portal" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_failed_mail_keeps_the_invitation_and_says_so(
    client_for, procurement, supplier_a, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    response = client_for(procurement).post(
        reverse("suppliers:invitation_create", args=[supplier_a.pk]),
        {"name": "Nina", "email": "nina@alpha.example"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "the e-mail could not be sent" in response.content.decode()
    assert Invitation.objects.filter(email="nina@alpha.example").exists()


def test_purge_removes_only_long_expired_invitations(procurement, supplier_a):
    old, _token = invite_contact(
        supplier=supplier_a, name="Old", email="old@a.example", by=procurement
    )
    fresh, _token = invite_contact(
        supplier=supplier_a, name="New", email="new@a.example", by=procurement
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=31))
    assert purge_expired_invitations() == 1
    assert list(Invitation.objects.all()) == [fresh]


@pytest.mark.parametrize(
    "password, reason",
    [
        (" " * 12, "spaces only"),
        ("aaaaaaaaaaaa", "too few different characters"),
        ("Password123!", "common password"),
        ("governance-demo", "common password"),
        ("short-pass1", "at least 12 characters"),
    ],
)
def test_a_guessable_password_is_refused_with_the_reason(
    client, procurement, supplier_a, password, reason
):
    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    url = reverse("suppliers:accept_invitation", args=[token])
    response = client.post(url, {"name": "Nina Ek", "password1": password, "password2": password})
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not User.objects.filter(email="nina@alpha.example").exists()


def test_a_password_of_spaces_never_signs_in(client, contact_a):
    contact_a.set_password(" " * 12)  # set before the rule, or by hand
    contact_a.save()
    response = client.post(reverse("login"), {"username": contact_a.email, "password": " " * 12})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_accepting_while_signed_in_as_someone_else_asks_to_sign_out_first(
    client_for, procurement, supplier_a
):
    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    client = client_for(procurement)
    url = reverse("suppliers:accept_invitation", args=[token])
    page = client.get(url)
    assert page.status_code == 409
    assert f"You are signed in as <strong>{procurement.email}</strong>" in page.content.decode()
    data = {"name": "Nina Ek", "password1": "a long pass phrase", "password2": "a long pass phrase"}
    assert client.post(url, data).status_code == 409
    assert not User.objects.filter(email="nina@alpha.example").exists()
    assert client.get(reverse("portal:home")).wsgi_request.user == procurement

    signed_out = client.post(reverse("logout"), {"next": url}, follow=True)
    assert "Choose a password to finish" in signed_out.content.decode()
