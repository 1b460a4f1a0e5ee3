"""What axe-core cannot judge at 320 px and in colour: the header's menu folds behind "Menu"
(and works without JavaScript), a wide table scrolls in its own named box a keyboard can
reach, and form fields' edges and the charts' lines stand out 3:1 from their background
(WCAG 1.4.10, 1.4.11), the charts' values also written out as text (1.1.1)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.models import Role
from tests.factories import make_user
from tests.security.world import build_world

from .accessibility import NARROW, context_for, contrast

pytestmark = pytest.mark.browser

WIDER_THAN_THE_WINDOW = (
    "document.documentElement.scrollWidth > document.documentElement.clientWidth"
)

# Each visible field's edge against the background it stands on.
FIELD_EDGES = """
() => Array.from(document.querySelectorAll("input:not([type=hidden]):not([type=checkbox])"
                                           + ":not([type=radio]), select, textarea"))
  .filter((field) => field.getBoundingClientRect().width > 0)
  .map((field) => {
    let behind = field.parentElement;
    while (getComputedStyle(behind).backgroundColor === "rgba(0, 0, 0, 0)") {
      behind = behind.parentElement || document.documentElement;
      if (behind === document.documentElement) break;
    }
    return {
      field: field.name,
      edge: getComputedStyle(field).borderTopColor,
      background: getComputedStyle(behind).backgroundColor,
    };
  })
"""

# Each line, dot and bar of the charts (not their text), against the chart's white.
CHART_MARKS = """
() => Array.from(document.querySelectorAll(
    "svg.chart line, svg.chart polyline, svg.chart circle, svg.chart rect, svg.sparkline polyline"
  )).map((mark) => {
    const style = getComputedStyle(mark);
    const colour = style.stroke === "none" ? style.fill : style.stroke;
    return {mark: mark.outerHTML.slice(0, 80), colour};
  })
"""


# A chart's values (its <desc>) are in its caption, or its months in the table above it.
VALUES_AS_TEXT = """
(figure) => {
  const values = figure.querySelector("svg desc").textContent;
  const caption = figure.querySelector("figcaption");
  if (caption) {
    return caption.textContent.includes(values);
  }
  const table = figure.previousElementSibling;
  return table !== null && values.split("; ").every(
    (month) => table.textContent.includes(month.split(":")[0]));
}
"""


def test_the_menu_folds_at_320_px_and_opens_with_the_keyboard(browser, live_server):
    officer = make_user(Role.PROCUREMENT)
    context = context_for(browser, live_server.url, officer)
    page = context.new_page()
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}{reverse('suppliers:contract_list')}")
    menu = page.locator("details.menu")
    contracts = page.get_by_role("navigation").get_by_role("link", name="Contracts")
    expect(contracts).to_be_hidden()
    page.locator("details.menu summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(contracts).to_be_visible()
    # Inside the blue bar, white on blue: not spilled onto the page's grey.
    box = contracts.bounding_box()
    bar = page.locator(".topbar").bounding_box()
    assert box["x"] + box["width"] <= NARROW["width"]
    assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"]
    colours = contracts.evaluate(
        "(link) => [getComputedStyle(link).color,"
        " getComputedStyle(link.closest('.topbar')).backgroundColor]"
    )
    assert contrast(*colours) >= 4.5
    assert not page.evaluate(WIDER_THAN_THE_WINDOW)

    # Wide again: the menu is open and "Menu" is gone.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(contracts).to_be_visible()
    expect(page.locator("details.menu summary")).to_be_hidden()
    context.close()


def test_without_javascript_the_menu_is_open_and_fits(browser, live_server):
    officer = make_user(Role.PROCUREMENT)
    context = context_for(
        browser, live_server.url, officer, viewport=NARROW, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('account')}")
    expect(page.get_by_role("navigation").get_by_role("link", name="Contracts")).to_be_visible()
    assert not page.evaluate(WIDER_THAN_THE_WINDOW)
    context.close()


def test_wide_tables_scroll_in_their_own_named_box(browser, live_server, transactional_db):
    world = build_world("Nordlig Drift AB")
    context = context_for(browser, live_server.url, world.users["procurement"])
    page = context.new_page()
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}{reverse('portal:dashboard')}?refresh=1")
    assert not page.evaluate(WIDER_THAN_THE_WINDOW)
    # The figure cards stack rather than shrink until their words break letter by letter.
    widths = page.locator(".figure").evaluate_all(
        "(cards) => cards.map((card) => card.offsetWidth)"
    )
    assert widths and min(widths) >= 140, widths
    # A table that fits is left alone; one that does not is a named region, reachable by Tab.
    box = page.locator(".table-scroll[role=region]").first
    expect(box).to_have_attribute("tabindex", "0")
    assert box.get_attribute("aria-label")
    assert box.evaluate("(box) => box.scrollWidth > box.clientWidth")
    box.focus()
    page.keyboard.press("ArrowRight")
    for _wait in range(20):  # smooth scrolling takes a moment
        if box.evaluate("(box) => box.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert box.evaluate("(box) => box.scrollLeft") > 0
    context.close()


def test_field_edges_and_chart_lines_stand_out_3_to_1(browser, live_server, transactional_db):
    world = build_world("Nordlig Drift AB")
    context = context_for(browser, live_server.url, world.users["procurement"])
    page = context.new_page()
    weak = []
    for url in [
        reverse("suppliers:contract_create"),
        reverse("meetings:minutes_detail", args=[world.objects["minutes"]]),
        reverse("operations:report", args=[world.objects["contract"]]),
    ]:
        page.goto(live_server.url + url)
        edges = page.evaluate(FIELD_EDGES)
        assert edges, url
        weak += [edge for edge in edges if contrast(edge["edge"], edge["background"]) < 3]
    assert weak == []

    marks = []
    for url in [
        reverse("operations:contract_figures", args=[world.objects["contract"]]),
        reverse("portal:dashboard") + "?refresh=1",
    ]:
        page.goto(live_server.url + url)
        marks += page.evaluate(CHART_MARKS)
    assert len(marks) > 10
    assert [mark for mark in marks if contrast(mark["colour"], "rgb(255, 255, 255)") < 3] == []

    # Each chart's values are written out beside it, not only drawn.
    page.goto(
        live_server.url + reverse("operations:contract_figures", args=[world.objects["contract"]])
    )
    figures = page.locator("figure.chart-figure")
    assert figures.count() >= 2
    for figure in figures.all():
        assert figure.evaluate(VALUES_AS_TEXT), figure.inner_html()[:200]
    context.close()
