"""Holding a weekly meeting with the keyboard alone (Tab, Enter, Space), in Chromium: the skip
link, a visible focus, focus kept on the edited part after each htmx swap, the first invalid
field focused when a form is refused, and "Saved" and errors read out by the page's one live
region, #messages (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7, 3.3.1, 4.1.3)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Role
from meetings.models import Action, Meeting
from tests.factories import fill_governance, make_contract, make_forum, make_supplier, make_user

from .accessibility import context_for, contrast

pytestmark = pytest.mark.browser

# Where the focus is, and how it shows: the outline and the background behind it.
FOCUS = """
() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor === "rgba(0, 0, 0, 0)") {
    behind = behind.parentElement;
  }
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName,
    id: element.id,
    name: element.getAttribute("name"),
    text: element.textContent.trim().slice(0, 60),
    invalid: element.getAttribute("aria-invalid"),
    item: element.closest(".minutes-item") ? element.closest(".minutes-item").id : null,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
    background: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
    top: box.top,
    visible: box.width > 0 && box.height > 0,
  };
}
"""


def tab_to(page, selector, limit=80):
    """Presses Tab until the focused element matches `selector`; fails after `limit` presses."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return page.evaluate(FOCUS)
    pytest.fail(f"Tab never reached {selector}")


def assert_focus_visible(focus):
    """A keyboard focus shows as an outline of 2 px or more, 3:1 against what is behind it."""
    assert focus["visible"], focus
    assert focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2, focus
    assert contrast(focus["outlineColor"], focus["background"]) >= 3, focus


def test_a_weekly_meeting_held_with_the_keyboard_alone(browser, live_server):
    base = live_server.url
    officer = make_user(Role.PROCUREMENT, first_name="Olga", last_name="Officer")
    contract = fill_governance(make_contract(make_supplier("Gamma Drift AB")))
    forum = make_forum([contract], officer, name="Weekly operations: Gamma")
    starts_at = timezone.now() - timedelta(minutes=30)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=60)
    )
    context = context_for(browser, base, officer)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}{meeting.get_absolute_url()}")

    # The first Tab shows the skip link; Enter takes the keyboard past the header.
    focus = tab_to(page, "a.skip-link", limit=1)
    assert focus["top"] >= 0, "the skip link stays off screen when focused"
    assert_focus_visible(focus)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Start the minutes.
    tab_to(page, "form[action$='/minutes/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Minutes started")

    # Attendance: Space ticks the box; the focus stays on it after htmx swaps its row.
    focus = tab_to(page, "#attendance input[name=present]")
    assert_focus_visible(focus)
    row = page.evaluate("document.activeElement.closest('tr').id")
    page.keyboard.press("Space")
    expect(page.locator(f"#{row} input[name=present]")).to_be_checked()
    expect(page.locator(f"#{row} input[name=present]")).to_be_focused()
    # Enter on the box of the row htmx swapped in saves it in place: the page stays (its
    # <noscript> button had become a real one and the browser sent the form itself, away
    # from the minutes and whatever was typed in them).
    url = page.url
    with page.expect_response(lambda response: "/attendance/" in response.url) as answer:
        page.keyboard.press("Enter")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator(f"#{row} input[name=present]")).to_be_checked()
    expect(page.locator(f"#{row} input[name=present]")).to_be_focused()
    assert page.url == url

    # Notes and decisions of the first item, saved with Enter on its button.
    item = page.locator(".minutes-item").first
    item_id = item.get_attribute("id")
    tab_to(page, f"#{item_id} textarea[name$='-notes']")
    page.keyboard.type("Availability 99.1 % against 99.5 %.")
    page.keyboard.press("Tab")
    page.keyboard.type("Supplier presents a root-cause analysis")
    focus = tab_to(page, f"#{item_id} form[hx-post$='/items/{item_id[5:]}/'] button", limit=10)
    assert_focus_visible(focus)
    page.keyboard.press("Enter")
    expect(item.locator(".saved")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Saved")
    expect(page.locator(f"#{item_id} :focus")).to_have_count(1)  # once htmx has settled
    focus = page.evaluate(FOCUS)
    assert focus["item"] == item_id and focus["tag"] == "BUTTON", focus

    # An action: Enter opens the form; sent empty it is refused, the focus on the first field
    # to correct and the error read out.
    tab_to(page, f"#{item_id} details.add-action summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#{item_id} form[hx-post$='/actions/'] button")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{item_id} [aria-invalid=true]").first).to_be_focused()
    focus = page.evaluate(FOCUS)
    assert focus["invalid"] == "true" and focus["name"].endswith("-description"), focus
    expect(page.locator("#messages")).to_contain_text("This field is required")

    page.keyboard.type("Root-cause analysis of the outage")
    page.keyboard.press("Tab")
    page.keyboard.type("Gustav Gamma")
    page.keyboard.press("Tab")
    page.keyboard.type("Gamma Drift AB")
    tab_to(page, f"#{item_id} form[hx-post$='/actions/'] button")
    page.keyboard.press("Enter")
    expect(item.locator(".actions-table")).to_contain_text("Root-cause analysis of the outage")
    assert Action.objects.filter(owner_name="Gustav Gamma").exists()
    # The form folded away with its button: the focus is on the item's heading, not <body>.
    expect(page.locator(f"#{item_id} h3")).to_be_focused()

    # Approve and lock: Enter, then the browser's confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    tab_to(page, "form[action$='/approve/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("approved")
    context.close()


def test_a_refusal_above_the_page_is_read_out_by_the_one_live_region(browser, live_server):
    """The live region is there from the first paint, so a change of its text is read out;
    no message inside it is a live region of its own."""
    officer = make_user(Role.PROCUREMENT)
    context = context_for(browser, live_server.url, officer)
    page = context.new_page()
    page.goto(f"{live_server.url}/account/")
    live = page.locator("#messages")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_attribute("aria-live", "polite")
    # As governance.htmx.message_above_the_page answers a refused change.
    page.evaluate(
        """() => htmx.swap("#messages", '<p class="message error">Too many changes.</p>',
                           {swapStyle: "innerHTML"})"""
    )
    expect(live).to_contain_text("Too many changes.")
    assert page.locator("#messages [role], #messages [aria-live]").count() == 0
    context.close()
