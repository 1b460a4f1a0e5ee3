"""The People page: everyone with an account, for procurement staff and administrators, who
deactivate and reactivate accounts there; each change is in the access log."""

import html
import re

import pytest
from django.urls import reverse

from governance import views
from governance.models import AccessEvent, Role, RoleHolder, Side
from meetings.models import MinutesComment
from tests.factories import make_held_minutes, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_register_keeper_deactivates_and_reactivates_an_account(
    client, client_for, procurement, contact_a, contract_a
):
    page = client_for(procurement).get(reverse("people"), {"q": contact_a.email}).content.decode()
    assert contact_a.email in page and procurement.email not in page

    rows = client_for(procurement).post(reverse("people_deactivate", args=[contact_a.pk]), **HTMX)
    assert "Deactivated" in rows.content.decode()
    contact_a.refresh_from_db()
    assert not contact_a.is_active
    assert AccessEvent.objects.get(kind="deactivated", person=contact_a).by == procurement
    client.force_login(contact_a)
    assert client.get(contract_a.get_absolute_url()).status_code in (302, 404)

    client_for(procurement).post(reverse("people_reactivate", args=[contact_a.pk]), **HTMX)
    contact_a.refresh_from_db()
    assert contact_a.is_active
    assert AccessEvent.objects.filter(kind="reactivated", person=contact_a, by=procurement)


def test_nobody_deactivates_themselves_and_only_an_administrator_an_administrator(
    client_for, procurement, admin_user
):
    client = client_for(procurement)
    own = client.post(reverse("people_deactivate", args=[procurement.pk]), **HTMX)
    assert own.status_code == 409
    assert own["HX-Retarget"] == "#messages"
    assert "You cannot deactivate your own account." in own.content.decode()
    admin = client.post(reverse("people_deactivate", args=[admin_user.pk]), **HTMX)
    assert "Only an administrator can deactivate an administrator." in admin.content.decode()
    admin_user.refresh_from_db()
    procurement.refresh_from_db()
    assert admin_user.is_active and procurement.is_active

    other = make_user(Role.PROCUREMENT)
    client_for(admin_user).post(reverse("people_deactivate", args=[other.pk]), **HTMX)
    other.refresh_from_db()
    assert not other.is_active


def test_everything_the_portal_holds_about_a_person_on_a_page_and_as_json(
    client_for, procurement, contact_a, contract_a
):
    minutes = make_held_minutes(contract_a, procurement)
    MinutesComment.objects.create(minutes=minutes, author=contact_a, body="Our figure differs")
    level = contract_a.governance_levels.first()
    for email in (contact_a.email.upper(), contact_a.email.replace("@", ".x@")):
        RoleHolder.objects.create(
            governance_level=level, side=Side.SUPPLIER, role_title="Lead", name="N", email=email
        )
    client = client_for(procurement)
    page = client.get(reverse("portal:personal_data", args=[contact_a.pk])).content.decode()
    assert "Our figure differs" in page and "Role-holder slots" in page
    data = client.get(reverse("portal:personal_data_json", args=[contact_a.pk])).json()
    assert data["account"]["email"] == contact_a.email
    assert [comment["text"] for comment in data["comments"]] == ["Our figure differs"]
    assert len(data["role_holder_slots"]) == 1  # the other address is another person's


def test_the_pages_of_a_search_keep_the_search(client_for, procurement, monkeypatch):
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 2)
    for number in range(3):
        make_user(Role.PROCUREMENT, email=f"kim{number}@city.example")
    page = client_for(procurement).get(reverse("people"), {"q": "kim"}).content.decode()
    assert "?q=kim&amp;page=2" in page
    second = client_for(procurement).get(reverse("people"), {"q": "kim", "page": 2})
    assert "kim2@city.example" in second.content.decode()


def test_a_register_keeper_changes_a_staff_members_role(client_for, procurement, director):
    client = client_for(procurement)
    page = client.get(reverse("people")).content.decode()
    assert f'id="role-{director.pk}"' in page
    assert f'id="role-{procurement.pk}"' not in page  # not one's own

    rows = client.post(
        reverse("people_change_role", args=[director.pk]), {"role": "procurement"}, **HTMX
    )
    assert rows.status_code == 200
    director.refresh_from_db()
    assert director.role == Role.PROCUREMENT
    event = AccessEvent.objects.get(kind="role_changed", person=director)
    assert event.by == procurement
    # The new role counts from the next page: the former director now manages the register.
    assert client_for(director).get(reverse("people")).status_code == 200


def test_role_changes_that_are_refused_say_why(client_for, procurement, director, contact_a):
    client = client_for(procurement)
    url = reverse("people_change_role", args=[director.pk])
    for person, role, why in [
        (director, "admin", "Only an administrator gives or takes the administrator role."),
        (director, "supplier", "Choose one of the city's roles."),
        (contact_a, "procurement", "A supplier's contact has no other role in the portal."),
        (procurement, "director", "Another manager or an administrator changes your role."),
    ]:
        url = reverse("people_change_role", args=[person.pk])
        response = client.post(url, {"role": role}, **HTMX)
        assert response.status_code == 409
        assert why in html.unescape(response.content.decode())
    assert not AccessEvent.objects.filter(kind="role_changed").exists()


def test_an_administrator_makes_an_officer_an_administrator(client_for, admin_user, procurement):
    client_for(admin_user).post(
        reverse("people_change_role", args=[procurement.pk]), {"role": "admin"}, **HTMX
    )
    procurement.refresh_from_db()
    assert (procurement.role, procurement.is_staff, procurement.is_superuser) == (
        Role.ADMINISTRATOR,
        True,
        True,
    )


def test_a_contact_who_left_is_invited_again_and_gets_the_same_account_back(
    client, client_for, procurement, contact_a, contract_a, mailoutbox
):
    client_for(procurement).post(reverse("people_deactivate", args=[contact_a.pk]), **HTMX)
    page = client_for(procurement).get(reverse("people")).content.decode()
    assert reverse("suppliers:person_reinvite", args=[contact_a.pk]) in page

    rows = client_for(procurement).post(
        reverse("suppliers:person_reinvite", args=[contact_a.pk]), **HTMX
    )
    assert rows.status_code == 200
    assert AccessEvent.objects.get(kind="reinvited", person=contact_a).by == procurement
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mailoutbox[-1].body).group(1)

    client.logout()
    response = client.post(
        link,
        {
            "name": "Åsa Returned",
            "password1": "a fresh long phrase",
            "password2": "a fresh long phrase",
        },
    )
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert contact_a.is_active and contact_a.first_name == "Åsa"
    assert contact_a.check_password("a fresh long phrase")
    assert client.get(contract_a.get_absolute_url()).status_code == 200


def test_only_a_deactivated_contact_is_invited_again(client_for, procurement, contact_a, director):
    client = client_for(procurement)
    for person, why in [
        (contact_a, "This account is active"),
        (director, "Only a supplier's contact is invited."),
    ]:
        response = client.post(reverse("suppliers:person_reinvite", args=[person.pk]), **HTMX)
        assert response.status_code == 409
        assert why in html.unescape(response.content.decode())
