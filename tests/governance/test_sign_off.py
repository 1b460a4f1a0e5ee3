"""Both sides sign off the governance model before a contract goes active: role holders are
people the portal knows, the business level of each side confirms (signed in, or through a
single-use e-mailed link), a change afterwards reopens it and tells both sides."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Level, OutboxMessage, Role, RoleHolder, Side, SignOff, SignOffLink
from governance.services import change_mandate, deactivate_user, request_sign_off
from suppliers.models import Contact, ContractStatus
from tests.factories import (
    city_person,
    fill_governance,
    make_contract,
    make_user,
    sign_off,
    sign_off_link_token,
)

pytestmark = pytest.mark.django_db

CITY_SIGNER = "buyer.business@example.org"  # fill_governance's business-level people
SUPPLIER_SIGNER = "supplier.business@example.org"
HTMX = {"HX-Request": "true"}


def business(contract, side):
    return RoleHolder.objects.get(
        governance_level__contract=contract, governance_level__level=Level.BUSINESS, side=side
    )


def sign_off_mail(to=None):
    messages = OutboxMessage.objects.filter(key__startswith="signoff:").order_by("pk")
    return [m for m in messages if to is None or m.payload["to"] == [to]]


def link_in(message):
    return re.search(r"/sign-off/([^/\s]+)/", message.payload["body"]).group(0)


def contract_page(client, contract):
    return client.get(contract.get_absolute_url()).content.decode()


def squashed(page):
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


# Role holders are people -------------------------------------------------------------------


def test_role_holders_are_the_city_s_staff_and_the_supplier_s_contacts(contract_a):
    city, supplier = business(contract_a, Side.BUYER), business(contract_a, Side.SUPPLIER)
    assert city.user.email == CITY_SIGNER and city.contact is None
    assert supplier.contact.email == SUPPLIER_SIGNER and supplier.user is None
    assert supplier.contact.supplier == contract_a.supplier


def test_the_form_lists_the_city_s_active_staff_and_only_this_supplier_s_contacts(
    client_for, procurement, contract_a, contract_b
):
    gone = city_person("gone@city.example", "Gone", "Away")
    deactivate_user(user=gone, by=None)
    make_user(Role.SUPPLIER_CONTACT, supplier=contract_a.supplier, email="acct@alpha.example")
    page = contract_page(client_for(procurement), contract_a)
    assert "City person (buyer.business@example.org)" in page
    assert "Supplier person (supplier.business@example.org)" in page
    assert "gone@city.example" not in page  # deactivated
    assert "acct@alpha.example" not in page  # a supplier's account is not the city's staff
    other = Contact.objects.create(supplier=contract_b.supplier, name="Bea", email="bea@b.example")
    assert f"contact-{other.pk}" not in page  # another supplier's contact


def test_picking_a_person_names_them_and_their_side(client_for, procurement, supplier_a):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.CONTRACT, Side.BUYER)})
    eva = city_person("eva@city.example", "Eva", "Ek")
    client_for(procurement).post(
        reverse("governance:role_holder_add", args=[contract.pk, Level.CONTRACT]),
        {"contract-person": f"user-{eva.pk}", "contract-role_title": "Contract manager"},
    )
    holder = RoleHolder.objects.get(user=eva)
    assert (holder.side, holder.name, holder.email) == (Side.BUYER, "Eva Ek", "eva@city.example")
    assert contract.missing_roles() == []


def test_a_deactivated_city_user_leaves_their_roles(client_for, procurement, contract_a):
    person = business(contract_a, Side.BUYER).user
    client_for(procurement).post(reverse("people_deactivate", args=[person.pk]))
    assert not RoleHolder.objects.filter(user=person).exists()
    assert (Level.BUSINESS, Side.BUYER) in contract_a.missing_roles()
    assert "Nobody named" in contract_page(client_for(procurement), contract_a)


def test_a_removed_contact_leaves_their_roles(client_for, procurement, contract_a):
    contact = business(contract_a, Side.SUPPLIER).contact
    client_for(procurement).post(
        reverse("suppliers:contact_delete", args=[contract_a.supplier_id, contact.pk])
    )
    assert not RoleHolder.objects.filter(email=SUPPLIER_SIGNER).exists()
    assert (Level.BUSINESS, Side.SUPPLIER) in contract_a.missing_roles()


def test_a_person_s_new_name_shows_on_their_roles(contract_a):
    contact = business(contract_a, Side.SUPPLIER).contact
    contact.name = "Sara Strand"
    contact.save()
    assert business(contract_a, Side.SUPPLIER).name == "Sara Strand"


# Asking, and signing off signed in --------------------------------------------------------


def test_procurement_asks_both_business_level_holders_by_e_mail(
    client_for, procurement, contract_a
):
    response = client_for(procurement).post(
        reverse("governance:sign_off_request", args=[contract_a.pk]), follow=True
    )
    assert "The sign-off was asked of 2 people by e-mail." in response.content.decode()
    (city,) = sign_off_mail(to=CITY_SIGNER)
    assert contract_a.get_absolute_url() + "#sign-off" in city.payload["body"]
    assert "Sign in and press the sign-off button" in city.payload["body"]
    (supplier,) = sign_off_mail(to=SUPPLIER_SIGNER)  # a contact without an account: a link
    assert supplier.key.startswith("signoff:link:")
    assert "The link works once, without signing in" in supplier.payload["body"]
    assert supplier.payload["subject"] == "Sign off the governance model of A-001"


def test_the_business_holder_signs_off_signed_in_and_who_and_when_is_recorded(
    client_for, procurement, contract_a
):
    sign_off_link_token(contract_a, by=procurement)
    signer = business(contract_a, Side.BUYER).user
    client = client_for(signer)
    page = contract_page(client, contract_a)
    assert "Sign off the roles and mandates as Business level lead" in page
    response = client.post(
        reverse("governance:sign_off_confirm", args=[contract_a.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="sign-off"' in response.content.decode()
    assert "Waiting for the supplier" in response.content.decode()
    signature = SignOff.objects.get()
    assert (signature.side, signature.user, signature.name) == (Side.BUYER, signer, "City person")
    assert abs(signature.signed_at - timezone.now()) < timedelta(minutes=1)
    assert not signature.by_link
    # Signed once: the button is gone, and a second post is refused with a reason.
    assert "Sign off the roles" not in contract_page(client, contract_a)
    again = client.post(reverse("governance:sign_off_confirm", args=[contract_a.pk]), headers=HTMX)
    assert again.status_code == 409
    assert "There is nothing for you to sign off now." in again.content.decode()
    assert SignOff.objects.count() == 1


def test_someone_who_holds_no_business_role_cannot_sign_off(client_for, procurement, contract_a):
    sign_off_link_token(contract_a, by=procurement)
    operational = RoleHolder.objects.get(
        governance_level__contract=contract_a,
        governance_level__level=Level.OPERATIONAL,
        side=Side.BUYER,
    ).user
    client = client_for(operational)
    assert "Sign off the roles" not in contract_page(client, contract_a)
    response = client.post(reverse("governance:sign_off_confirm", args=[contract_a.pk]))
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_a_supplier_contact_with_an_account_signs_off_signed_in(client_for, contract_a):
    contact = business(contract_a, Side.SUPPLIER).contact
    contact.user = make_user(Role.SUPPLIER_CONTACT, supplier=contract_a.supplier)
    contact.save()
    request_sign_off(contract=contract_a, by=None)
    assert not SignOffLink.objects.exists()  # no link: the contact has an account
    client = client_for(contact.user)
    client.post(reverse("governance:sign_off_confirm", args=[contract_a.pk]))
    assert SignOff.objects.get().side == Side.SUPPLIER


# Signing off through the e-mailed link ------------------------------------------------------


def test_the_link_shows_the_model_read_only_and_signs_off_once(client, procurement, contract_a):
    url = reverse("governance:sign_off_link", args=[sign_off_link_token(contract_a)])
    page = client.get(url).content.decode()
    assert "Supplier person, as a business-level role holder (Supplier)" in page
    assert "Business level lead" in page and "Operational level" in page
    assert "I confirm these roles and mandates" in page
    assert "Name a role holder" not in page and "Edit mandate" not in page  # read only
    done = client.post(url)
    assert done.status_code == 200
    assert "Thank you: the governance model is signed off" in done.content.decode()
    signature = SignOff.objects.get()
    assert signature.by_link and signature.side == Side.SUPPLIER
    assert signature.contact == business(contract_a, Side.SUPPLIER).contact
    # Used: a second use is refused and says so.
    second = client.post(url)
    assert second.status_code == 410
    assert "This link was used on" in second.content.decode()
    assert client.get(url).status_code == 410
    assert SignOff.objects.count() == 1


def test_an_expired_link_is_refused(client, contract_a):
    url = reverse("governance:sign_off_link", args=[sign_off_link_token(contract_a)])
    SignOffLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(url)
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_link_sent_again_replaces_the_earlier_one(client, contract_a):
    first = reverse("governance:sign_off_link", args=[sign_off_link_token(contract_a)])
    second = reverse("governance:sign_off_link", args=[sign_off_link_token(contract_a)])
    assert first != second
    response = client.post(first)
    assert response.status_code == 410
    assert "This link was replaced by a newer one" in response.content.decode()
    assert client.post(second).status_code == 200


def test_a_made_up_link_is_not_found(client, contract_a):
    sign_off_link_token(contract_a)
    response = client.get(reverse("governance:sign_off_link", args=["no-such-token"]))
    assert response.status_code == 404
    assert "The link is not valid." in response.content.decode()


# Activation waits for both sign-offs -------------------------------------------------------


def test_activation_is_refused_until_both_sides_signed_off(client_for, procurement, contract_a):
    client = client_for(procurement)
    url = reverse("suppliers:contract_status", args=[contract_a.pk])
    page = client.post(url, {"status": "active"}, follow=True).content.decode()
    assert "cannot be made active: both sides&#x27; business level must sign off" in page
    token = sign_off_link_token(contract_a, by=procurement)
    client_for(business(contract_a, Side.BUYER).user).post(
        reverse("governance:sign_off_confirm", args=[contract_a.pk])
    )
    client = client_for(procurement)
    page = client.post(url, {"status": "active"}, follow=True).content.decode()
    assert "not yet signed off by both sides (waiting for the supplier)" in page
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.DRAFT

    client.post(reverse("governance:sign_off_link", args=[token]))
    page = client.post(url, {"status": "active"}, follow=True).content.decode()
    assert "The contract is now active." in page
    contract_a.refresh_from_db()
    assert contract_a.status == ContractStatus.ACTIVE


# A change after sign-off reopens it ---------------------------------------------------------


def test_a_mandate_change_after_sign_off_reopens_it_and_tells_both_sides(
    client_for, procurement, contract_a
):
    sign_off(contract_a)
    OutboxMessage.objects.all().delete()
    client = client_for(procurement)
    client.post(
        reverse("governance:mandate_edit", args=[contract_a.pk, Level.CONTRACT]),
        {"mandate": "Decides on prices only."},
    )
    assert not SignOff.objects.filter(round__closed_at__isnull=True).exists()
    city, supplier = sign_off_mail(to=CITY_SIGNER), sign_off_mail(to=SUPPLIER_SIGNER)
    assert len(city) == len(supplier) == 1
    for message in city + supplier:
        assert message.payload["subject"] == (
            "The governance model of A-001 changed: sign it off again"
        )
        assert "Contract level: the mandate was rewritten" in message.payload["body"]
    assert "/sign-off/" in link_in(supplier[0])  # a new link for the holder without account
    page = squashed(contract_page(client, contract_a))
    today = timezone.localdate().isoformat()
    assert f"Reopened by a change on {today}: Contract level: the mandate was rewritten" in page
    assert "Waiting for the city and the supplier" in page
    url = reverse("suppliers:contract_status", args=[contract_a.pk])
    page = client.post(url, {"status": "active"}, follow=True).content.decode()
    assert "waiting for the city and the supplier" in page


def test_the_same_mandate_saved_again_changes_nothing(client_for, procurement, contract_a):
    sign_off(contract_a)
    level = contract_a.governance_levels.get(level=Level.CONTRACT)
    client_for(procurement).post(
        reverse("governance:mandate_edit", args=[contract_a.pk, Level.CONTRACT]),
        {"mandate": level.mandate},
    )
    assert SignOff.objects.filter(round__closed_at__isnull=True).count() == 2
    assert not sign_off_mail()


def test_a_role_holder_change_after_sign_off_reopens_it(client_for, procurement, contract_a):
    sign_off(contract_a)
    eva = city_person("eva@city.example", "Eva", "Ek")
    client_for(procurement).post(
        reverse("governance:role_holder_add", args=[contract_a.pk, Level.OPERATIONAL]),
        {"operational-person": f"user-{eva.pk}", "operational-role_title": "Deputy"},
        headers=HTMX,
    )
    assert not SignOff.objects.filter(round__closed_at__isnull=True).exists()
    (message,) = sign_off_mail(to=CITY_SIGNER)
    assert "Operational level: Eva Ek named as Deputy" in message.payload["body"]
    assert len(sign_off_mail(to=SUPPLIER_SIGNER)) == 1


def test_a_person_leaving_after_sign_off_reopens_it(procurement, contract_a):
    sign_off(contract_a)
    operational = RoleHolder.objects.get(
        governance_level__contract=contract_a,
        governance_level__level=Level.OPERATIONAL,
        side=Side.BUYER,
    ).user
    deactivate_user(user=operational, by=procurement)
    assert not SignOff.objects.filter(round__closed_at__isnull=True).exists()
    assert len(sign_off_mail(to=CITY_SIGNER)) == 1


def test_a_change_voids_the_links_already_sent(client, procurement, contract_a):
    token = sign_off_link_token(contract_a, by=procurement)
    sign_off(contract_a)  # the city signs (and the supplier, in the factory's way)
    SignOff.objects.filter(side=Side.SUPPLIER).delete()
    level = contract_a.governance_levels.get(level=Level.BUSINESS)
    change_mandate(governance_level=level, mandate="Only the board.", by=procurement)
    response = client.get(reverse("governance:sign_off_link", args=[token]))
    assert response.status_code == 410
    assert "replaced by a newer one" in response.content.decode()


# The contract page says where it stands ------------------------------------------------------


def test_the_contract_page_shows_each_state(client_for, director, procurement, contract_a):
    client = client_for(director)
    assert "Not asked yet." in contract_page(client, contract_a)
    token = sign_off_link_token(contract_a, by=procurement)
    assert "Waiting for the city and the supplier" in contract_page(client, contract_a)
    client.post(reverse("governance:sign_off_link", args=[token]))
    page = squashed(contract_page(client_for(director), contract_a))
    assert "Waiting for the city" in page
    assert "Signed off by Supplier person on" in page
    client_for(business(contract_a, Side.BUYER).user).post(
        reverse("governance:sign_off_confirm", args=[contract_a.pk])
    )
    page = squashed(contract_page(client_for(director), contract_a))
    today = timezone.localdate().isoformat()
    assert (
        f"Signed off by City person (the city) on {today} and Supplier person (the supplier) "
        f"on {today}."
    ) in page


def test_the_city_signed_first_shows_waiting_for_the_supplier(client_for, procurement, contract_a):
    sign_off_link_token(contract_a, by=procurement)
    client_for(business(contract_a, Side.BUYER).user).post(
        reverse("governance:sign_off_confirm", args=[contract_a.pk])
    )
    page = squashed(contract_page(client_for(procurement), contract_a))
    assert "Waiting for the supplier" in page
    assert "Send the sign-off request again" in page


def test_asking_before_every_role_is_named_is_refused(client_for, procurement, supplier_a):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.BUSINESS, Side.SUPPLIER)})
    response = client_for(procurement).post(
        reverse("governance:sign_off_request", args=[contract.pk]), follow=True
    )
    assert "Name every role first: 1 roles are not yet named." in response.content.decode()
    assert not sign_off_mail()


def test_a_supplier_contact_sees_the_state_of_their_own_contract_only(
    client_for, contact_a, contact_b, procurement, contract_a
):
    sign_off_link_token(contract_a, by=procurement)
    assert "Waiting for the city and the supplier" in contract_page(
        client_for(contact_a), contract_a
    )
    assert client_for(contact_b).get(contract_a.get_absolute_url()).status_code == 404
    response = client_for(contact_b).post(
        reverse("governance:sign_off_confirm", args=[contract_a.pk])
    )
    assert response.status_code == 404


# Rows from before people were linked --------------------------------------------------------


def test_the_data_migration_links_typed_holders_to_people(client_for, procurement, supplier_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("governance.migrations.0015_link_role_holders_to_people")
    contract = make_contract(supplier_a)
    level = contract.governance_levels.get(level=Level.CONTRACT)
    anna = city_person("anna@city.example", "Anna", "Lind")
    typed = {
        "anna": ("buyer", "Anna L", "Anna@City.example"),
        "nobody": ("buyer", "Ex Employee", "ex@city.example"),
        "olof": ("supplier", "Olof Vd", "olof@alpha.example"),
    }
    for key, (side, name, email) in typed.items():
        RoleHolder.objects.create(
            governance_level=level, side=side, role_title=key, name=name, email=email
        )
    migration.link(apps, None)
    assert RoleHolder.objects.get(role_title="anna").user == anna
    olof = RoleHolder.objects.get(role_title="olof").contact
    assert (olof.supplier, olof.name, olof.email) == (supplier_a, "Olof Vd", "olof@alpha.example")
    # Nobody with that address: kept as typed, and the page asks for a person.
    assert not RoleHolder.objects.get(role_title="nobody").is_linked
    page = contract_page(client_for(procurement), contract)
    assert "not linked to a person in the portal: name them again from the list" in page


def test_each_side_is_told_in_their_own_language(procurement, contract_a):
    sign_off(contract_a)
    city = business(contract_a, Side.BUYER).user
    city.language = "sv"
    city.save()
    level = contract_a.governance_levels.get(level=Level.CONTRACT)
    change_mandate(governance_level=level, mandate="Prices only.", by=procurement)
    (message,) = sign_off_mail(to=CITY_SIGNER)
    assert message.payload["subject"] == "Styrmodellen för A-001 har ändrats: godkänn den igen"
    assert "Kontraktsnivå: mandatet skrevs om" in message.payload["body"]
    (message,) = sign_off_mail(to=SUPPLIER_SIGNER)  # no account: the portal's (as tested)
    assert "Contract level: the mandate was rewritten" in message.payload["body"]
