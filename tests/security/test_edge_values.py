"""Dates and month counts the portal computes with: a value at the edge of what a form took
used to break later pages (a notice period of 32,767 months put the deadline before year 1; a
forum starting on 9999-12-31 overflowed while planning its meetings, for every forum). Now the
form refuses it with a reason, and what it accepts shows everywhere."""

import pytest
from django.urls import reverse

from meetings.models import Forum
from meetings.services import reconcile_meetings
from suppliers.models import Contract
from tests.factories import make_forum
from tests.security.forms import form_for
from tests.security.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(supplier_a, contract_a, procurement):
    """Just what the contract and forum forms need (build_world would be more than enough)."""
    forum = make_forum([contract_a], procurement)
    return World(
        "Edge",
        objects={"supplier": supplier_a.pk, "contract": contract_a.pk, "forum": forum.pk},
        users={"procurement": procurement},
    )


def pages(world):
    """The pages that compute with contract and forum dates."""
    objects = world.objects
    return [
        reverse("portal:dashboard") + "?refresh=1",
        reverse("suppliers:contract_list"),
        reverse("portal:contract_detail", args=[objects["contract"]]),
        reverse("portal:supplier_detail", args=[objects["supplier"]]),
        reverse("meetings:forum_list"),
        reverse("meetings:forum_detail", args=[objects["forum"]]),
    ]


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("notice_period_months", "32767", "Give at most 120 months (ten years)."),
        ("renewal_term_months", "121", "Give at most 120 months (ten years)."),
        ("renewal_term_months", "0", "Say how long each tacit renewal runs, in months."),
        ("start_date", "0001-01-01", "Give a date between 1900-01-01 and 2199-12-31."),
        ("end_date", "9999-12-31", "Give a date between 1900-01-01 and 2199-12-31."),
    ],
)
def test_a_contract_s_months_and_dates_beyond_reason_are_refused(
    client, world, field, value, error
):
    client.force_login(world.users["procurement"])
    contract = Contract.objects.get(pk=world.objects["contract"])
    body = {**form_for("suppliers:contract_edit").valid(world), field: value}
    response = client.post(reverse("suppliers:contract_edit", args=[contract.pk]), body)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert str(getattr(Contract.objects.get(pk=contract.pk), field)) != value


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": "1900-01-01", "end_date": "1900-01-01", "notice_period_months": "120"},
        {
            "start_date": "1900-01-01",
            "end_date": "1900-02-01",
            "renewal": "tacit",
            "renewal_term_months": "1",
            "notice_period_months": "0",
        },
        {"end_date": "2199-12-31", "renewal": "tacit", "renewal_term_months": "120"},
    ],
)
def test_a_contract_at_the_edges_shows_everywhere(client, world, changes):
    client.force_login(world.users["procurement"])
    contract_pk = world.objects["contract"]
    body = {**form_for("suppliers:contract_edit").valid(world), **changes}
    response = client.post(reverse("suppliers:contract_edit", args=[contract_pk]), body)
    assert response.status_code == 302, response.content.decode()[:2000]
    Contract.objects.filter(pk=contract_pk).update(status="active")  # on the dashboard
    for url in pages(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"starts_on": "9999-12-31"}, "Give a date between 1900-01-01 and 2199-12-31."),
        ({"ends_on": "9999-12-30"}, "Give a date between 1900-01-01 and 2199-12-31."),
    ],
)
def test_a_forum_s_dates_beyond_reason_are_refused(client, world, changes, error):
    client.force_login(world.users["procurement"])
    body = {**form_for("meetings:forum_create").valid(world), **changes}
    forums = Forum.objects.count()
    response = client.post(reverse("meetings:forum_create"), body)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Forum.objects.count() == forums


def test_a_forum_at_the_edges_is_planned_and_shown(client, world):
    client.force_login(world.users["procurement"])
    for changes in (
        {"starts_on": "2199-12-31", "weekday": "0"},  # a Tuesday: the Monday after is 2200
        {"starts_on": "1900-01-01", "ends_on": "1900-01-01"},
    ):
        body = {**form_for("meetings:forum_create").valid(world), **changes}
        response = client.post(reverse("meetings:forum_create"), body)
        assert response.status_code == 302, response.content.decode()[:2000]
    reconcile_meetings()
    for url in pages(world):
        assert client.get(url).status_code == 200, url
