"""The IT director's dashboard: control figures and relationship health side by side, every
number a link to its list, and a query count that does not grow with the data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Level, Role, Side
from meetings.models import Action, ActionStatus, Cadence, Meeting, MeetingStatus
from meetings.services import add_action, start_minutes
from operations.models import Measurement
from portal import dashboard
from portal.dashboard import NOTICE_HORIZON_DAYS, notice_deadlines
from relationship.models import CityGoal, Goal, PulseResponse
from suppliers.models import Contract, ServiceLevel
from tests.factories import (
    fill_governance,
    make_contract,
    make_forum,
    make_issue,
    make_risk,
    make_supplier,
    make_user,
    mark_present,
)
from tests.helpers import squashed

pytestmark = pytest.mark.django_db


def _availability(contract, by, values, target=Decimal("99.5")):
    """Monthly availability figures, the last value for the current month."""
    service_level = ServiceLevel.objects.create(
        contract=contract,
        name="E-mail",
        metric="availability",
        target=target,
        unit="percent",
        period="month",
    )
    this_month = timezone.localdate().replace(day=1)
    for months_ago, value in enumerate(reversed(values)):
        Measurement.objects.create(
            service_level=service_level,
            period_start=this_month - relativedelta(months=months_ago),
            value=Decimal(value),
            reported_by=by,
        )
    return service_level


def _supplier_with_everything(by, name=None):
    """A supplier with figures, issues at two levels, a quarterly meeting with a pulse and a
    weekly forum whose latest minutes hold an overdue action."""
    supplier = make_supplier(name)
    contract = fill_governance(make_contract(supplier, status="active"))
    _availability(contract, by, ["99.9", "99.9", "99.9", "99.9", "98.0", "99.9"])
    make_issue([contract], by, title=f"{supplier.name} ops")
    flagged = make_issue([contract], by, title=f"{supplier.name} late")
    flagged.flagged_at = timezone.now()
    flagged.save()
    make_issue([contract], by, title=f"{supplier.name} contract", level=Level.CONTRACT)
    make_risk(contract, by, title=f"{supplier.name} risk", likelihood=4, impact=5)
    city_goal = CityGoal.objects.create(title=f"City goal for {supplier.name}")
    Goal.objects.create(contract=contract, title="Our part", city_goal=city_goal)

    quarterly = make_forum(
        [contract], by, name=f"Key {supplier.name}", level=Level.CONTRACT, cadence=Cadence.QUARTERLY
    )
    held_at = timezone.now() - timedelta(days=20)
    quarter_meeting = Meeting.objects.create(
        forum=quarterly, starts_at=held_at, ends_at=held_at + timedelta(hours=2)
    )
    contact = make_user(Role.SUPPLIER_CONTACT, supplier=supplier)
    for person, side, scores in ((by, "city", (4, 3, 2)), (contact, "supplier", (2, 3, 4))):
        PulseResponse.objects.create(
            meeting=quarter_meeting,
            respondent=person,
            side=side,
            supplier=supplier if side == "supplier" else None,
            trust=scores[0],
            dialogue=scores[1],
            delivery=scores[2],
        )

    weekly = make_forum([contract], by, name=f"Weekly {supplier.name}")
    for weeks_ago, status in ((3, MeetingStatus.HELD), (2, MeetingStatus.PLANNED)):
        starts_at = timezone.now() - timedelta(weeks=weeks_ago)
        Meeting.objects.create(
            forum=weekly, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), status=status
        )
    latest = weekly.meetings.order_by("-starts_at").first()
    minutes = start_minutes(meeting=latest, by=by)
    add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description=f"Patch the {supplier.name} firewalls",
        owner_name="Ola",
        owner_organisation=supplier.name,
        due_on=timezone.localdate() - timedelta(days=5),
        by=None,
    )
    return supplier


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return len(queries), squashed(response.content.decode())


def test_the_dashboard_query_count_does_not_grow_with_the_data(procurement, director, client_for):
    client = client_for(director)
    _supplier_with_everything(procurement)
    small, _page = _queries(client)
    for _ in range(4):
        _supplier_with_everything(procurement)
    large, page = _queries(client)
    assert large == small
    assert page.count("ops</a>") == 0  # titles are not listed, only counted and linked


def test_every_number_links_to_its_list(procurement, director, client_for):
    supplier = _supplier_with_everything(procurement, name="Nordlys Drift AB")
    _queries_count, page = _queries(client_for(director))
    issues = reverse("escalations:issue_list")

    # Open issues per level, and per supplier and level.
    assert f'href="{issues}?level=operational"><strong>2</strong>' in page
    assert f'href="{issues}?level=contract"><strong>1</strong>' in page
    assert f'href="{issues}?supplier={supplier.pk}&amp;level=operational">2</a>' in page
    assert f'href="{issues}?supplier={supplier.pk}&amp;level=contract">1</a>' in page
    assert f'href="{issues}?flagged=1"><strong>1</strong>' in page

    # Availability: 5 of the last 3 months' ... the last three months hold 99.9, 98.0, 99.9:
    # two of three on target, 66.7 %; the three before all on target, so the trend is down.
    figures = reverse("operations:figure_list")
    assert f'href="{figures}?supplier={supplier.pk}"><strong class="overdue">66.7 %' in page
    assert "down from 100 %" in page
    assert f'href="{figures}?supplier={supplier.pk}&amp;missed=1"' in page
    assert "<svg" in page and 'class="sparkline"' in page

    # The pulse: both sides' averages of the latest quarterly meeting.
    pulse = reverse("relationship:pulse_list")
    assert f'href="{pulse}?supplier={supplier.pk}">3.0</a>' in page  # trust (4+2)/2

    # Overdue actions, and meetings held against due.
    assert f'href="{reverse("meetings:action_list")}?overdue=1"><strong>1</strong>' in page
    assert "Patch the Nordlys Drift AB firewalls" in page
    weekly = supplier.contracts.get().forums.get(cadence=Cadence.WEEKLY)
    assert f'href="{weekly.get_absolute_url()}?past=year#recent">1</a>' in page  # held


def test_each_linked_list_shows_what_the_number_counted(procurement, director, client_for):
    supplier = _supplier_with_everything(procurement, name="Kvarnberg IT AB")
    client = client_for(director)
    issues = client.get(
        reverse("escalations:issue_list") + f"?supplier={supplier.pk}&level=operational"
    ).content.decode()
    assert "Kvarnberg IT AB ops" in issues and "Kvarnberg IT AB late" in issues
    assert "Kvarnberg IT AB contract" not in issues
    actions = client.get(reverse("meetings:action_list") + "?overdue=1").content.decode()
    assert "Patch the Kvarnberg IT AB firewalls" in actions
    weekly = supplier.contracts.get().forums.get(cadence=Cadence.WEEKLY)
    recent = client.get(weekly.get_absolute_url() + "?past=year").content.decode()
    assert recent.count(weekly.name) >= 1


def test_an_empty_portfolio_shows_a_calm_dashboard(director, client_for):
    _count, page = _queries(client_for(director))
    assert "No suppliers yet." in page
    assert "No action is past its due date." in page


def test_an_action_carried_to_later_minutes_counts_once(procurement, director, client_for):
    supplier = make_supplier()
    contract = fill_governance(make_contract(supplier, status="active"))
    forum = make_forum([contract], procurement)
    first, second = (
        Meeting.objects.create(
            forum=forum,
            starts_at=timezone.now() - timedelta(weeks=weeks),
            ends_at=timezone.now() - timedelta(weeks=weeks) + timedelta(hours=1),
        )
        for weeks in (2, 1)
    )
    minutes = start_minutes(meeting=first, by=procurement)
    add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Renew the certificates",
        owner_name="Ola",
        owner_organisation="Alpha",
        due_on=date(2020, 1, 1),
        by=None,
    )
    from meetings.services import approve_minutes

    approve_minutes(minutes=mark_present(minutes), by=procurement)
    start_minutes(meeting=second, by=procurement)  # carries the open action forward
    _count, page = _queries(client_for(director))
    assert f'href="{reverse("meetings:action_list")}?overdue=1"><strong>1</strong>' in page


def _deadlines_by_the_contracts_own_rules(today):
    """(deadline, contract) of every running contract whose deadline falls before the horizon
    and whose term has not ended, soonest first: Contract.notice_deadline applied to each."""
    horizon = today + timedelta(days=NOTICE_HORIZON_DAYS)
    contracts = Contract.objects.running().filter(end_date__isnull=False)
    return sorted(
        (
            (contract.notice_deadline(today), contract)
            for contract in contracts
            if contract.notice_deadline(today) <= horizon
            and contract.current_term_end(today) >= today
        ),
        key=lambda due: (due[0], due[1].pk),
    )


@pytest.mark.parametrize(
    "today",
    [date(2026, 9, 1), date(2026, 8, 31), date(2027, 9, 2)],  # horizons 28 Feb, 27 Feb, 29 Feb
)
def test_notice_deadlines_are_those_the_contracts_own_rules_give(today, monkeypatch):
    """Month ends, a horizon on a month's last day, a leap year, a passed deadline in a term
    still running, terms rolled on past their end date, and an express contract that has
    ended: the list and its count are what each contract's rule says, soonest first."""
    monkeypatch.setattr(dashboard, "DEADLINES_SHOWN", 12)
    supplier = make_supplier()
    ends = [
        date(2027, 8, 27),
        date(2027, 8, 28),
        date(2027, 8, 29),
        date(2027, 8, 31),
        date(2027, 9, 1),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2028, 2, 29),
        date(2028, 8, 31),
        date(2028, 9, 1),
        today + timedelta(days=20),  # its deadline passed, its term has not ended
        today - timedelta(days=1),
    ]
    for number, end in enumerate(ends):
        for notice, renewal, term in ((6, "express", None), (0, "tacit", 12), (12, "tacit", 3)):
            make_contract(
                supplier,
                status="active" if number % 3 else "terminating",
                start_date=date(2019, 1, 1),
                end_date=end,
                notice_period_months=notice,
                renewal=renewal,
                renewal_term_months=term,
            )
    # Rolled on: tacitly renewed long ago, and an express one that simply ended.
    for end in (date(2020, 1, 31), date(2021, 2, 28), date(2019, 8, 31)):
        make_contract(supplier, status="active", start_date=date(2019, 1, 1), end_date=end,
                      notice_period_months=3, renewal="tacit", renewal_term_months=12)  # fmt: skip
    make_contract(
        supplier, status="active", start_date=date(2019, 1, 1), end_date=date(2020, 1, 31)
    )
    make_contract(supplier, status="draft", start_date=date(2019, 1, 1), end_date=ends[0])
    make_contract(supplier, status="ended", start_date=date(2019, 1, 1), end_date=ends[1])

    expected = _deadlines_by_the_contracts_own_rules(today)
    assert len(expected) > 12  # the list is cut, and says so
    deadlines = notice_deadlines(today)
    assert deadlines["count"] == len(expected)
    assert deadlines["shown"] == expected[:12]


def test_a_recompute_with_nothing_changed_reuses_every_part(procurement):
    _supplier_with_everything(procurement)
    first = dashboard.dashboard_figures()
    with CaptureQueriesContext(connection) as queries:
        again = dashboard.dashboard_figures()
    assert len(queries) == 1  # the newest history row of each model the parts read
    for name in ("portfolio", "issue_totals", "forums_behind_count", "deadlines"):
        assert again[name] == first[name]
    assert [(row.supplier, row.attention) for row in again["supplier_rows"]] == [
        (row.supplier, row.attention) for row in first["supplier_rows"]
    ]


def test_every_kind_of_change_shows_at_the_next_recompute(procurement):
    """Each change on its own, each followed by a recompute: no part may wait for a change to
    another model to be worked out again."""
    supplier = _supplier_with_everything(procurement)
    contract = supplier.contracts.get()
    before = dashboard.dashboard_figures()
    row = before["supplier_rows"][0]
    # The pulse the city sees: its own answer (the supplier's one answer is withheld).
    assert (row.flagged, row.missed, row.pulse["delivery"]) == (1, 1, 2.0)
    assert before["incomplete_governance"]["count"] == 0
    assert before["overdue_actions"]["count"] == 1
    assert before["deadlines"]["count"] == 0

    issue = make_issue([contract], procurement, title="Another late one")
    issue.flagged_at = timezone.now()
    issue.save()
    figures = dashboard.dashboard_figures()
    assert figures["issue_totals"]["flagged"] == 2
    assert figures["supplier_rows"][0].flagged == 2

    this_month = contract.service_levels.get().measurements.order_by("-period_start").first()
    this_month.value = Decimal("97.0")
    this_month.save()
    assert dashboard.dashboard_figures()["supplier_rows"][0].missed == 2

    city_answer = PulseResponse.objects.get(supplier=None)
    city_answer.delivery = 5
    city_answer.save()
    assert dashboard.dashboard_figures()["supplier_rows"][0].pulse["delivery"] == 5.0

    business = contract.governance_levels.get(level=Level.BUSINESS)
    business.role_holders.get(side=Side.BUYER).delete()
    assert dashboard.dashboard_figures()["incomplete_governance"]["shown"] == [contract]

    action = Action.objects.get(status=ActionStatus.OPEN)
    action.status = ActionStatus.DONE
    action.save()
    assert dashboard.dashboard_figures()["overdue_actions"]["count"] == 0

    contract.end_date = timezone.localdate() + relativedelta(months=contract.notice_period_months)
    contract.save()
    deadlines = dashboard.dashboard_figures()["deadlines"]
    assert [listed for _deadline, listed in deadlines["shown"]] == [contract]


def test_a_forum_falls_behind_when_its_meeting_starts_without_anything_written(procurement):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    forum = make_forum([contract], procurement, name="Weekly soon")
    now = timezone.now()
    Meeting.objects.create(
        forum=forum, starts_at=now + timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    assert dashboard.dashboard_figures(now=now)["forums_behind_count"] == 0
    later = dashboard.dashboard_figures(now=now + timedelta(minutes=2))
    assert later["forums_behind"] == [forum]
