"""The dashboard with hundreds of suppliers, forums and contracts: what needs attention first,
each shortened list saying what it left out. How the figures are shared and kept:
test_dashboard_versions.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from portal import dashboard
from portal.dashboard import dashboard_figures
from relationship.models import PulseResponse
from tests.factories import (
    fill_governance,
    make_contract,
    make_forum,
    make_issue,
    make_quarterly_meeting,
    make_supplier,
)
from tests.governance.test_dashboard import _availability

pytestmark = pytest.mark.django_db


def _page(client, query=""):
    response = client.get(reverse("portal:dashboard") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_suppliers_needing_attention_come_first_and_the_rest_are_one_click_away(
    procurement, director, client_for, monkeypatch
):
    monkeypatch.setattr(dashboard, "SUPPLIERS_SHOWN", 3)
    calm = [make_supplier(f"Calm {n} AB") for n in range(4)]
    troubled = make_supplier("Troubled AB")
    contract = fill_governance(make_contract(troubled, status="active"))
    issue = make_issue([contract], procurement, title="Backups failing")
    issue.flagged_at = timezone.now()
    issue.save()

    client = client_for(director)
    page = _page(client)
    assert page.index("Troubled AB") < page.index("Calm 0 AB")
    assert "Calm 3 AB" not in page
    assert "Show all 5 suppliers" in page
    everything = _page(client, "?suppliers=all")
    assert all(supplier.name in everything for supplier in calm)
    assert "Show all" not in everything


def test_each_supplier_listed_has_its_twelve_months_of_availability(
    procurement, director, client_for, monkeypatch
):
    monkeypatch.setattr(dashboard, "SUPPLIERS_SHOWN", 1)
    for name, values in (("Dipping AB", ["99.9", "99.9", "98.0"]), ("Steady AB", ["99.9"] * 3)):
        contract = fill_governance(make_contract(make_supplier(name), status="active"))
        _availability(contract, procurement, values)
    client = client_for(director)
    top = _page(client)
    assert top.index("Dipping AB") < top.index("Show all")
    assert top.count('class="sparkline"') == 1
    everything = _page(client, "?suppliers=all")
    assert everything.count('class="sparkline"') == 2
    assert "Jan" in everything.split("Steady AB")[1]  # its months, in the sparkline's label


def test_only_forums_behind_on_their_meetings_are_listed(procurement, director, client_for):
    contract = fill_governance(make_contract(make_supplier(), status="active"))
    behind = make_forum([contract], procurement, name="Forum behind")
    make_forum([contract], procurement, name="Forum on track")
    Meeting.objects.create(
        forum=behind,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=1),
        status=MeetingStatus.PLANNED,
    )
    page = _page(client_for(director))
    assert "1 of 2 forums has meetings without approved minutes" in page
    assert "Forum behind" in page
    assert "Forum on track" not in page


def test_contracts_missing_a_role_holder_are_counted_in_the_database(
    procurement, director, client_for
):
    supplier = make_supplier()
    complete = fill_governance(make_contract(supplier, status="active", title="Complete one"))
    lacking = fill_governance(
        make_contract(supplier, status="draft", title="Lacking one"),
        skip=[("business", "supplier")],
    )
    figures = dashboard_figures()
    assert figures["incomplete_governance"]["count"] == 1
    assert figures["incomplete_governance"]["shown"] == [lacking]
    page = _page(client_for(director))
    assert "Lacking one" in page
    assert complete.title not in page.split("without a complete governance model")[1]


def test_a_pulse_older_than_two_years_is_not_shown_as_the_latest(procurement, director, client_for):
    supplier = make_supplier("Old Pulse AB")
    contract = fill_governance(make_contract(supplier, status="active"))
    long_ago = timezone.now() - timedelta(days=3 * 365)
    meeting = make_quarterly_meeting([contract], procurement, starts_at=long_ago)
    PulseResponse.objects.create(
        meeting=meeting, respondent=procurement, side="buyer", trust=2, dialogue=2, delivery=2
    )
    assert dashboard_figures()["supplier_rows"][0].pulse is None
