"""Odd input in URLs and query strings gets a clear answer, never a server error."""

import pytest
from django.urls import reverse

from tests.factories import make_held_minutes

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.mark.parametrize(
    "path",
    [
        f"/contracts/{HUGE}/",
        f"/suppliers/{HUGE}/",
        f"/suppliers/{2**63}/edit/",
        "/contracts/?supplier=99999999999999999999999&status=bogus&page=last",
        "/contracts/?page=-1&q=%00",
        "/contracts/1/levels/unknown/mandate/",
        "/invitations/%00/",
        f"/meetings/{HUGE}/",
        f"/minutes/{HUGE}/",
        f"/minutes/{2**63}/minutes.pdf",
        f"/meetings/{HUGE}/calendar.ics",
    ],
)
def test_odd_urls_answer_without_a_server_error(client_for, procurement, contract_a, path):
    response = client_for(procurement).get(path)
    assert response.status_code in (200, 404)


def test_null_byte_in_a_form_is_refused_politely(client_for, procurement):
    response = client_for(procurement).post(
        reverse("suppliers:create"),
        {"name": "Nul\x00 AB", "organisation_number": "556036-0793", "tier": "key"},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_odd_minutes_input_is_refused_politely(client_for, procurement, contract_a):
    minutes = make_held_minutes(contract_a, procurement)
    item = minutes.items.first()
    client = client_for(procurement)
    response = client.post(
        reverse("meetings:minutes_item_edit", args=[item.pk]),
        {
            f"item-{item.pk}-notes": "Nul\x00 notes",
            f"item-{item.pk}-decisions": "",
            f"item-{item.pk}-revision": str(10**30),
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Null characters are not allowed." in body
    assert "Ensure this value is less than or equal to" in body
    response = client.post(
        reverse("meetings:attendee_add", args=[minutes.pk]),
        {"name": "x" * 500, "email": "not-an-address", "organisation": "", "side": "nobody"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 120 characters" in body
    assert "Enter a valid email address." in body
    assert "Select a valid choice." in body
