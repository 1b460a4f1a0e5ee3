"""The city's target picture (målbild): city-wide goals the city writes and every party reads,
contract goals that say which of them they serve, and the picture at the head of every
quarterly key-supplier agenda and of the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.pdf import render_minutes_pdf
from meetings.services import start_minutes
from relationship.models import CityGoal, Goal
from tests.factories import make_forum, make_held_minutes, make_quarterly_meeting
from tests.helpers import assert_section, squashed
from tests.meetings.test_minutes_pdf import pdf_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = reverse("relationship:target_picture")


@pytest.fixture
def city_goal(procurement):
    return CityGoal.objects.create(
        title="Every service digital first",
        description="Residents reach every service online, around the clock.",
        target_date="2028-12-31",
    )


def _page(client, url=PAGE):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["contact_a", "contact_b", "director"])
def test_every_supplier_contact_and_the_director_read_the_whole_target_picture(
    request, client_for, city_goal, who
):
    CityGoal.objects.create(title="One service desk for the city")
    page = _page(client_for(request.getfixturevalue(who)))
    assert "Every service digital first" in page
    assert "Residents reach every service online" in page
    assert "2028-12-31" in page
    assert "One service desk for the city" in page
    # Read only: no form or button that writes.
    assert reverse("relationship:city_goal_add") not in page
    assert reverse("relationship:city_goal_edit", args=[city_goal.pk]) not in page
    assert reverse("relationship:city_goal_retire", args=[city_goal.pk]) not in page


def test_the_main_navigation_leads_everyone_signed_in_to_it(client_for, contact_b, director):
    for user in (contact_b, director):
        page = _page(client_for(user), reverse("suppliers:contract_list"))
        assert f'href="{PAGE}"' in page


@pytest.mark.parametrize("who", ["director", "contact_a"])
def test_only_the_city_s_managers_write_it(request, client_for, city_goal, who):
    client = client_for(request.getfixturevalue(who))
    add = reverse("relationship:city_goal_add")
    assert client.post(add, {"city-goal-title": "Theirs"}).status_code == 403
    edit = reverse("relationship:city_goal_edit", args=[city_goal.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {f"city-goal-{city_goal.pk}-title": "Theirs"}).status_code == 403
    retire = reverse("relationship:city_goal_retire", args=[city_goal.pk])
    assert client.post(retire).status_code == 403
    city_goal.refresh_from_db()
    assert (city_goal.title, city_goal.retired_at) == ("Every service digital first", None)
    assert not CityGoal.objects.filter(title="Theirs").exists()


def test_procurement_writes_edits_retires_and_reinstates_with_history(
    client_for, procurement, city_goal
):
    client = client_for(procurement)
    response = client.post(
        reverse("relationship:city_goal_add"),
        {"city-goal-title": "Open data by default", "city-goal-target_date": "2027-06-30"},
        **HTMX,
    )
    assert_section(response, "city-goals")
    added = CityGoal.objects.get(title="Open data by default")
    assert added.history.get().history_user == procurement

    edit = reverse("relationship:city_goal_edit", args=[city_goal.pk])
    prefix = f"city-goal-{city_goal.pk}"
    response = client.post(
        edit, {f"{prefix}-title": "Every service digital", f"{prefix}-description": "Online."}
    )
    assert response.status_code == 302
    city_goal.refresh_from_db()
    assert city_goal.title == "Every service digital"

    client.post(reverse("relationship:city_goal_retire", args=[city_goal.pk]))
    city_goal.refresh_from_db()
    assert city_goal.is_retired
    page = squashed(_page(client))
    assert "Retired goals" in page
    # The history keeps each version, and the page says who changed it last.
    titles = [row.title for row in city_goal.history.order_by("history_id")]
    assert titles == ["Every service digital first"] + ["Every service digital"] * 2
    assert f"by {procurement}" in page

    client.post(reverse("relationship:city_goal_reinstate", args=[city_goal.pk]))
    city_goal.refresh_from_db()
    assert not city_goal.is_retired


def test_bad_input_is_refused_with_a_clear_message_and_nothing_lost(client_for, procurement):
    client = client_for(procurement)
    response = client.post(
        reverse("relationship:city_goal_add"),
        {
            "city-goal-title": "",
            "city-goal-description": "What I typed stays.",
            "city-goal-target_date": "2027-13-45",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "Enter a valid date." in page
    assert "What I typed stays." in page
    assert not CityGoal.objects.exists()

    response = client.post(
        reverse("relationship:city_goal_add"), {"city-goal-title": "x" * 201}, **HTMX
    )
    assert_section(response, "city-goals")
    assert "at most 200 characters" in response.content.decode()
    assert not CityGoal.objects.exists()


def test_a_contract_goal_links_to_a_city_wide_goal_shown_to_the_contract_s_parties(
    client_for, procurement, contact_a, contract_a, city_goal
):
    retired = CityGoal.objects.create(title="Paper forms", retired_at=timezone.now())
    client = client_for(procurement)
    form_page = _page(client, contract_a.get_absolute_url())
    assert "Every service digital first" in form_page
    assert "Paper forms" not in form_page  # a retired goal is not offered

    response = client.post(
        reverse("relationship:goal_add", args=[contract_a.pk]),
        {"goal-title": "Self-service portal", "goal-city_goal": city_goal.pk},
        **HTMX,
    )
    assert_section(response, "goals")
    goal = Goal.objects.get(title="Self-service portal")
    assert goal.city_goal == city_goal

    refused = client.post(
        reverse("relationship:goal_add", args=[contract_a.pk]),
        {"goal-title": "Keep paper", "goal-city_goal": retired.pk},
        **HTMX,
    )
    assert "Select a valid choice." in refused.content.decode()
    assert not Goal.objects.filter(title="Keep paper").exists()

    page = squashed(_page(client_for(contact_a), contract_a.get_absolute_url()))
    assert "Serves the city's goal" in page
    assert f'href="{PAGE}#city-goal-{city_goal.pk}">Every service digital first</a>' in page


def test_it_heads_every_quarterly_key_supplier_agenda(
    client_for, procurement, contact_a, contract_a, city_goal
):
    CityGoal.objects.create(title="Paper forms", retired_at=timezone.now())
    Goal.objects.create(contract=contract_a, title="Self-service", city_goal=city_goal)
    soon = timezone.now() + timedelta(days=7)
    quarterly = make_quarterly_meeting([contract_a], procurement, starts_at=soon)
    for user in (procurement, contact_a):
        page = squashed(_page(client_for(user), quarterly.get_absolute_url()))
        heading = page.index("The city's target picture")
        assert heading < page.index('id="agenda"')
        assert "Every service digital first" in page
        assert "1 contract goal serves it" in page
        assert "Paper forms" not in page  # retired: no longer part of the picture

    weekly = make_forum([contract_a], procurement, name="Weekly ops")
    meeting = weekly.meetings.create(starts_at=soon, ends_at=soon + timedelta(hours=1))
    assert "The city's target picture" not in _page(
        client_for(procurement), meeting.get_absolute_url()
    )


def test_it_heads_the_dashboard(client_for, director, contract_a, city_goal):
    Goal.objects.create(
        contract=contract_a, title="Self-service", city_goal=city_goal, status="achieved"
    )
    page = squashed(_page(client_for(director), reverse("portal:dashboard")))
    assert page.index("The city's target picture") < page.index("open at operational level")
    assert "Every service digital first" in page
    assert "1 contract goal serves it · 1 achieved" in page


def test_a_quarterly_meeting_s_minutes_pdf_opens_with_the_target_picture(
    procurement, contract_a, city_goal, tmp_path
):
    CityGoal.objects.create(title="Paper forms", retired_at=timezone.now())
    quarterly = start_minutes(
        meeting=make_quarterly_meeting([contract_a], procurement), by=procurement
    )
    text = " ".join(pdf_text(render_minutes_pdf(quarterly), tmp_path).split())
    assert text.index("The city's target picture") < text.index("Attendance")
    assert "Every service digital first · by 2028-12-31" in text
    assert "Paper forms" not in text

    weekly = make_held_minutes(contract_a, procurement)
    assert "target picture" not in pdf_text(render_minutes_pdf(weekly), tmp_path)
