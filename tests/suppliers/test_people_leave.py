"""A person who leaves a supplier leaves the portal: removing their contact ends their access
at once, revokes invitations to them, takes them off every role-holder slot (the governance
model shows the role as missing) and stops every e-mail to them."""

import pytest
from django.core import mail
from django.urls import reverse

from governance.models import Level, RoleHolder, Side
from governance.outbox import email_message, perform
from suppliers.models import Contact, Invitation
from suppliers.services import invite_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def jonas(contact_a, contract_a, procurement):
    """A supplier contact with an account, on two role-holder slots of a running contract."""
    contract_a.status = "active"
    contract_a.save()
    Contact.objects.create(
        supplier=contact_a.supplier, name="Jonas Ek", email=contact_a.email, user=contact_a
    )
    for level in (Level.OPERATIONAL, Level.CONTRACT):
        governance_level = contract_a.governance_levels.get(level=level)
        governance_level.role_holders.filter(side=Side.SUPPLIER).delete()  # jonas alone
        RoleHolder.objects.create(
            governance_level=governance_level,
            side=Side.SUPPLIER,
            role_title="Service manager",
            name="Jonas Ek",
            email=contact_a.email.upper(),  # typed by hand, in another case
        )
    return contact_a


def test_removing_a_contact_ends_their_access_roles_and_mail(
    client_for, client, jonas, contract_a, procurement, django_user_model
):
    # A second browser where jonas is signed in: it must lose access at once.
    client.force_login(jonas)
    assert client.get(contract_a.get_absolute_url()).status_code == 200
    other_address = "jonas.private@alpha.example"
    invitation, _token = invite_contact(
        supplier=jonas.supplier, name="Jonas Ek", email=other_address, by=procurement
    )
    invite_contact(supplier=jonas.supplier, name="Jonas Ek", email=jonas.email, by=procurement)
    contact = Contact.objects.get(email=jonas.email)
    manager = client_for(procurement)
    # client_for shares the test client: sign jonas's browser back in afterwards.
    response = manager.post(
        reverse("suppliers:contact_delete", args=[jonas.supplier_id, contact.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200

    jonas.refresh_from_db()
    assert not jonas.is_active
    client.force_login(jonas)  # his old session, as far as the test client can keep one
    assert client.get(contract_a.get_absolute_url()).status_code in (302, 404)
    assert not Invitation.objects.pending().filter(email=jonas.email).exists()
    assert Invitation.objects.pending().filter(pk=invitation.pk).exists()  # another address
    assert not RoleHolder.objects.filter(email__iexact=jonas.email).exists()
    assert (Level.OPERATIONAL, Side.SUPPLIER) in contract_a.missing_roles()
    assert django_user_model.objects.filter(pk=jonas.pk).exists()  # his records keep him

    mail.outbox.clear()
    queued = email_message("test:after-leaving", to=jonas.email, subject="Minutes", body="...")
    queued.save()
    perform(queued.pk)
    assert mail.outbox == []
