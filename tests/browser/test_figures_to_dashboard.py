"""From reported figures to the director's dashboard, in Chromium with a real worker: a supplier
contact uploads a CSV file, a value below target becomes an operational issue, procurement
escalates it to the contract level, the next quarterly meeting lists it and the dashboard
counts it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalations.models import Issue
from governance.models import Level, Role
from meetings.models import Meeting
from tests.factories import (
    PASSWORD,
    fill_governance,
    make_contract,
    make_forum,
    make_service_level,
    make_supplier,
)
from tests.factories import make_user as make_person

from .signing_in import sign_in

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#id_username")).to_be_visible()


def test_a_breach_travels_from_an_uploaded_file_to_the_dashboard(page, live_server, worker):
    base = live_server.url
    supplier = make_supplier("Delta Drift AB")
    contract = fill_governance(
        make_contract(supplier, reference="DELTA-1", title="Server operations", status="active")
    )
    make_service_level(contract, name="Server operations", target="99.5")
    officer = make_person(Role.PROCUREMENT, email="officer@city.example", first_name="Olga")
    director = make_person(Role.DIRECTOR, email="director@city.example", first_name="Dina")
    contact = make_person(
        Role.SUPPLIER_CONTACT, supplier=supplier, email="dan@delta.example", first_name="Dan"
    )
    quarterly = make_forum(
        [contract],
        officer,
        name="Key supplier: Delta",
        level=Level.CONTRACT,
        cadence="quarterly",
    )
    starts_at = timezone.now() + timedelta(days=20)
    quarter_meeting = Meeting.objects.create(
        forum=quarterly, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    month = timezone.localdate().replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)

    # The supplier's contact uploads last month's and this month's availability.
    sign_in(page, base, contact.email, PASSWORD)
    page.get_by_role("link", name="Figures", exact=True).click()
    page.goto(f"{base}/figures/imports/")
    page.get_by_label("CSV file").set_input_files(
        {
            "name": "availability.csv",
            "mimeType": "text/csv",
            "buffer": (
                "contract;service_level;period;value\n"
                f"DELTA-1;Server operations;{last_month:%Y-%m};99,91\n"
                f"DELTA-1;Server operations;{month:%Y-%m};98,70\n"
            ).encode("utf-8-sig"),
        }
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Would miss", exact=True)).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    # htmx polls the import until the worker has done it.
    expect(page.get_by_text("Imported 2 rows")).to_be_visible(timeout=30_000)
    breach = page.get_by_role("link", name="below target")
    expect(breach).to_be_visible()
    breach.click()
    expect(page.locator("h1")).to_contain_text("below target")
    issue = Issue.objects.get()
    assert issue.level == Level.OPERATIONAL
    sign_out(page)

    # Procurement escalates it to the contract level, with a reason.
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}{issue.get_absolute_url()}")
    page.get_by_label("Reason").fill("Second miss this quarter; needs resources.")
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text("Escalated.")).to_be_visible()
    on_agenda = page.get_by_role("link", name="Key supplier: Delta")
    expect(on_agenda).to_be_visible()
    on_agenda.click()
    assert page.url.endswith(quarter_meeting.get_absolute_url())
    expect(page.locator("#agenda")).to_contain_text(issue.title)
    sign_out(page)

    # The director's dashboard counts it at the contract level, and the count leads to it.
    sign_in(page, base, director.email, PASSWORD)
    page.goto(f"{base}/dashboard/")
    row = page.locator("table.supplier-health tr", has_text="Delta Drift AB")
    expect(row).to_contain_text("50 %")  # one of two months on target
    row.get_by_role("link", name="1", exact=True).click()
    expect(page.locator("table")).to_contain_text(issue.title)
    assert "level=contract" in page.url
    page.screenshot(path=str(_results() / "figures-issue-list.png"), full_page=True)


def _results():
    from pathlib import Path

    path = Path("test-results")
    path.mkdir(exist_ok=True)
    return path
