"""Erasure on request (portal.erasure): the person's account ends, and their name, address and
phone number are gone from every table, history and access log included, shown as "Former
contact, <supplier>"; approved minutes keep the names they were approved with."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from escalations.models import Issue
from governance.models import AccessEvent, OutboxMessage, Role
from governance.outbox import email_message
from governance.services import add_role_holder
from meetings.models import Action, Attendance, Meeting, MinutesComment, MinutesPdf
from meetings.services import add_action, approve_minutes, start_minutes
from suppliers.models import Contact, Invitation
from suppliers.services import accept_invitation, invite_contact
from tests.factories import (
    PASSWORD,
    give_authenticator,
    make_forum,
    make_issue,
    make_user,
    mark_present,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NAME = "Anna Bergqvist"
EMAIL = "anna.bergqvist@alpha.example"
PHONE = "+46 70 123 45 67"
FORMER = "Former contact, Alpha Drift AB"


def _meeting(forum, days_ago):
    starts_at = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


@pytest.fixture
def anna(client, supplier_a, contract_a, procurement):
    """A supplier contact in every place the portal keeps a person: her account and contact
    row, a role, the attendance of approved and draft minutes, an action and an issue she
    owns, a comment, sign-ins, an e-mail and an authenticator."""
    invitation, _token = invite_contact(supplier=supplier_a, name=NAME, email=EMAIL, by=procurement)
    person = accept_invitation(invitation=invitation, name=NAME, password=PASSWORD)
    contact = Contact.objects.get(user=person)
    contact.phone = PHONE
    contact.save()
    level = contract_a.governance_levels.get(level="operational")
    add_role_holder(
        governance_level=level,
        role_title="Service manager",
        contact=contact,
        phone=PHONE,
        by=procurement,
    )
    forum = make_forum([contract_a], procurement)
    approved = approve_minutes(
        minutes=mark_present(start_minutes(meeting=_meeting(forum, 14), by=procurement)),
        by=procurement,
    )
    MinutesPdf.objects.create(
        minutes=approved, content=f"%PDF-1.7 {NAME}".encode(), sha256="0" * 64
    )
    MinutesComment.objects.create(minutes=approved, author=person, body="Our figure differs")
    draft = start_minutes(meeting=_meeting(forum, 7), by=procurement)
    add_action(
        minutes=draft,
        item=draft.items.first(),
        description="Send the root-cause analysis",
        owner_name=NAME,
        owner_organisation=supplier_a.name,
        due_on=None,
        by=procurement,
    )
    make_issue([contract_a], person, owner_name=NAME, title="Backups fail")
    client.post(reverse("login"), {"username": EMAIL.upper(), "password": "wrong"})
    email_message("test:to-anna", to=EMAIL, subject="Minutes", body=f"Dear {NAME}").save()
    give_authenticator(person)
    return {"person": person, "approved": approved, "draft": draft}


def _database_text():
    """Every row of every table (history tables included) as text, by model."""
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values():
            values = {
                key: bytes(value).decode(errors="replace")
                if isinstance(value, memoryview | bytes)
                else value
                for key, value in row.items()
            }
            yield model, values, repr(values)


def _kept_as_approved(model, row, approved_pk):
    """The approved minutes' own rows and their history: a public record that keeps names."""
    if model._meta.object_name in {"Attendance", "HistoricalAttendance", "MinutesPdf"}:
        return row["minutes_id"] == approved_pk
    return False


def test_an_erased_contact_is_a_former_contact_everywhere_but_in_approved_minutes(
    client, client_for, procurement, anna, contract_a, supplier_a
):
    person, approved, draft = anna["person"], anna["approved"], anna["draft"]
    signed_in = Client()
    signed_in.force_login(person)
    assert signed_in.get(reverse("account")).status_code == 200
    assert Attendance.objects.filter(minutes=draft, email=EMAIL).exists()

    response = client_for(procurement).post(reverse("portal:person_erase", args=[person.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("people")
    assert FORMER in str(next(iter(get_messages(response.wsgi_request))))

    person.refresh_from_db()
    assert person.erased_at is not None and not person.is_active
    assert person.email == f"former-{person.pk}@erased.invalid"
    assert not person.has_usable_password()
    assert str(person) == FORMER
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AccessEvent.objects.get(kind="erased").by == procurement
    assert not Contact.objects.filter(supplier=supplier_a, name=NAME).exists()
    assert Invitation.objects.get(supplier=supplier_a).name == FORMER
    assert not OutboxMessage.objects.filter(key="test:to-anna").exists()
    # The role she held is now missing, not held by a made-up person.
    level = contract_a.governance_levels.get(level="operational")
    assert not level.role_holders.filter(role_title="Service manager").exists()

    # Her open session ended.
    assert signed_in.get(reverse("account")).status_code == 302

    manager = client_for(procurement)
    assert Action.objects.get(minutes=draft).owner_name == FORMER
    issue = Issue.objects.get()
    assert issue.owner_name == FORMER
    pages = [
        reverse("people"),
        reverse("people") + "?q=alpha",
        reverse("access_log"),
        reverse("portal:personal_data", args=[person.pk]),
        reverse("portal:personal_data_json", args=[person.pk]),
        reverse("portal:supplier_detail", args=[supplier_a.pk]),
        reverse("portal:contract_detail", args=[contract_a.pk]),
        reverse("portal:contract_history", args=[contract_a.pk]),
        reverse("meetings:minutes_detail", args=[draft.pk]),
        reverse("meetings:minutes_detail", args=[approved.pk]),
        reverse("escalations:issue_list"),
        reverse("escalations:issue_detail", args=[issue.pk]),
    ]
    shown = {}
    for page in pages:
        response = manager.get(page)
        assert response.status_code == 200, page
        shown[page] = response.content.decode()
    approved_url = reverse("meetings:minutes_detail", args=[approved.pk])
    for page, html in shown.items():
        assert PHONE not in html, page
        if page != approved_url:
            assert NAME not in html and EMAIL not in html, page
    for page in (
        reverse("people"),
        reverse("portal:personal_data", args=[person.pk]),
        reverse("meetings:minutes_detail", args=[draft.pk]),
        reverse("escalations:issue_detail", args=[issue.pk]),
        reverse("portal:contract_history", args=[contract_a.pk]),
    ):
        assert FORMER in shown[page], page
    assert person.email in shown[reverse("access_log")]

    # Approved minutes keep the names they were approved with; her comment, not part of the
    # record, is shown by the pseudonym.
    approved_page = shown[approved_url]
    assert NAME in approved_page and FORMER in approved_page
    assert Attendance.objects.filter(minutes=approved, name=NAME).exists()
    assert NAME.encode() in bytes(MinutesPdf.objects.get(minutes=approved).content)

    # Nowhere else in the database: not in a table, a history table or the access log.
    for model, row, text in _database_text():
        if _kept_as_approved(model, row, approved.pk):
            continue
        for secret in (EMAIL, NAME, PHONE):
            assert secret.lower() not in text.lower(), (model.__name__, row)

    # Neither address signs in (each try is in the access log from now on, as anyone's).
    for address in (EMAIL, person.email):
        client.logout()
        response = client.post(reverse("login"), {"username": address, "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_erased_member_of_staff_is_a_former_employee(client_for, admin_user):
    person = make_user(Role.PROCUREMENT, first_name="Per", last_name="Persson")
    client_for(admin_user).post(reverse("portal:person_erase", args=[person.pk]), **HTMX)
    person.refresh_from_db()
    assert str(person) == "Former employee"
    page = client_for(admin_user).get(reverse("people")).content.decode()
    assert "Former employee" in page and "Persson" not in page


def test_nobody_erases_themselves_and_only_an_administrator_an_administrator(
    client_for, procurement, admin_user
):
    client = client_for(procurement)
    own = client.post(reverse("portal:person_erase", args=[procurement.pk]), **HTMX)
    assert own.status_code == 409 and own["HX-Retarget"] == "#messages"
    assert "You cannot erase your own personal data." in own.content.decode()
    admin = client.post(reverse("portal:person_erase", args=[admin_user.pk]), **HTMX)
    assert admin.status_code == 409
    assert "Only an administrator can erase an administrator&#x27;s data." in (
        admin.content.decode()
    )
    admin_user.refresh_from_db()
    procurement.refresh_from_db()
    assert admin_user.erased_at is None and procurement.erased_at is None

    other = make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    done = client_for(admin_user).post(reverse("portal:person_erase", args=[other.pk]), **HTMX)
    assert done["HX-Redirect"] == reverse("people")
    other.refresh_from_db()
    assert other.erased_at is not None


def test_an_erased_account_is_not_reactivated_nor_invited_again(client_for, procurement, contact_a):
    client_for(procurement).post(reverse("portal:person_erase", args=[contact_a.pk]))
    client_for(procurement).post(reverse("people_reactivate", args=[contact_a.pk]))
    contact_a.refresh_from_db()
    assert not contact_a.is_active
    page = client_for(procurement).get(reverse("people")).content.decode()
    assert "Personal data erased" in page
    assert reverse("people_reactivate", args=[contact_a.pk]) not in page
    assert reverse("suppliers:person_reinvite", args=[contact_a.pk]) not in page
    response = client_for(procurement).post(
        reverse("suppliers:person_reinvite", args=[contact_a.pk]), **HTMX
    )
    assert response.status_code == 409
    assert not Invitation.objects.filter(supplier=contact_a.supplier).exists()


def test_the_erase_button_is_on_the_personal_data_page(client_for, procurement, contact_a):
    page = client_for(procurement).get(reverse("portal:personal_data", args=[contact_a.pk]))
    assert reverse("portal:person_erase", args=[contact_a.pk]) in page.content.decode()
    assert "hx-confirm" in page.content.decode()
    own = client_for(procurement).get(reverse("portal:personal_data", args=[procurement.pk]))
    assert reverse("portal:person_erase", args=[procurement.pk]) not in own.content.decode()


def test_approved_minutes_keep_the_approvers_name_when_the_approver_is_erased(
    client_for, admin_user, contract_a
):
    approver = make_user(Role.PROCUREMENT, first_name="Berit", last_name="Approving")
    forum = make_forum([contract_a], approver)
    approved = approve_minutes(
        minutes=mark_present(start_minutes(meeting=_meeting(forum, 14), by=approver)), by=approver
    )
    client_for(admin_user).post(reverse("portal:person_erase", args=[approver.pk]))
    approver.refresh_from_db()
    assert approver.erased_at is not None

    page = client_for(admin_user).get(reverse("meetings:minutes_detail", args=[approved.pk]))
    assert "Approved by Berit Approving" in " ".join(page.content.decode().split())
