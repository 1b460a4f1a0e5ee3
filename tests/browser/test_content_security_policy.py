"""The content security policy in a real Chromium: htmx filters, forms and fragments work with
no violation at all (no inline script or style anywhere), the admin too; an ended session or
an expired form under htmx lands the person on a page that says what happened."""

import pytest
from playwright.sync_api import expect

from governance.models import Role, RoleHolder
from tests.factories import (
    PASSWORD,
    city_person,
    fill_governance,
    make_admin,
    make_contract,
    make_forum,
    make_held_minutes,
    make_issue,
    make_supplier,
    make_user,
)
from tests.sessions import idle_past_the_session_age

from .signing_in import give_code_if_asked, sign_in

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


@pytest.fixture
def violations(page):
    """Every CSP violation the browser reports, from the event and from the console."""
    found = []
    page.expose_function("reportViolation", lambda violation: found.append(violation))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


NEW_HOLDERS = ["Nils Ny", "Lotta Lost", "Sara Saved"]


def email_of(name):
    return f"{name.split()[0].lower()}@city.example"


@pytest.fixture
def new_holders(transactional_db):
    """The city's staff the tests name as role holders (people the portal knows)."""
    for name in NEW_HOLDERS:
        city_person(email_of(name), *name.split())


def name_a_role_holder(level, name):
    level.get_by_text("Name a role holder").click()
    level.locator("#id_operational-person").select_option(label=f"{name} ({email_of(name)})")
    level.locator("#id_operational-role_title").fill("Deputy contract manager")
    level.get_by_role("button", name="Add").click()


def test_htmx_works_under_the_policy_without_a_single_violation(
    page, live_server, violations, new_holders
):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, email="officer@city.example")
    contract = fill_governance(
        make_contract(make_supplier("Gamma Drift AB"), reference="G-001", title="Gamma ops")
    )
    fill_governance(make_contract(make_supplier("Delta Drift AB"), reference="D-001"))

    response = page.goto(f"{base}/login/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy

    # Both listeners hear a violation: an inline style attribute is refused.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    for _wait in range(100):
        if len(violations) == 2:
            break
        page.wait_for_timeout(50)
    assert "style-src-attr blocked inline on /login/" in violations
    assert any("Content Security Policy" in violation for violation in violations)
    violations.clear()

    sign_in(page, base, officer.email, PASSWORD)
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()

    # The contract list filters as one types (hx-get, hx-push-url).
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_role("link", name="D-001")).to_be_visible()
    page.get_by_label("Search").fill("G-001")
    expect(page.get_by_role("link", name="D-001")).to_have_count(0)
    expect(page).to_have_url(f"{base}/contracts/?q=G-001&supplier=&status=")
    assert page.locator("head style").count() == 0  # htmx inserted no indicator styles

    # On the contract page: edit a mandate in place, name a role holder in place (hx-post with
    # the CSRF token from hx-headers), both without reloading the page.
    page.get_by_role("link", name="G-001").click()
    page.evaluate("window.notReloaded = true")
    level = page.locator("#level-operational")
    level.get_by_role("link", name="Edit mandate").click()
    level.locator("textarea").fill("Runs the weekly operations meeting.")
    level.get_by_role("button", name="Save mandate").click()
    expect(level).to_contain_text("Runs the weekly operations meeting.")

    name_a_role_holder(level, "Nils Ny")
    # The holders, not the list of people to pick from (which names everyone).
    expect(level.locator(".sides")).to_contain_text("Nils Ny")
    assert RoleHolder.objects.filter(name="Nils Ny", governance_level__contract=contract).exists()
    assert page.evaluate("window.notReloaded") is True

    assert violations == []


def test_the_admin_works_under_the_policy(page, live_server, violations):
    base = live_server.url
    admin = make_admin()
    supplier = make_supplier("Gamma Drift AB")
    contract = fill_governance(make_contract(supplier, reference="G-001"))
    forum = make_forum([contract], admin)
    make_issue([contract], admin)
    supplier.name = "Gamma Drift Aktiebolag"
    supplier.save()  # a second history entry

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    give_code_if_asked(page, admin.email)
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    for path in [
        "/admin/",
        "/admin/suppliers/supplier/",
        f"/admin/suppliers/supplier/{supplier.pk}/change/",
        f"/admin/suppliers/supplier/{supplier.pk}/history/",
        "/admin/escalations/issue/",
        f"/admin/meetings/forum/{forum.pk}/change/",  # filter_horizontal: the admin's JS widget
        "/admin/governance/user/add/",
        "/admin/governance/outboxmessage/",
        "/admin/axes/accessattempt/",
    ]:
        response = page.goto(f"{base}{path}")
        assert response.ok, path
        assert "content-security-policy" in response.headers, path
    # The forum's contracts widget was built by the admin's script.
    page.goto(f"{base}/admin/meetings/forum/{forum.pk}/change/")
    expect(page.locator(".selector-available")).to_be_visible()
    # A date picker opens (the admin's calendar script).
    page.goto(f"{base}/admin/suppliers/contract/{contract.pk}/change/")
    page.locator(".datetimeshortcuts a").first.click()

    assert violations == []


def test_an_ended_session_sends_the_page_to_sign_in_and_back(page, live_server, violations):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, email="officer@city.example")
    fill_governance(make_contract(make_supplier("Gamma Drift AB"), reference="G-001"))
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}/contracts/")

    idle_past_the_session_age()
    page.get_by_label("Search").fill("G-001")

    expect(page).to_have_url(f"{base}/login/?next=/contracts/")
    expect(page.locator("#contract-table")).to_have_count(0)  # no fragment, a whole page
    page.fill("#id_username", officer.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    give_code_if_asked(page, officer.email)
    expect(page).to_have_url(f"{base}/contracts/")
    assert violations == []


def test_an_expired_form_under_htmx_reloads_the_page_and_says_so(
    page, live_server, violations, new_holders
):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, email="officer@city.example")
    contract = fill_governance(make_contract(make_supplier("Gamma Drift AB"), reference="G-001"))
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}/contracts/{contract.pk}/")

    # Signed in again in another tab: the CSRF token this page holds no longer matches.
    page.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": base}])
    name_a_role_holder(page.locator("#level-operational"), "Lotta Lost")

    expect(page.get_by_role("status")).to_contain_text(
        "This page had expired, so your last change was not saved."
    )
    expect(page.locator("#level-operational .sides")).not_to_contain_text("Lotta Lost")
    assert not RoleHolder.objects.filter(name="Lotta Lost").exists()

    # After the reload the page holds a fresh token: the change goes through now.
    name_a_role_holder(page.locator("#level-operational"), "Sara Saved")
    expect(page.locator("#level-operational .sides")).to_contain_text("Sara Saved")
    assert violations == []


def test_confirmations_and_choosing_from_a_list_work_without_inline_script(
    page, live_server, violations
):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, email="chair@city.example")
    contract = fill_governance(make_contract(make_supplier("Epsilon Drift AB"), reference="E-1"))
    minutes = make_held_minutes(contract, officer)
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}{minutes.meeting.get_absolute_url()}")

    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    assert questions == ["Approve and lock these minutes? Corrections will need a new version."]
    minutes.refresh_from_db()
    assert not minutes.is_approved  # Cancel kept them open

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.get_by_text("Approved", exact=True).first).to_be_visible()
    minutes.refresh_from_db()
    assert minutes.is_approved

    # The pulse page shows a supplier as soon as one is chosen, without pressing Show.
    page.goto(f"{base}/pulse/")
    page.get_by_label("Supplier").select_option(label="Epsilon Drift AB")
    expect(page).to_have_url(f"{base}/pulse/?supplier={contract.supplier_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Epsilon Drift AB")

    assert violations == []
