"""WCAG 2.1 AA in a real Chromium: axe-core's A and AA rules (wcag2a, wcag2aa, wcag21a,
wcag21aa) find nothing on the portal's pages, nor on Django's admin, with one h1 a page, no id
used twice and, at 320 px, nothing that scrolls sideways (tests/browser/accessibility.py).

How the pages are chosen, to stay within a few minutes: every page of the URL x role matrix
(tests/governance/test_authorization_matrix.py) that answers HTML is opened by the first role
of ROLES_IN_TURN that may see it, in the world of tests/security/world.py (every record there,
with ordinary text), once at 1280 px and once at 320 px. The language alternates from one URL
to the next and between the two widths, so each URL is read once in Swedish and once in
English. Every role also opens its own home and the pages it sees differently (ALSO), and the
administrator a sample of the admin. The minutes editor's htmx states (an item saved, a form
refused, an action added, attendance ticked, a conflict), a refused invitation, a form page
with errors and the PDF appearing are checked at both widths. One browser context per role.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from meetings.models import MinutesItem, MinutesPdf
from meetings.services import save_item
from tests.factories import make_admin
from tests.governance.test_authorization_matrix import MATRIX, ROLES
from tests.security.world import ROUTES, build_world, route_kwargs

from .accessibility import NARROW, WIDE, context_for, problems_on, speak

pytestmark = pytest.mark.browser

ROLES_IN_TURN = ["anonymous", "procurement", "contact_a", "director", "admin", "contact_b"]
assert sorted(ROLES_IN_TURN) == sorted(ROLES)

# Answers that are not pages: files, JSON, health checks, the city's sign-in (off in tests).
NOT_PAGES = {
    "healthz",
    "readyz",
    "portal:personal_data_json",
    "meetings:meeting_calendar",
    "meetings:minutes_pdf",
    "documents:download",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "export",
    "export_download",
    "api:openapi_json",
    "api:openapi_json_v1",
}

# Pages a role sees in a way of its own: the supplier's side of its records, the director's
# dashboard, another supplier's contact with nothing of supplier A's.
ALSO = {
    "contact_a": [
        "portal:supplier_detail",
        "documents:document",
        "portal:contract_detail",
        "portal:meeting_detail",
        "meetings:minutes_detail",
        "operations:report",
        "escalations:issue_create",
        "risks:list",
        "risks:detail",
    ],
    "director": ["portal:dashboard", "portal:contract_detail"],
    "contact_b": ["suppliers:contract_list", "escalations:issue_list"],
}

LANGUAGES = ["sv", "en"]


def pages_of(role):
    """The url names `role` opens: those it is the first in turn to see, and ALSO's."""
    owned = []
    for url_name, (method, _kwargs, expected) in sorted(MATRIX.items()):
        if method != "get" or url_name in NOT_PAGES or url_name.startswith("admin:"):
            continue
        seeing = [name for name in ROLES_IN_TURN if expected[name] == 200]
        if seeing and seeing[0] == role:
            owned.append(url_name)
    return owned + [name for name in ALSO.get(role, []) if name not in owned]


def url_of(world, url_name):
    kwargs = route_kwargs(world, url_name) if url_name in ROUTES else {}
    url = reverse(url_name, kwargs=kwargs)
    return url + ("?refresh=1" if url_name == "portal:dashboard" else "")


def admin_pages(world, admin):
    supplier, contract = world.objects["supplier"], world.objects["contract"]  # primary keys
    return [
        reverse("admin:index"),
        reverse("admin:governance_user_changelist"),
        reverse("admin:governance_user_change", args=[admin.pk]),
        reverse("admin:suppliers_supplier_changelist"),
        reverse("admin:suppliers_supplier_change", args=[supplier]),
        reverse("admin:suppliers_contract_change", args=[contract]),
        reverse("admin:meetings_minutes_changelist"),
        reverse("admin:suppliers_contract_add"),
    ]


@pytest.fixture
def world(transactional_db):
    world = build_world("Nordlig Drift AB")
    world.users["admin"] = make_admin()
    world.users["anonymous"] = None
    return world


def sweep(page, base, user, urls, *, first_language):
    """Each url at both widths, the language alternating by url and by width."""
    found = []
    for size, shift in [(WIDE, 0), (NARROW, 1)]:
        page.set_viewport_size(size)
        for number, url in enumerate(urls):
            language = LANGUAGES[(first_language + number + shift) % 2]
            speak(page.context, base, user, language)
            response = page.goto(base + url)
            assert response.status == 200, f"{url}: {response.status}"
            found += problems_on(page, f"{url} {size['width']}px {language}", language=language)
    return found


@pytest.mark.parametrize("role", ROLES_IN_TURN)
def test_every_page_meets_wcag_21_aa(role, world, browser, live_server):
    base = live_server.url
    user = world.users[role]
    home = [] if user is None else ["/"]  # nobody's home is the sign-in page, in the matrix
    urls = home + [url_of(world, url_name) for url_name in pages_of(role)]
    if role == "admin":
        urls += admin_pages(world, user)
    context = context_for(browser, base, user)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        found = sweep(
            page, base, user, list(dict.fromkeys(urls)), first_language=ROLES_IN_TURN.index(role)
        )
    finally:
        context.close()
    assert found == [], "\n".join(found)


def test_htmx_states_meet_wcag_21_aa(world, browser, live_server):
    """What htmx swaps into the pages, checked as it stands after each swap."""
    base = live_server.url
    chair = world.users["procurement"]
    objects = world.objects
    item = MinutesItem.objects.get(pk=objects["item"])
    minutes_url = reverse("meetings:minutes_detail", args=[objects["minutes"]])
    context = context_for(browser, base, chair)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = []
    try:
        for size, language in [(WIDE, "en"), (NARROW, "sv")]:
            page.set_viewport_size(size)
            speak(context, base, chair, language)
            where = f"{size['width']}px {language}"

            page.goto(base + minutes_url)
            section = page.locator(f"#item-{item.pk}")
            section.locator("textarea[name$='-notes']").fill("Availability was 99.2 %.")
            section.locator(f"form[hx-post$='/items/{item.pk}/'] button").click()
            expect(section.locator(".saved")).to_be_visible()
            found += problems_on(page, f"item saved {where}")

            section.locator("details.add-action summary").click()
            section.locator("form[hx-post$='/actions/'] button").click()
            expect(section.locator("[aria-invalid=true]").first).to_be_visible()
            found += problems_on(page, f"action refused {where}")

            new_action = section.locator("form[hx-post$='/actions/']")
            new_action.locator("textarea[name$='-description']").fill("Send the analysis")
            new_action.locator("input[name$='-owner_name']").fill("Olof")
            new_action.locator("input[name$='-owner_organisation']").fill("Nordlig")
            new_action.locator("button").click()
            expect(section).to_contain_text("Send the analysis")
            found += problems_on(page, f"action added {where}")

            page.locator("#attendance input[name=present]").first.click()
            page.wait_for_load_state("networkidle")
            found += problems_on(page, f"attendance ticked {where}")

            item.refresh_from_db()
            save_item(
                item=item,
                revision=item.revision,
                notes="Someone else's notes",
                decisions="",
                by=world.users["admin"],
            )
            section.locator(f"form[hx-post$='/items/{item.pk}/'] button").click()
            expect(section.locator(".message.error")).to_be_visible()
            found += problems_on(page, f"item conflict {where}")

            page.goto(base + reverse("portal:supplier_detail", args=[objects["supplier"]]))
            invitations = page.locator("#invitations")
            invitations.locator("button.primary").click()
            expect(invitations.locator("[aria-invalid=true]").first).to_be_visible()
            found += problems_on(page, f"invitation refused {where}")

            page.goto(base + reverse("suppliers:create"))
            page.locator("main form button.primary").click()
            page.wait_for_load_state()
            expect(page.locator("[aria-invalid=true]").first).to_be_visible()
            found += problems_on(page, f"supplier form with errors {where}")

            # The PDF appearing: the page polls while the worker makes it.
            approved = objects["approved_minutes"]
            pdf = MinutesPdf.objects.get(minutes_id=approved)
            pdf.delete()
            page.goto(base + reverse("meetings:minutes_detail", args=[approved]))
            found += problems_on(page, f"PDF being made {where}")
            MinutesPdf.objects.create(minutes_id=approved, content=pdf.content, sha256=pdf.sha256)
            expect(page.locator("#pdf-status a")).to_be_visible(timeout=8_000)
            found += problems_on(page, f"PDF appeared {where}")
    finally:
        context.close()
    assert found == [], "\n".join(found)


def test_the_checks_find_what_they_look_for(page):
    """The sweep proves something only if it can fail: a field without a label, two h1, an id
    used twice and a page wider than 320 px are each found."""
    page.set_viewport_size(NARROW)
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<h1>One</h1><h1>Two</h1><input id="twice"><p id="twice">'
        '<img src="data:," width="600" alt=""></p></main></body></html>'
    )
    found = "\n".join(problems_on(page, "sample"))
    for expected in ["axe label", "2 h1", "ids used twice", "px wide in a 320 px window"]:
        assert expected in found, found
