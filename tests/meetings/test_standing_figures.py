"""The weekly meeting's figure items show the reported figures live while the minutes are a
draft, and keep them as they stood once the minutes are approved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from meetings.models import ItemKind, Meeting
from meetings.pdf import render_minutes_pdf
from meetings.services import approve_minutes, start_correction, start_minutes
from operations.models import Period, Source, period_start
from operations.services import record_measurement
from suppliers.models import ServiceLevel
from tests.factories import make_forum, mark_present

from .test_minutes_pdf import pdf_text

pytestmark = pytest.mark.django_db


def _mail_service(contract):
    return ServiceLevel.objects.create(
        contract=contract,
        name=f"{contract.reference} mail",
        metric="availability",
        target=Decimal("99.5"),
        unit="percent",
        period=Period.MONTH,
    )


def _meeting(contracts, chair):
    forum = make_forum(contracts, chair)
    starts_at = timezone.now() - timedelta(hours=1)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


def test_figures_are_live_in_the_draft_and_frozen_on_approval(
    contract_a, procurement, client_for, tmp_path
):
    this_month = period_start(timezone.localdate(), Period.MONTH)
    service = _mail_service(contract_a)
    record_measurement(
        service_level=service, period_start=this_month, value=Decimal("99.91"), by=procurement
    )
    minutes = start_minutes(meeting=_meeting([contract_a], procurement), by=procurement)
    assert {item.kind for item in minutes.items.all()} >= {
        ItemKind.AVAILABILITY,
        ItemKind.SUPPORT_TICKETS,
        ItemKind.SUPPORT_QUESTIONS,
    }
    client = client_for(procurement)
    assert "99.91" in client.get(minutes.get_absolute_url()).content.decode()

    # A figure reported during the meeting shows at once.
    record_measurement(
        service_level=service, period_start=this_month, value=Decimal("99.93"), by=procurement
    )
    assert "99.93" in client.get(minutes.get_absolute_url()).content.decode()

    approve_minutes(minutes=mark_present(minutes), by=procurement)
    record_measurement(
        service_level=service,
        period_start=this_month,
        value=Decimal("97.43"),
        by=procurement,
        source=Source.CORRECTION,
        reason="Outage missed",
    )
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert "99.93" in page and "97.43" not in page

    # The PDF keeps the figures the meeting saw.
    text = pdf_text(render_minutes_pdf(minutes), tmp_path)
    assert "99.93" in text and "97.43" not in text

    # A correction copies the frozen figures: it corrects the text, not the history.
    correction = start_correction(minutes=minutes, by=procurement, reason="Typo in the notes")
    approve_minutes(minutes=correction, by=procurement)
    page = client.get(correction.get_absolute_url()).content.decode()
    assert "99.93" in page and "97.43" not in page


def test_each_supplier_sees_only_its_own_figures_in_joint_minutes(
    contract_a, contract_b, procurement, contact_a, contact_b, client_for
):
    this_month = period_start(timezone.localdate(), Period.MONTH)
    record_measurement(
        service_level=_mail_service(contract_a),
        period_start=this_month,
        value=Decimal("99.71"),
        by=procurement,
    )
    record_measurement(
        service_level=_mail_service(contract_b),
        period_start=this_month,
        value=Decimal("99.82"),
        by=procurement,
    )
    minutes = start_minutes(meeting=_meeting([contract_a, contract_b], procurement), by=procurement)

    def seen(user):
        page = client_for(user).get(minutes.get_absolute_url()).content.decode()
        return {value for value in ("99.71", "99.82") if value in page}

    assert seen(procurement) == {"99.71", "99.82"}
    assert seen(contact_a) == {"99.71"}
    assert seen(contact_b) == {"99.82"}
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    assert seen(procurement) == {"99.71", "99.82"}
    assert seen(contact_a) == {"99.71"}
    assert seen(contact_b) == {"99.82"}


def test_the_agenda_before_the_minutes_shows_the_live_figures(
    contract_a, procurement, contact_b, client_for
):
    this_month = period_start(timezone.localdate(), Period.MONTH)
    record_measurement(
        service_level=_mail_service(contract_a),
        period_start=this_month,
        value=Decimal("98.76"),
        by=procurement,
    )
    meeting = _meeting([contract_a], procurement)
    assert "98.76" in client_for(procurement).get(meeting.get_absolute_url()).content.decode()
