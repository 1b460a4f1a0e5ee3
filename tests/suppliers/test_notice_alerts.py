"""Notice deadlines alert the city's contract-level role holders at NOTICE_ALERT_DAYS before
the deadline, then weekly after the last, until a decision for the term is recorded; a snooze
holds them back until a chosen day, when the alert comes again."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import Level, OutboxMessage, RoleHolder, Side, User
from suppliers.models import (
    Contract,
    ContractStatus,
    NoticeChoice,
    NoticeDecision,
    StatusDecision,
    add_months,
)
from suppliers.notice import (
    alert_stage,
    decide_on_notice,
    next_alert_day,
    send_notice_alerts,
    snooze_limit,
    snooze_notice_alerts,
)

pytestmark = pytest.mark.django_db

DEADLINE = date(2027, 6, 30)  # end date 2027-12-31, six months' notice


@pytest.fixture
def running(contract_a):
    contract_a.status = ContractStatus.ACTIVE
    contract_a.start_date = date(2024, 1, 1)
    contract_a.end_date = date(2027, 12, 31)
    contract_a.notice_period_months = 6
    contract_a.save()
    assert contract_a.notice_deadline(DEADLINE - timedelta(days=200)) == DEADLINE
    return contract_a


def days_before(days):
    return DEADLINE - timedelta(days=days)


def alerts():
    return OutboxMessage.objects.filter(key__startswith="notice-alert:")


def test_stages_at_the_thresholds_then_weekly():
    assert alert_stage(DEADLINE, days_before(181)) is None
    assert alert_stage(DEADLINE, days_before(180)) == ("180", days_before(180))
    assert alert_stage(DEADLINE, days_before(91)) == ("180", days_before(180))
    assert alert_stage(DEADLINE, days_before(90))[0] == "90"
    assert alert_stage(DEADLINE, days_before(30))[0] == "30"
    assert alert_stage(DEADLINE, days_before(24))[0] == "30"
    assert alert_stage(DEADLINE, days_before(23)) == ("30+1", days_before(23))
    assert alert_stage(DEADLINE, days_before(0))[0] == "30+4"
    assert alert_stage(DEADLINE, DEADLINE + timedelta(days=1)) is None
    assert next_alert_day(DEADLINE, days_before(150)) == days_before(90)
    assert next_alert_day(DEADLINE, days_before(30)) == days_before(23)
    assert next_alert_day(DEADLINE, days_before(3)) == days_before(2)
    assert next_alert_day(DEADLINE, days_before(1)) == DEADLINE
    assert snooze_limit(DEADLINE, days_before(150)) == days_before(90)
    assert snooze_limit(DEADLINE, days_before(30)) == DEADLINE


def test_the_city_contract_level_holders_are_alerted_once_per_threshold(running, settings):
    settings.NOTICE_ALERT_DAYS = (180, 90, 30)
    assert send_notice_alerts(today=days_before(181)) == 0
    assert send_notice_alerts(today=days_before(180)) == 1
    message = alerts().get()
    assert message.payload["to"] == ["buyer.contract@example.org"]  # the city's side only
    assert message.key == f"notice-alert:{running.pk}:2027-12-31:180:buyer.contract@example.org"
    assert "2027-06-30" in message.payload["subject"]
    assert "in 180 days" in message.payload["body"]

    send_notice_alerts(today=days_before(180))  # a doubled beat
    send_notice_alerts(today=days_before(120))  # between thresholds: nothing new
    assert alerts().count() == 1
    send_notice_alerts(today=days_before(90))
    send_notice_alerts(today=days_before(30))
    send_notice_alerts(today=days_before(23))  # weekly after the last threshold
    send_notice_alerts(today=days_before(20))
    assert alerts().count() == 4
    send_notice_alerts(today=DEADLINE + timedelta(days=1))
    assert alerts().count() == 4


def test_the_thresholds_are_a_setting(running, settings):
    settings.NOTICE_ALERT_DAYS = (60,)
    assert send_notice_alerts(today=days_before(90)) == 0
    assert send_notice_alerts(today=days_before(60)) == 1


def test_the_alert_is_in_the_recipients_language(running):
    # The city's contract-level holder (tests/factories.fill_governance) reads Swedish.
    User.objects.filter(email="buyer.contract@example.org").update(language="sv")
    send_notice_alerts(today=days_before(90))
    assert "Sista dag för uppsägning" in alerts().get().payload["subject"]


def test_a_decision_stops_the_alerts(running, procurement):
    send_notice_alerts(today=days_before(180))
    decide_on_notice(
        contract=running,
        decision=NoticeChoice.LET_RUN,
        note="",
        by=procurement,
        today=days_before(100),
    )
    for days in (90, 30, 23, 2):
        assert send_notice_alerts(today=days_before(days)) == 0
    with pytest.raises(ValidationError):  # one decision per term
        decide_on_notice(
            contract=running,
            decision=NoticeChoice.RENEW,
            note="",
            by=procurement,
            today=days_before(50),
        )


def test_a_decision_to_terminate_gives_notice_with_who_decided(running, procurement):
    with pytest.raises(ValidationError) as refused:
        decide_on_notice(
            contract=running,
            decision=NoticeChoice.TERMINATE,
            note="",
            by=procurement,
            today=days_before(60),
        )
    assert set(refused.value.message_dict) == {"decided_by", "note"}
    assert not NoticeDecision.objects.exists()
    holder = RoleHolder.objects.people_at(Level.BUSINESS, [running]).get(side=Side.BUYER)
    decide_on_notice(
        contract=running,
        decision=NoticeChoice.TERMINATE,
        note="Moving to a new framework agreement.",
        by=procurement,
        decided_by=holder,
        today=days_before(60),
    )
    assert Contract.objects.get(pk=running.pk).status == ContractStatus.TERMINATING
    assert StatusDecision.objects.get().reason == "Moving to a new framework agreement."
    assert send_notice_alerts(today=days_before(30)) == 0


def test_a_snooze_holds_the_alerts_back_until_the_chosen_day(running, procurement):
    send_notice_alerts(today=days_before(30))
    with pytest.raises(ValidationError):  # past the next threshold
        snooze_notice_alerts(
            contract=running, until=days_before(80), by=procurement, today=days_before(100)
        )
    with pytest.raises(ValidationError):  # past the deadline
        snooze_notice_alerts(
            contract=running,
            until=DEADLINE + timedelta(days=1),
            by=procurement,
            today=days_before(30),
        )
    snooze_notice_alerts(
        contract=running, until=days_before(16), by=procurement, today=days_before(30)
    )
    assert send_notice_alerts(today=days_before(23)) == 0  # the weekly one, held back
    assert send_notice_alerts(today=days_before(17)) == 0
    assert send_notice_alerts(today=days_before(16)) == 1  # on the day it ends: again
    assert send_notice_alerts(today=days_before(15)) == 0
    assert send_notice_alerts(today=days_before(9)) == 1

    snooze_notice_alerts(
        contract=running, until=days_before(5), by=procurement, today=days_before(9)
    )
    assert send_notice_alerts(today=days_before(5)) == 1  # within a week: it comes again


def test_the_contract_page_shows_the_deadline_and_the_forms_to_the_city(
    client_for, procurement, director, contact_a, running
):
    today = timezone.localdate()
    running.end_date = add_months(today + timedelta(days=60), 6)
    running.save()
    assert 55 < running.days_to_notice_deadline() < 65
    page = client_for(procurement).get(running.get_absolute_url()).content.decode()
    assert "Notice decision" in page and "None recorded" in page
    assert reverse("suppliers:notice_decide", args=[running.pk]) in page
    page = client_for(director).get(running.get_absolute_url()).content.decode()
    assert "None recorded" in page
    assert reverse("suppliers:notice_decide", args=[running.pk]) not in page
    page = client_for(contact_a).get(running.get_absolute_url()).content.decode()
    assert "Notice decision" not in page
    dashboard = client_for(director).get(reverse("portal:dashboard")).content.decode()
    assert "Undecided" in dashboard

    client = client_for(procurement)
    url = reverse("suppliers:notice_snooze", args=[running.pk])
    refused = client.post(url, {"until": "2030-01-01"})
    assert refused.status_code == 200
    assert "the next threshold&#x27;s day or the deadline" in refused.content.decode()
    until = today + timedelta(days=5)
    assert client.post(url, {"until": until.isoformat()}).status_code == 302
    assert "Held back until" in client.get(running.get_absolute_url()).content.decode()

    url = reverse("suppliers:notice_decide", args=[running.pk])
    refused = client.post(url, {"decision": "terminate", "note": "Costs"})
    assert "Choose who decided" in refused.content.decode()
    assert "Costs" in refused.content.decode()
    assert client.post(url, {"decision": "renew", "note": "Good value"}).status_code == 302
    page = client.get(running.get_absolute_url()).content.decode()
    assert "Renew" in page and "Good value" in page
    dashboard = client_for(director).get(reverse("portal:dashboard")).content.decode()
    assert "Decided: Renew" in dashboard
