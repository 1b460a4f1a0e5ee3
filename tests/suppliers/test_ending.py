"""Ending belongs to the business level: giving notice and ending record the city's
business-level role holder who decided and the reason; ending cancels the contract's coming
meetings (a CANCEL to those invited), sends no reminder after it, plans nothing more for it,
and its supplier's contacts lose access after the grace period."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from governance.models import Level, OutboxMessage, RoleHolder, Side
from meetings.models import Meeting, MeetingStatus
from meetings.services import queue_meeting_reminders, reconcile_meetings
from suppliers.models import Contract, ContractStatus, StatusDecision
from suppliers.services import change_contract_status, end_access_after_last_contract
from tests.factories import make_forum

pytestmark = pytest.mark.django_db


def decider(contract, side=Side.BUYER):
    return RoleHolder.objects.people_at(Level.BUSINESS, [contract]).get(side=side)


def give_notice(contract, by=None):
    contract.status = ContractStatus.ACTIVE
    contract.save()
    return change_contract_status(
        contract=contract,
        status=ContractStatus.TERMINATING,
        by=by,
        decided_by=decider(contract),
        reason="The service moves in-house.",
    )


def end(contract, by=None, now=None):
    return change_contract_status(
        contract=contract,
        status=ContractStatus.ENDED,
        by=by,
        decided_by=decider(contract),
        reason="Notice period over.",
        now=now,
    )


def test_notice_and_ending_need_the_business_holder_of_the_city_and_a_reason(contract_a):
    contract_a.status = ContractStatus.ACTIVE
    contract_a.save()
    with pytest.raises(ValidationError) as refused:
        change_contract_status(contract=contract_a, status=ContractStatus.TERMINATING, by=None)
    assert set(refused.value.message_dict) == {"decided_by", "reason"}
    with pytest.raises(ValidationError) as refused:  # the supplier's holder does not decide
        change_contract_status(
            contract=contract_a,
            status=ContractStatus.TERMINATING,
            by=None,
            decided_by=decider(contract_a, Side.SUPPLIER),
            reason="Because.",
        )
    assert set(refused.value.message_dict) == {"decided_by"}
    operational = RoleHolder.objects.people_at(Level.OPERATIONAL, [contract_a]).first()
    with pytest.raises(ValidationError):
        change_contract_status(
            contract=contract_a,
            status=ContractStatus.TERMINATING,
            by=None,
            decided_by=operational,
            reason="Because.",
        )
    assert Contract.objects.get(pk=contract_a.pk).status == ContractStatus.ACTIVE

    give_notice(contract_a)
    end(contract_a)
    decisions = list(StatusDecision.objects.order_by("recorded_at", "pk"))
    assert [(d.status, d.decided_by_name) for d in decisions] == [
        ("terminating", "City person"),
        ("ended", "City person"),
    ]


def test_the_decision_survives_the_person_leaving(contract_a):
    give_notice(contract_a)
    holder = decider(contract_a)
    holder.delete()
    decision = StatusDecision.objects.get()
    assert decision.decided_by is None and decision.decided_by_name == "City person"


def test_the_page_asks_who_decided_and_why_and_keeps_what_was_typed(
    client_for, procurement, contract_a
):
    contract_a.status = ContractStatus.ACTIVE
    contract_a.save()
    client = client_for(procurement)
    url = reverse("suppliers:contract_status", args=[contract_a.pk])
    page = client.get(contract_a.get_absolute_url()).content.decode()
    assert "Give notice" in page and "City person" in page

    refused = client.post(url, {"status": "terminating", "reason": "Too costly to keep"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Choose who decided: a business-level role holder on the city&#x27;s side." in body
    assert "Too costly to keep" in body  # nothing typed is lost
    assert Contract.objects.get(pk=contract_a.pk).status == ContractStatus.ACTIVE

    holder = decider(contract_a)
    refused = client.post(url, {"status": "terminating", "decided_by": holder.pk, "reason": " "})
    assert "Give the reason for the decision." in refused.content.decode()

    done = client.post(
        url, {"status": "terminating", "decided_by": holder.pk, "reason": "Too costly to keep"}
    )
    assert done.status_code == 302
    assert Contract.objects.get(pk=contract_a.pk).status == ContractStatus.TERMINATING
    page = client.get(contract_a.get_absolute_url()).content.decode()
    assert "Decided by City person (business level, city)." in page
    assert "Too costly to keep" in page
    history = client.get(reverse("portal:contract_history", args=[contract_a.pk]))
    assert "decided by City person (business level): Too costly to keep" in history.content.decode()


def calendar_of(message):
    _filename, text, mimetype = message.payload["attachments"][0]
    return Calendar.from_ical(text), mimetype


def test_ending_cancels_the_coming_meetings_and_tells_everyone_invited(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    coming = list(forum.meetings.all())
    invitees = set(forum.invitees())
    assert len(coming) >= 8 and "supplier.operational@example.org" in invitees
    give_notice(contract_a)

    end(contract_a, by=procurement)

    assert set(forum.meetings.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}
    assert set(forum.meetings.values_list("cancelled_by", flat=True)) == {procurement.pk}
    cancels = OutboxMessage.objects.filter(key__startswith="meeting:", key__contains=":cancel:")
    assert cancels.count() == len(coming) * len(invitees)
    assert {message.payload["to"][0] for message in cancels} == invitees
    calendar, mimetype = calendar_of(cancels.first())
    assert mimetype == "text/calendar; method=CANCEL" and calendar["METHOD"] == "CANCEL"

    # No forum plans a meeting for it again, and no reminder goes out.
    before = OutboxMessage.objects.count()
    assert reconcile_meetings() == (0, 0)
    assert queue_meeting_reminders(now=coming[0].starts_at - timedelta(hours=1)) == 0
    assert OutboxMessage.objects.count() == before


def test_a_joint_meeting_goes_on_without_the_ended_contract(contract_a, contract_b, procurement):
    RoleHolder.objects.people_at(Level.OPERATIONAL, [contract_a]).filter(side=Side.SUPPLIER).update(
        email="ops@alpha.example"
    )
    forum = make_forum([contract_a, contract_b], procurement)
    reconcile_meetings()
    meeting = forum.meetings.order_by("starts_at").first()
    give_notice(contract_a)

    end(contract_a, by=procurement)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert list(meeting.contracts.all()) == [contract_b]
    # Only the person invited through A alone is told it is off, for each coming meeting.
    cancels = OutboxMessage.objects.filter(key__contains=":cancel:")
    assert {message.payload["to"][0] for message in cancels} == {"ops@alpha.example"}
    assert cancels.count() == forum.meetings.count()
    assert calendar_of(cancels.first())[0]["METHOD"] == "CANCEL"
    assert "ops@alpha.example" not in forum.invitees()

    # The reminder goes to those still invited, not to A's people; new meetings are B's.
    reminded = queue_meeting_reminders(now=meeting.starts_at - timedelta(hours=1))
    reminders = OutboxMessage.objects.filter(key__contains=":reminder:")
    assert reminded == len(forum.invitees()) == reminders.count()
    assert "ops@alpha.example" not in {message.payload["to"][0] for message in reminders}
    reconcile_meetings(now=timezone.now() + timedelta(weeks=2))
    newest = forum.meetings.order_by("-starts_at").first()
    assert list(newest.contracts.all()) == [contract_b]


def test_contacts_lose_access_after_the_grace_period_once_the_last_contract_ended(
    contract_a, contact_a, procurement
):
    give_notice(contract_a)
    end(contract_a, by=procurement)
    assert end_access_after_last_contract() == 0  # the grace period: they may still read
    contact_a.refresh_from_db()
    assert contact_a.is_active
    later = timezone.now() + timedelta(days=settings.SUPPLIER_ACCESS_GRACE_DAYS, hours=1)
    assert end_access_after_last_contract(now=later) == 1
    contact_a.refresh_from_db()
    assert not contact_a.is_active


def test_meetings_before_the_end_are_kept(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    started = timezone.now() - timedelta(hours=1)
    past = Meeting.objects.create(
        forum=forum, starts_at=started, ends_at=started + timedelta(hours=2)
    )
    give_notice(contract_a)
    end(contract_a, by=procurement)
    past.refresh_from_db()
    assert past.status == MeetingStatus.PLANNED and list(past.contracts.all()) == [contract_a]
