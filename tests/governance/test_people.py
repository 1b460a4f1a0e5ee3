"""The People page: everyone with an account, for procurement staff and administrators, who
deactivate and reactivate accounts there; each change is in the access log."""

import pytest
from django.urls import reverse

from governance.models import AccessEvent, Role
from tests.factories import make_user

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
