"""Issues live at a level; escalating moves them up with a reason, tells that level's role
holders and puts them on the agenda of that level's next meeting until they are resolved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import EventKind, IssueStatus
from escalations.services import CannotMove, escalate, next_meeting, resolve
from governance.models import Level, OutboxMessage
from meetings.models import Cadence, Meeting
from meetings.services import reconcile_meetings
from tests.factories import make_forum, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def forums(contract_a, procurement):
    weekly = make_forum([contract_a], procurement)
    quarterly = make_forum(
        [contract_a],
        procurement,
        name="Key suppliers",
        level=Level.CONTRACT,
        cadence=Cadence.QUARTERLY,
    )
    reconcile_meetings(horizon_weeks=14)
    return weekly, quarterly


def test_escalating_moves_the_issue_up_tells_the_level_and_puts_it_on_the_agenda(
    forums, contract_a, procurement, client_for
):
    weekly, quarterly = forums
    issue = make_issue([contract_a], procurement, title="Backups fail every night")
    client = client_for(procurement)

    refused = client.post(reverse("escalations:issue_move", args=[issue.pk, "escalate"]), {})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()

    client.post(
        reverse("escalations:issue_move", args=[issue.pk, "escalate"]),
        {"reason": "Three weeks without a fix; needs resources from the account."},
    )
    issue.refresh_from_db()
    assert issue.level == Level.CONTRACT
    event = issue.events.get(kind=EventKind.ESCALATED)
    assert (event.from_level, event.to_level) == (Level.OPERATIONAL, Level.CONTRACT)
    assert event.reason.startswith("Three weeks")

    # The contract level's role holders on both sides are told.
    told = {
        message.payload["to"][0]
        for message in OutboxMessage.objects.filter(key__startswith=f"issue:{issue.pk}:")
    }
    assert told == {"buyer.contract@example.org", "supplier.contract@example.org"}

    # On the next quarterly agenda, not on the weekly one any more.
    meeting = next_meeting(issue)
    assert meeting.forum == quarterly
    agenda = client.get(meeting.get_absolute_url()).content.decode()
    assert "Backups fail every night" in agenda
    weekly_meeting = weekly.meetings.filter(starts_at__gt=timezone.now()).first()
    assert (
        "Backups fail every night"
        not in client.get(weekly_meeting.get_absolute_url()).content.decode()
    )


def test_an_escalated_issue_stays_on_each_agenda_until_resolved(
    forums, contract_a, procurement, client_for
):
    _weekly, quarterly = forums
    issue = make_issue([contract_a], procurement, title="Licence dispute")
    escalate(issue, procurement, "Commercial question")
    later = quarterly.meetings.order_by("starts_at")
    client = client_for(procurement)
    for meeting in later:
        assert "Licence dispute" in client.get(meeting.get_absolute_url()).content.decode()
    resolve(issue, procurement, "Agreed at the quarterly meeting")
    assert "Licence dispute" not in client.get(later[0].get_absolute_url()).content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED


def test_nothing_escalates_above_the_business_level(contract_a, procurement):
    issue = make_issue([contract_a], procurement, level=Level.BUSINESS)
    with pytest.raises(CannotMove):
        escalate(issue, procurement, "Higher?")


def test_a_joint_issue_is_seen_by_both_suppliers_and_a_single_one_by_its_own(
    contract_a, contract_b, procurement, contact_a, contact_b, client_for
):
    joint = make_issue([contract_a, contract_b], procurement, title="Integration between A and B")
    only_a = make_issue([contract_a], procurement, title="Only Alpha's matter")
    listing_b = client_for(contact_b).get(reverse("escalations:issue_list")).content.decode()
    assert "Integration between A and B" in listing_b
    assert "Only Alpha&#x27;s matter" not in listing_b and "Only Alpha's matter" not in listing_b
    assert client_for(contact_b).get(only_a.get_absolute_url()).status_code == 404
    assert client_for(contact_a).get(joint.get_absolute_url()).status_code == 200


def test_a_joint_agenda_shows_each_supplier_only_its_own_issues(
    contract_a, contract_b, procurement, contact_b, client_for
):
    forum = make_forum([contract_a, contract_b], procurement, name="Joint operations")
    starts_at = timezone.now() + timedelta(days=2)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    make_issue([contract_a], procurement, title="Alpha-only outage")
    page = client_for(contact_b).get(meeting.get_absolute_url()).content.decode()
    assert "Alpha-only outage" not in page
    assert (
        "Alpha-only outage"
        in client_for(procurement).get(meeting.get_absolute_url()).content.decode()
    )


def test_raising_an_issue_keeps_input_on_error_and_records_who(contract_a, procurement, client_for):
    client = client_for(procurement)
    response = client.post(
        reverse("escalations:issue_create"),
        {"title": "Slow service desk", "level": "operational", "severity": "high"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in body
    assert "Slow service desk" in body
    response = client.post(
        reverse("escalations:issue_create"),
        {
            "title": "Slow service desk",
            "level": "operational",
            "severity": "high",
            "contracts": [contract_a.pk],
            "owner_name": "Ola",
            "owner_organisation": "Alpha Drift AB",
        },
        follow=True,
    )
    assert "Issue raised." in response.content.decode()
    assert "Raised" in response.content.decode()
