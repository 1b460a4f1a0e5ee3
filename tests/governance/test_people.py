"""The People page: everyone with an account, for procurement staff and administrators, who
deactivate and reactivate accounts there; each change is in the access log."""

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
