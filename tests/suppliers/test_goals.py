"""The target picture (målbild) on the contract page: every party reads it, procurement
staff write it, history records who changed what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relationship.models import Goal, GoalStatus
from relationship.selectors import goals_of
from tests.helpers import assert_section, contract_a_link

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def goal_a(contract_a):
    return Goal.objects.create(
        contract=contract_a,
        title="Staff notice no maintenance",
        description="Changes happen outside working hours.",
        target_date="2027-06-30",
    )


def test_every_party_of_the_contract_reads_the_target_picture(
    client_for, goal_a, contact_a, director, procurement
):
    for user in (contact_a, director, procurement):
        page = client_for(user).get(goal_a.contract.get_absolute_url()).content.decode()
        assert "Target picture" in page
        assert "Staff notice no maintenance" in page
        assert "2027-06-30" in page
        assert "Pursuing" in page
    page = client_for(contact_a).get(goal_a.contract.get_absolute_url()).content.decode()
    assert "Add a goal" not in page
    assert reverse("relationship:goal_edit", args=[goal_a.contract_id, goal_a.pk]) not in page


def test_another_suppliers_contact_gets_404_for_the_goal(client_for, goal_a, contact_b):
    client = client_for(contact_b)
    contract = goal_a.contract
    assert client.get(contract.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("relationship:goal_edit", args=[contract.pk, goal_a.pk])).status_code
        == 404
    )
    for name, args in [
        ("relationship:goal_add", [contract.pk]),
        ("relationship:goal_edit", [contract.pk, goal_a.pk]),
        ("relationship:goal_status", [contract.pk, goal_a.pk]),
    ]:
        assert client.post(reverse(name, args=args), {"status": "dropped"}).status_code == 404
    goal_a.refresh_from_db()
    assert goal_a.status == GoalStatus.PURSUING


def test_a_goal_of_another_contract_is_404_even_for_procurement(
    client_for, goal_a, contract_b, procurement
):
    url = reverse("relationship:goal_edit", args=[contract_b.pk, goal_a.pk])
    assert client_for(procurement).get(url).status_code == 404


@pytest.mark.parametrize("who", ["director", "contact_a"])
def test_only_procurement_writes_goals(request, client_for, goal_a, who):
    client = client_for(request.getfixturevalue(who))
    contract = goal_a.contract
    assert (
        client.post(
            reverse("relationship:goal_add", args=[contract.pk]), {"goal-title": "X"}
        ).status_code
        == 403
    )
    edit = reverse("relationship:goal_edit", args=[contract.pk, goal_a.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {f"goal-{goal_a.pk}-title": "X"}).status_code == 403
    status = reverse("relationship:goal_status", args=[contract.pk, goal_a.pk])
    assert client.post(status, {"status": "dropped"}).status_code == 403
    assert Goal.objects.get().title == "Staff notice no maintenance"
    assert Goal.objects.get().status == GoalStatus.PURSUING


def test_procurement_adds_a_goal_with_htmx_and_without_js(client_for, contract_a, procurement):
    client = client_for(procurement)
    url = reverse("relationship:goal_add", args=[contract_a.pk])
    response = client.post(
        url,
        {
            "goal-title": "One service desk",
            "goal-description": "One number",
            "goal-target_date": "2027-01-31",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert_section(response, "goals")
    assert "One service desk" in response.content.decode()
    response = client.post(url, {"goal-title": "Second goal"})
    assert response.status_code == 302
    assert response["Location"] == contract_a.get_absolute_url() + "#goals"
    goals = Goal.objects.filter(contract=contract_a)
    assert {goal.title for goal in goals} == {"One service desk", "Second goal"}
    assert {goal.status for goal in goals} == {GoalStatus.PURSUING}


def test_edit_in_place_and_without_js_keeps_history(client_for, goal_a, procurement):
    client = client_for(procurement)
    url = reverse("relationship:goal_edit", args=[goal_a.contract_id, goal_a.pk])
    form = client.get(url, **HTMX)
    assert_section(form, "goals")
    assert f'name="goal-{goal_a.pk}-title"' in form.content.decode()
    page = client.get(url)  # without JS: the target picture's page, with the goal being edited
    assert "<html" in page.content.decode()
    assert contract_a_link(goal_a) in page.content.decode()
    assert "Edit goal" in page.content.decode()
    data = {
        f"goal-{goal_a.pk}-title": "Staff never notice maintenance",
        f"goal-{goal_a.pk}-description": "",
        f"goal-{goal_a.pk}-target_date": "2027-12-31",
        f"goal-{goal_a.pk}-status": "pursuing",
    }
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    assert "Staff never notice maintenance" in response.content.decode()
    goal_a.refresh_from_db()
    assert goal_a.title == "Staff never notice maintenance"
    assert str(goal_a.target_date) == "2027-12-31"
    last = goal_a.history.latest()
    assert last.history_type == "~"
    assert last.history_user == procurement
    assert goal_a.history.count() == 2
    page = client.get(goal_a.contract.get_absolute_url()).content.decode()
    assert f"by {procurement}" in page


def test_status_changes_in_place_and_is_recorded(client_for, goal_a, procurement):
    client = client_for(procurement)
    url = reverse("relationship:goal_status", args=[goal_a.contract_id, goal_a.pk])
    response = client.post(url, {"status": "achieved"}, **HTMX)
    assert response.status_code == 200
    assert "Achieved" in response.content.decode()
    goal_a.refresh_from_db()
    assert goal_a.status == GoalStatus.ACHIEVED
    assert goal_a.history.latest().history_user == procurement
    response = client.post(url, {"status": "dropped"})
    assert response["Location"].endswith("#goals")
    goal_a.refresh_from_db()
    assert goal_a.status == GoalStatus.DROPPED
    assert [record.status for record in goal_a.history.order_by("history_date")] == [
        "pursuing",
        "achieved",
        "dropped",
    ]


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_goal_input_is_explained_and_kept(client_for, contract_a, procurement, htmx):
    headers = HTMX if htmx else {}
    client = client_for(procurement)
    url = reverse("relationship:goal_add", args=[contract_a.pk])
    response = client.post(
        url,
        {
            "goal-title": "Nul\x00 goal",
            "goal-description": "Kept text " + "x" * 5000,
            "goal-target_date": "someday",
        },
        **headers,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Null characters are not allowed." in page
    assert "Ensure this value has at most 4000 characters" in page
    assert "Enter a valid date." in page
    assert "Kept text" in page
    assert 'value="someday"' in page
    response = client.post(url, {"goal-title": "T" * 201}, **headers)
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    response = client.post(url, {}, **headers)
    assert "This field is required." in response.content.decode()
    assert not Goal.objects.exists()


def test_bad_status_is_explained(client_for, goal_a, procurement):
    url = reverse("relationship:goal_status", args=[goal_a.contract_id, goal_a.pk])
    for value in ("", "won", "\x00"):
        response = client_for(procurement).post(url, {"status": value}, **HTMX)
        assert response.status_code == 200
        assert "Choose a status" in response.content.decode()
    goal_a.refresh_from_db()
    assert goal_a.status == GoalStatus.PURSUING


def test_goals_are_read_in_a_fixed_number_of_queries(contract_a, procurement):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            goals = goals_of(contract_a)
            [goal.last_changed_by for goal in goals]
        return len(queries)

    Goal.objects.create(contract=contract_a, title="One")
    few = count_queries()
    for number in range(6):
        Goal.objects.create(contract=contract_a, title=f"More {number}")
    assert count_queries() == few
