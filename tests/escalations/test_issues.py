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
    escalate(issue=issue, by=procurement, reason="Commercial question")
    later = quarterly.meetings.order_by("starts_at")
    client = client_for(procurement)
    for meeting in later:
        assert "Licence dispute" in client.get(meeting.get_absolute_url()).content.decode()
    resolve(issue=issue, by=procurement, reason="Agreed at the quarterly meeting")
    assert "Licence dispute" not in client.get(later[0].get_absolute_url()).content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED


def test_nothing_escalates_above_the_business_level(contract_a, procurement):
    issue = make_issue([contract_a], procurement, level=Level.BUSINESS)
    with pytest.raises(CannotMove):
        escalate(issue=issue, by=procurement, reason="Higher?")


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


def test_a_supplier_contact_raises_an_issue_about_their_own_contracts_only(
    contract_a, contract_b, contact_a, client_for
):
    client = client_for(contact_a)
    form_page = client.get(reverse("escalations:issue_create")).content.decode()
    assert contract_a.reference in form_page
    assert contract_b.reference not in form_page
    assert "Alpha Drift AB" in form_page  # their organisation is filled in as the owner's

    refused = client.post(
        reverse("escalations:issue_create"),
        {
            "title": "Firewall change window",
            "level": "operational",
            "severity": "medium",
            "contracts": [contract_b.pk],
            "owner_name": "Jonas",
            "owner_organisation": "Alpha Drift AB",
        },
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()

    client.post(
        reverse("escalations:issue_create"),
        {
            "title": "Firewall change window",
            "level": "operational",
            "severity": "medium",
            "contracts": [contract_a.pk],
            "owner_name": "Jonas",
            "owner_organisation": "Alpha Drift AB",
        },
    )
    issue = contract_a.issues.get(title="Firewall change window")
    assert issue.created_by == contact_a
    # The operational level's role holders on both sides hear of it.
    told = {
        message.payload["to"][0]
        for message in OutboxMessage.objects.filter(key__startswith=f"issue:{issue.pk}:")
    }
    assert told == {"buyer.operational@example.org", "supplier.operational@example.org"}


def test_the_director_reads_issues_but_does_not_raise_them(director, client_for):
    client = client_for(director)
    assert client.get(reverse("escalations:issue_create")).status_code == 403
    assert "Raise an issue" not in client.get(reverse("escalations:issue_list")).content.decode()


def test_an_issue_past_due_is_flagged_once_at_its_level_and_the_level_told(
    contract_a, procurement, settings
):
    from escalations.services import flag_overdue_issues

    settings.ISSUE_ESCALATION_GRACE_DAYS = 2
    today = timezone.localdate()
    late = make_issue([contract_a], procurement, title="Late", due_on=today - timedelta(days=3))
    in_grace = make_issue(
        [contract_a], procurement, title="Grace", due_on=today - timedelta(days=2)
    )
    upstairs = make_issue(
        [contract_a],
        procurement,
        title="Upstairs",
        level=Level.CONTRACT,
        due_on=today - timedelta(days=30),
    )

    assert flag_overdue_issues(today=today) == 2
    assert flag_overdue_issues(today=today) == 0  # the timer runs hourly: once is enough
    late.refresh_from_db()
    in_grace.refresh_from_db()
    upstairs.refresh_from_db()
    # Every level has its timer: the contract-level issue is late there too.
    assert late.is_flagged and not in_grace.is_flagged and upstairs.is_flagged
    event = late.events.get(kind=EventKind.FLAGGED)
    assert event.by is None and str(late.due_on) in event.reason
    subjects = {
        message.payload["subject"]
        for message in OutboxMessage.objects.filter(
            key__startswith=f"issue:{late.pk}:event:{event.pk}"
        )
    }
    assert subjects == {"Past its due date at the operational level: Late"}

    # Escalating answers the flag.
    escalate(issue=late, by=procurement, reason="Flagged: taking it to the contract level.")
    late.refresh_from_db()
    assert not late.is_flagged


def test_the_issue_list_filters_by_level_supplier_and_flag(
    contract_a, contract_b, procurement, contact_b, client_for
):
    make_issue([contract_a], procurement, title="Alpha ops", due_on=timezone.localdate())
    make_issue([contract_b], procurement, title="Beta contract", level=Level.CONTRACT)
    flagged = make_issue([contract_a], procurement, title="Alpha flagged")
    flagged.flagged_at = timezone.now()
    flagged.save()
    client = client_for(procurement)

    def titles(query):
        page = client.get(reverse("escalations:issue_list") + query).content.decode()
        return {title for title in ("Alpha ops", "Beta contract", "Alpha flagged") if title in page}

    assert titles("") == {"Alpha ops", "Beta contract", "Alpha flagged"}
    assert titles("?level=contract") == {"Beta contract"}
    assert titles(f"?supplier={contract_a.supplier_id}") == {"Alpha ops", "Alpha flagged"}
    assert titles("?flagged=1") == {"Alpha flagged"}
    assert titles("?level=nonsense&supplier=x%00") == {
        "Alpha ops",
        "Beta contract",
        "Alpha flagged",
    }
    # Supplier B asking for A's issues gets nothing of A's.
    page = client_for(contact_b).get(
        reverse("escalations:issue_list") + f"?supplier={contract_a.supplier_id}"
    )
    assert "Alpha" not in page.content.decode()
