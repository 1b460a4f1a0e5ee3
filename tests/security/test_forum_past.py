"""What a supplier sees of a forum follows the meetings its contracts were on, not the forum's
membership of today: a supplier added to a forum does not read its past, and one taken off
keeps the meetings it took part in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MinutesComment
from meetings.services import (
    approve_minutes,
    publish_minutes_pdf,
    reconcile_meetings,
    start_minutes,
)
from tests.factories import make_held_minutes

pytestmark = pytest.mark.django_db


def _forum_form(forum, contracts, chair):
    return {
        "name": forum.name,
        "level": forum.level,
        "cadence": forum.cadence,
        "contracts": [contract.pk for contract in contracts],
        "chair": chair.pk,
        "mode": "phone",
        "dial_in": forum.dial_in,
        "weekday": forum.weekday,
        "time_of_day": "09:00",
        "duration_minutes": forum.duration_minutes,
        "week_of_month": 1,
        "month_of_quarter": 1,
        "month_of_year": 11,
        "on_holiday": "move",
        "starts_on": "2020-01-01",
        "is_active": "on",
    }


@pytest.fixture
def forum_with_a_past(procurement, contract_a):
    """Supplier A's weekly forum: approved minutes (with their PDF) of one meeting, a draft
    with a comment of a later one, and meetings planned ahead."""
    approved = make_held_minutes(contract_a, procurement, notes="Kvarnberg P1 times 3.2 h")
    approved = approve_minutes(minutes=approved, by=procurement)
    publish_minutes_pdf({"minutes": approved.pk})  # what the worker does next
    forum = approved.meeting.forum
    starts_at = timezone.now() - timedelta(hours=1)
    later = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30)
    )
    draft = start_minutes(meeting=later, by=procurement)
    MinutesComment.objects.create(minutes=draft, author=procurement, body="Alpha's draft remark")
    reconcile_meetings()
    return forum, approved, draft


def test_a_supplier_added_to_a_forum_sees_its_coming_meetings_but_not_its_past(
    client_for, procurement, contract_a, contract_b, contact_a, contact_b, forum_with_a_past
):
    forum, approved, draft = forum_with_a_past
    edit = client_for(procurement).post(
        reverse("meetings:forum_edit", args=[forum.pk]),
        _forum_form(forum, [contract_a, contract_b], procurement),
    )
    assert edit.status_code == 302

    client = client_for(contact_b)
    pdf = reverse("meetings:minutes_pdf", args=[approved.pk])
    assert client_for(contact_a).get(pdf).status_code == 200  # the supplier that was on it
    client = client_for(contact_b)
    for url in (
        reverse("meetings:minutes_pdf", args=[approved.pk]),
        reverse("meetings:minutes_detail", args=[approved.pk]),
        reverse("meetings:minutes_detail", args=[draft.pk]),
        approved.meeting.get_absolute_url(),
        draft.meeting.get_absolute_url(),
        reverse("meetings:meeting_calendar", args=[draft.meeting.pk]),
    ):
        assert client.get(url).status_code == 404, url
    actions = client.get(reverse("meetings:action_list")).content.decode()
    assert "Send the root-cause analysis" not in actions
    forum_page = client.get(reverse("meetings:forum_detail", args=[forum.pk])).content.decode()
    assert "Kvarnberg" not in forum_page
    assert approved.meeting.get_absolute_url() not in forum_page

    coming = forum.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    assert set(coming.contracts.all()) == {contract_a, contract_b}
    assert client.get(coming.get_absolute_url()).status_code == 200
    assert coming.get_absolute_url() in forum_page


def test_a_supplier_taken_off_a_forum_keeps_the_meetings_it_was_on(
    client_for, procurement, contract_a, contract_b, contact_a, forum_with_a_past
):
    forum, approved, _draft = forum_with_a_past
    client_for(procurement).post(
        reverse("meetings:forum_edit", args=[forum.pk]),
        _forum_form(forum, [contract_b], procurement),
    )
    client = client_for(contact_a)
    assert client.get(reverse("meetings:minutes_pdf", args=[approved.pk])).status_code == 200
    coming = forum.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    assert client.get(coming.get_absolute_url()).status_code == 404
