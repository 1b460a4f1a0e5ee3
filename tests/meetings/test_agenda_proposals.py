"""Suppliers (and the city's staff) propose agenda items for a coming meeting of their forum;
the chair accepts or declines; accepted items are on the agenda and become items of the
minutes; the chair hears of a proposal and the proposer of the decision by e-mail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import OutboxMessage
from meetings.models import AgendaProposal, Meeting, ProposalStatus
from meetings.services import (
    ProposalsClosed,
    decide_agenda_proposal,
    propose_agenda_item,
    start_minutes,
)
from tests.factories import make_forum

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def coming_meeting(forum, days=3):
    starts_at = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


@pytest.fixture
def meeting(contract_a, procurement):
    return coming_meeting(make_forum([contract_a], procurement))


def propose(client, meeting, title="Capacity for the spring release", description="", **extra):
    url = reverse("meetings:agenda_proposal_add", args=[meeting.pk])
    return client.post(url, {"title": title, "description": description}, **extra)


def decide(client, proposal, decision, reason="", **extra):
    url = reverse("meetings:agenda_proposal_decide", args=[proposal.pk])
    prefix = f"proposal-{proposal.pk}"
    return client.post(url, {f"{prefix}-decision": decision, f"{prefix}-reason": reason}, **extra)


def test_supplier_proposes_and_the_chair_is_told(meeting, contact_a, procurement, client_for):
    response = propose(client_for(contact_a), meeting, description="Two teams need it.", **HTMX)
    assert response.status_code == 200
    assert "The chair decides whether it goes on the agenda" in response.content.decode()
    proposal = AgendaProposal.objects.get()
    assert (proposal.proposed_by, proposal.supplier, proposal.status) == (
        contact_a,
        contact_a.supplier,
        ProposalStatus.PROPOSED,
    )
    mail = OutboxMessage.objects.get(key=f"agenda-proposal:{proposal.pk}")
    assert mail.payload["to"] == [procurement.email]  # the forum's chair
    assert "Capacity for the spring release" in mail.payload["subject"]
    assert "Two teams need it." in mail.payload["body"]
    assert "Alpha Drift AB" in mail.payload["body"]


def test_a_supplier_not_on_the_meeting_can_neither_propose_nor_see(
    meeting, contact_a, contact_b, client_for
):
    proposal = propose_agenda_item(meeting=meeting, title="Ours", description="", by=contact_a)
    client = client_for(contact_b)
    assert propose(client, meeting).status_code == 404
    assert client.get(reverse("meetings:agenda_proposals", args=[meeting.pk])).status_code == 404
    assert decide(client, proposal, "accept").status_code == 404
    assert AgendaProposal.objects.count() == 1


def test_on_a_joint_forum_suppliers_see_only_their_own_until_accepted(
    contract_a, contract_b, contact_a, contact_b, procurement, client_for
):
    meeting = coming_meeting(make_forum([contract_a, contract_b], procurement))
    mine = propose_agenda_item(meeting=meeting, title="Alpha's point", description="", by=contact_a)
    propose_agenda_item(meeting=meeting, title="Beta's point", description="", by=contact_b)
    url = reverse("meetings:agenda_proposals", args=[meeting.pk])
    page = client_for(contact_a).get(url).content.decode()
    assert "Alpha&#x27;s point" in page and "Beta&#x27;s point" not in page
    decide_agenda_proposal(proposal=mine, accept=True, reason="", by=procurement)
    page = client_for(contact_b).get(url).content.decode()
    assert "Alpha&#x27;s point" in page  # accepted: on the agenda everyone reads
    page = client_for(procurement).get(url).content.decode()
    assert "Alpha&#x27;s point" in page and "Beta&#x27;s point" in page


def test_accepted_proposal_is_on_the_agenda_and_in_the_started_minutes(
    meeting, contact_a, procurement, client_for
):
    proposal = propose_agenda_item(
        meeting=meeting, title="Capacity for the spring release", description="", by=contact_a
    )
    response = decide(client_for(procurement), proposal, "accept", **HTMX)
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.decided_by == procurement
    agenda = client_for(contact_a).get(meeting.get_absolute_url()).content.decode()
    assert "Capacity for the spring release" in agenda
    mail = OutboxMessage.objects.get(key=f"agenda-decision:{proposal.pk}")
    assert mail.payload["to"] == [contact_a.email]
    assert "accepted" in mail.payload["subject"]

    minutes = start_minutes(meeting=meeting, by=procurement)
    last = minutes.items.order_by("position").last()
    assert last.title == "Capacity for the spring release"
    assert "Alpha Drift AB" in last.guidance
    # The agenda's standing items come first, then the accepted proposal.
    assert last.position == minutes.items.count()


def test_proposal_accepted_after_the_minutes_started_becomes_an_item(
    contract_a, contact_a, procurement
):
    meeting = coming_meeting(make_forum([contract_a], procurement), days=0.5)
    proposal = propose_agenda_item(
        meeting=meeting, title="Late point", description="", by=procurement
    )
    minutes = start_minutes(meeting=meeting, by=procurement)
    decide_agenda_proposal(proposal=proposal, accept=True, reason="", by=procurement)
    assert minutes.items.filter(title="Late point").exists()
    with pytest.raises(ProposalsClosed):  # the minutes started: proposals are closed
        propose_agenda_item(meeting=meeting, title="Too late", description="", by=contact_a)


def test_declined_with_a_reason_the_proposer_sees(meeting, contact_a, procurement, client_for):
    proposal = propose_agenda_item(
        meeting=meeting, title="Rename the service", description="", by=contact_a
    )
    decide(client_for(procurement), proposal, "decline", reason="Belongs at the contract level.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    page = (
        client_for(contact_a)
        .get(reverse("meetings:agenda_proposals", args=[meeting.pk]))
        .content.decode()
    )
    assert "Declined" in page and "Belongs at the contract level." in page
    mail = OutboxMessage.objects.get(key=f"agenda-decision:{proposal.pk}")
    assert "declined" in mail.payload["subject"]
    assert "Belongs at the contract level." in mail.payload["body"]
    # Not on the agenda, nor in the minutes.
    assert (
        "Rename the service"
        not in client_for(contact_a).get(meeting.get_absolute_url()).content.decode()
    )
    minutes = start_minutes(meeting=meeting, by=procurement)
    assert not minutes.items.filter(title="Rename the service").exists()


def test_a_decision_is_taken_once(meeting, contact_a, procurement, client_for):
    proposal = propose_agenda_item(meeting=meeting, title="Point", description="", by=contact_a)
    decide_agenda_proposal(proposal=proposal, accept=False, reason="No", by=procurement)
    response = decide(client_for(procurement), proposal, "accept", **HTMX)
    assert "decided already" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED


def test_the_proposer_cannot_decide_nor_the_director_propose(
    meeting, contact_a, director, client_for
):
    proposal = propose_agenda_item(meeting=meeting, title="Point", description="", by=contact_a)
    assert decide(client_for(contact_a), proposal, "accept").status_code == 403
    assert propose(client_for(director), meeting).status_code == 403
    assert decide(client_for(director), proposal, "accept").status_code == 403


def test_a_proposal_without_a_title_is_refused_with_the_text_kept(meeting, contact_a, client_for):
    response = propose(client_for(contact_a), meeting, title="", description="Kept text", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body and "Kept text" in body
    assert not AgendaProposal.objects.exists()


def test_the_meeting_page_asks_htmx_for_the_proposals(meeting, contact_a, client_for):
    page = client_for(contact_a).get(meeting.get_absolute_url()).content.decode()
    url = reverse("meetings:agenda_proposals", args=[meeting.pk])
    assert f'hx-get="{url}"' in page and 'hx-trigger="load"' in page
    section = client_for(contact_a).get(url, **HTMX).content.decode()
    assert section.lstrip().startswith('<section class="card" id="proposals">')
    assert "Propose an agenda item" in section
