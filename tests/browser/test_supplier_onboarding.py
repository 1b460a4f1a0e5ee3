"""A procurement officer sets up a supplier end to end; the invited contact sees only their own."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from governance.models import OutboxMessage, Role
from tests.factories import (
    PASSWORD,
    city_person,
    fill_governance,
    make_contract,
    make_supplier,
    make_user,
)

from .signing_in import sign_in

pytestmark = pytest.mark.browser

SIX_ROLES = [
    ("business", "buyer", "IT director", "Maria Holm", "maria@city.example"),
    ("business", "supplier", "Managing director", "Olof Vd", "olof@gamma.example"),
    ("contract", "buyer", "Outsourcing manager", "Anna Lind", "anna@city.example"),
    ("contract", "supplier", "Key account manager", "Karin Kam", "karin@gamma.example"),
    ("operational", "buyer", "Contract manager", "Erik Berg", "erik@city.example"),
    ("operational", "supplier", "Delivery manager", "Dan Lev", "dan@gamma.example"),
]


def test_procurement_onboards_a_supplier_and_the_contact_sees_only_theirs(
    page, live_server, transactional_db
):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, email="officer@city.example")
    for _level, side, _role, name, email in SIX_ROLES:
        if side == "buyer":
            city_person(email, *name.split())
    other_contract = fill_governance(make_contract(make_supplier("Delta Drift AB"), title="Delta"))

    sign_in(page, base, officer.email, PASSWORD)
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()

    # A supplier, with a mistyped organisation number first.
    page.goto(f"{base}/suppliers/new/")
    page.fill("#id_name", "Gamma Nät AB")
    page.fill("#id_organisation_number", "556036-0794")
    page.select_option("#id_tier", "key")
    page.click("main button[type=submit]")
    expect(page.get_by_text("the check digit does not match")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Gamma Nät AB")
    page.fill("#id_organisation_number", "556036-0793")
    page.click("main button[type=submit]")
    expect(page.get_by_role("heading", name="Gamma Nät AB")).to_be_visible()

    # A contract for it.
    page.get_by_role("link", name="New contract").click()
    page.fill("#id_reference", "G-2026-01")
    page.fill("#id_title", "Network operations")
    page.fill("#id_scope", "All networks of the city.")
    page.fill("#id_start_date", "2026-01-01")
    page.fill("#id_end_date", "2029-12-31")
    page.fill("#id_annual_value_sek", "12000000")
    page.click("main button[type=submit]")
    expect(page.get_by_text("was created as a draft")).to_be_visible()
    expect(page.get_by_text("Nobody named")).to_have_count(6)

    # Activation is refused until every role is named.
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("6 roles are not yet named")).to_be_visible()

    # Role holders are people the portal knows: the city's staff, the supplier's contacts.
    contract_url = page.url
    page.get_by_role("link", name="Gamma Nät AB").first.click()
    contacts = page.locator("#contacts")
    for _level, side, _role, name, email in SIX_ROLES:
        if side == "supplier":
            contacts.locator("input[name=name]").fill(name)
            contacts.locator("input[name=email]").fill(email)
            contacts.get_by_role("button", name="Add contact").click()
            expect(page.locator("#contacts")).to_contain_text(name)
    page.goto(contract_url)
    for level, _side, role, name, email in SIX_ROLES:
        panel = page.locator(f"#level-{level}")
        panel.get_by_text("Name a role holder").click()
        panel.locator(f"#id_{level}-person").select_option(label=f"{name} ({email})")
        panel.locator(f"#id_{level}-role_title").fill(role)
        panel.get_by_role("button", name="Add").click()
        # The holders, not the list of people to pick from (which names everyone).
        expect(page.locator(f"#level-{level} .sides")).to_contain_text(name)

    expect(page.locator("#governance-status")).to_contain_text(
        "Every level has named role holders on both sides."
    )
    # Activation then waits for both sides' business level to sign the model off.
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("nobody has been asked yet")).to_be_visible()
    expect(page.locator("#sign-off")).to_contain_text("Not asked yet.")
    page.get_by_role("button", name="Ask both sides to sign off").click()
    expect(page.locator("#sign-off")).to_contain_text("Waiting for the city and the supplier")
    page.get_by_role("button", name="Sign out").click()

    # The IT director signs off for the city, signed in; the supplier's managing director,
    # who has no account, through the link e-mailed to them.
    sign_in(page, base, "maria@city.example", PASSWORD)
    page.goto(contract_url)
    page.get_by_role("button", name="Sign off the roles and mandates as IT director").click()
    expect(page.locator("#sign-off")).to_contain_text("Waiting for the supplier")
    page.get_by_role("button", name="Sign out").click()
    message = OutboxMessage.objects.get(
        key__startswith="signoff:link:", payload__to=["olof@gamma.example"]
    )
    link = re.search(r"/sign-off/\S+/", message.payload["body"]).group(0)
    page.goto(base + link)
    expect(page.locator("#level-business")).to_contain_text("Olof Vd")
    page.get_by_role("button", name="I confirm these roles and mandates").click()
    expect(page.get_by_text("Thank you: the governance model is signed off")).to_be_visible()

    sign_in(page, base, officer.email, PASSWORD)
    page.goto(contract_url)
    expect(page.locator("#sign-off")).to_contain_text("Signed off by Maria Holm (the city)")
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("The contract is now active.")).to_be_visible()

    # Invite the supplier's contact.
    page.get_by_role("link", name="Gamma Nät AB").first.click()
    invitations = page.locator("#invitations")
    invitations.locator("input[name=name]").fill("Dan Lev")
    invitations.locator("input[name=email]").fill("dan@gamma.example")
    invitations.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("An invitation was e-mailed to dan@gamma.example.")).to_be_visible()
    expect(page.locator("#invitations")).to_contain_text("pending")
    page.get_by_role("button", name="Sign out").click()

    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + urlparse(link).path)
    expect(page.get_by_text("dan@gamma.example")).to_be_visible()
    page.fill("#id_password1", "gamma network 2026")
    page.fill("#id_password2", "gamma network 2026")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    expect(page.get_by_role("heading", name="Gamma Nät AB")).to_be_visible()
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_role("link", name="G-2026-01")).to_be_visible()
    expect(page.get_by_text("Delta Drift AB")).to_have_count(0)

    page.goto(contract_url)
    expect(page.get_by_text("Network operations")).to_be_visible()
    expect(page.get_by_text("Name a role holder")).to_have_count(0)

    response = page.goto(f"{base}{other_contract.get_absolute_url()}")
    assert response.status == 404
    expect(page.get_by_text("Delta")).to_have_count(0)

    # The link was single-use.
    page.get_by_role("button", name="Sign out").click()
    assert page.goto(base + urlparse(link).path).status == 410
