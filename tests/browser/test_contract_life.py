"""The article's rules over a contract's life, in Chromium: a draft signed off by both sides'
business level (the city's holder signed in, the supplier's through the e-mailed link), a
key-supplier meeting approved without the supplier's mandate holder (only with a reason, which
the dashboard lists), a late contract-level issue told to the business level, a notice-deadline
alert, and the ending, decided at the business level, that cancels the coming meetings."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalations.models import Issue
from escalations.services import flag_overdue_issues, raise_issue
from governance.models import Level, OutboxMessage, Role
from governance.services import add_role_holder
from meetings.models import Cadence, Meeting, MeetingStatus
from meetings.services import notify_meeting_changes
from suppliers.models import Contact, add_months
from suppliers.notice import send_notice_alerts
from tests.factories import PASSWORD, city_person, make_contract, make_forum, make_supplier

from .signing_in import sign_in

pytestmark = pytest.mark.browser


def name_the_roles(contract, officer):
    """Six people the portal knows: the city's staff and the supplier's contacts (none of whom
    has an account)."""
    maria = city_person("maria@city.example", "Maria", "Holm", role=Role.DIRECTOR)
    anna = city_person("anna@city.example", "Anna", "Lind")
    people = {
        Level.BUSINESS: (maria, "IT director", "Olof Vd", "olof@nordlys.example"),
        Level.CONTRACT: (anna, "Outsourcing manager", "Karin Kam", "karin@nordlys.example"),
        Level.OPERATIONAL: (officer, "Contract manager", "Dan Lev", "dan@nordlys.example"),
    }
    for governance_level in contract.governance_levels.all():
        user, title, name, email = people[governance_level.level]
        contact = Contact.objects.create(supplier=contract.supplier, name=name, email=email)
        add_role_holder(governance_level=governance_level, role_title=title, user=user, by=officer)
        add_role_holder(
            governance_level=governance_level,
            role_title="Account lead",
            contact=contact,
            by=officer,
        )


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def outbox_to(address, prefix):
    return OutboxMessage.objects.filter(key__startswith=prefix, payload__to=[address])


def test_a_contract_from_draft_to_its_end_under_the_articles_rules(
    page, live_server, transactional_db
):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Approve and lock these minutes?"
    today = timezone.localdate()
    officer = city_person("olga@city.example", "Olga", "Officer")
    # Its notice deadline (six months before the end) falls in about two months.
    contract = make_contract(
        make_supplier("Nordlys Drift AB"),
        reference="N-2026-01",
        title="Server operations",
        start_date=today - timedelta(days=400),
        end_date=add_months(today, 8),
        notice_period_months=6,
    )
    name_the_roles(contract, officer)
    contract_url = f"{base}{contract.get_absolute_url()}"

    # 1. The draft waits for both sides' business level to sign the model off.
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("nobody has been asked yet")).to_be_visible()
    page.get_by_role("button", name="Ask both sides to sign off").click()
    expect(page.locator("#sign-off")).to_contain_text("Waiting for the city and the supplier")
    sign_out(page)

    sign_in(page, base, "maria@city.example", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="Sign off the roles and mandates as IT director").click()
    expect(page.locator("#sign-off")).to_contain_text("Waiting for the supplier")
    sign_out(page)

    link = re.search(
        r"/sign-off/\S+/",
        outbox_to("olof@nordlys.example", "signoff:link:").get().payload["body"],
    ).group(0)
    page.goto(base + link)
    page.get_by_role("button", name="I confirm these roles and mandates").click()
    expect(page.get_by_text("Thank you: the governance model is signed off")).to_be_visible()
    assert page.goto(base + link).status == 410  # single use

    sign_in(page, base, officer.email, PASSWORD)
    page.goto(contract_url)
    expect(page.locator("#sign-off")).to_contain_text("Signed off by Maria Holm (the city)")
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("The contract is now active.")).to_be_visible()

    # 2. The key-supplier meeting, held without the supplier's contract-level mandate holder.
    forum = make_forum(
        [contract],
        officer,
        name="Key-supplier meeting: Nordlys",
        level=Level.CONTRACT,
        cadence=Cadence.QUARTERLY,
    )
    held_at = timezone.now() - timedelta(hours=2)
    held = Meeting.objects.create(
        forum=forum, starts_at=held_at, ends_at=held_at + timedelta(hours=1)
    )
    coming_at = timezone.now() + timedelta(days=14)
    coming = Meeting.objects.create(
        forum=forum, starts_at=coming_at, ends_at=coming_at + timedelta(hours=2)
    )
    notify_meeting_changes()  # beat's minute: the coming meeting's invitations go out
    assert outbox_to("karin@nordlys.example", f"meeting:{coming.pk}:invitation").exists()
    page.goto(f"{base}{held.get_absolute_url()}")
    page.get_by_role("button", name="Start the minutes").click()
    page.get_by_label("Olga Officer present").check()
    page.get_by_label("Anna Lind present").check()
    mandate = page.locator("#mandate")
    expect(mandate).to_contain_text("Nordlys Drift AB (Karin Kam)")
    expect(mandate).not_to_contain_text("City")
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.locator("#messages")).to_contain_text(
        "Nobody with the contract-level mandate was marked present for: Nordlys Drift AB"
    )
    page.get_by_label("Reason for approving without them").fill(
        "Karin was ill; the resourcing decision waits for the next meeting."
    )
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.get_by_text("Minutes approved and locked.")).to_be_visible()
    page.goto(f"{base}/dashboard/")
    without = page.locator("section", has_text="held without the mandate")
    expect(without).to_contain_text("Key-supplier meeting: Nordlys")
    expect(without).to_contain_text("Karin was ill")

    # 3. A contract-level issue past its response time is flagged, and the level above told.
    issue = raise_issue(
        title="Licence costs above the agreed frame",
        contracts=[contract],
        owner_name="Karin Kam",
        owner_organisation="Nordlys Drift AB",
        level=Level.CONTRACT,
        by=officer,
    )
    Issue.objects.filter(pk=issue.pk).update(due_on=today - timedelta(days=3))
    flag_overdue_issues()
    assert outbox_to("maria@city.example", "issue-late:").exists()
    assert outbox_to("olof@nordlys.example", "issue-late:").exists()
    page.goto(f"{base}{issue.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Late")
    page.goto(f"{base}/dashboard/")
    expect(page.locator("main")).to_contain_text("late")

    # 4. The notice deadline alerts the city's contract level; no decision is recorded yet.
    assert send_notice_alerts() == 1
    alert = outbox_to("anna@city.example", "notice-alert:").get()
    assert "N-2026-01" in alert.payload["subject"] + alert.payload["body"]
    page.goto(contract_url)
    expect(page.locator("#notice")).to_contain_text("None recorded")

    # 5. The business level ends it: notice, then the end, each with who decided and why.
    status = page.locator("#status")
    status.locator("#id_status_decided_by").select_option(label="Maria Holm")
    status.locator("#id_status_reason").fill("The city moves its servers to a new operator.")
    status.get_by_role("button", name="Notice given: terminating").click()
    expect(page.locator("#status")).to_contain_text("Decided by Maria Holm (business level, city)")
    status = page.locator("#status")
    status.locator("#id_status_decided_by").select_option(label="Maria Holm")
    status.locator("#id_status_reason").fill("The new operator has taken over.")
    status.get_by_role("button", name="Mark as ended").click()
    expect(page.locator("#status")).to_contain_text("Ended")

    coming.refresh_from_db()
    assert coming.status == MeetingStatus.CANCELLED
    cancellations = [
        message
        for message in OutboxMessage.objects.filter(key__startswith=f"meeting:{coming.pk}:")
        if "METHOD:CANCEL" in message.payload["attachments"][0][1]
    ]
    told = {message.payload["to"][0] for message in cancellations}
    assert {"olga@city.example", "anna@city.example", "karin@nordlys.example"} <= told
    page.goto(f"{base}{coming.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Cancelled")
