"""Odd input in URLs and query strings gets a clear answer, never a server error."""

import pytest
from django.urls import reverse

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
