"""Odd input in URLs and query strings gets a clear answer, never a server error."""

import pytest
from django.urls import reverse

from governance.forms import ID_MAX, id_from_query
from suppliers.forms import ContractFilterForm
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


# Digits to str.isdigit() that int() or the database refuse: a superscript, Arabic-Indic, a
# number past SQLite's integers.
ODD_IDS = ["²", "\u0661\u0662", "\U0001d7d7", "9999999999999999999", "9" * 23, "0", "-1"]
LIST_FILTERS = [
    "/issues/?supplier=",
    "/actions/?forum=",
    "/figures/?supplier=",
    "/pulse/?supplier=",
    "/contracts/?supplier=",
]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("list_filter", LIST_FILTERS)
def test_an_odd_id_in_a_list_filter_is_left_out_or_not_found(
    client_for, procurement, contact_a, contract_a, list_filter, odd
):
    for user in (procurement, contact_a):
        response = client_for(user).get(list_filter + odd)
        assert response.status_code in (200, 404), (list_filter, odd)


def test_an_id_past_the_database_s_integers_is_not_a_filter():
    texts = ["12", "²", "\u0661", str(ID_MAX), str(ID_MAX + 1)]
    assert [id_from_query(text) for text in texts] == [12, None, None, ID_MAX, None]
    assert not ContractFilterForm({"supplier": "9999999999999999999"}).is_valid()


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
