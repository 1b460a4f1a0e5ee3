"""The API's pages in Chromium: the token page and the docs meet WCAG 2.1 AA and work under
the content security policy, with no violation at all."""

import pytest

from governance.models import Role
from tests.factories import make_user

from .accessibility import NARROW, WIDE, context_for, problems_on
from .test_content_security_policy import REPORT_VIOLATIONS

pytestmark = pytest.mark.browser


def test_the_token_page_and_the_docs_are_accessible_and_keep_the_policy(
    browser, live_server, transactional_db
):
    person = make_user(Role.DIRECTOR)
    found, violations = [], []
    for viewport in (WIDE, NARROW):
        context = context_for(browser, live_server.url, person, viewport=viewport)
        page = context.new_page()
        page.expose_function("reportViolation", lambda violation: violations.append(violation))
        page.add_init_script(REPORT_VIOLATIONS)
        page.goto(f"{live_server.url}/account/api-tokens/")
        page.fill("#id_name", "Our ITSM tool")
        page.click("text=Make the token")
        page.wait_for_selector("#new-token")
        found += problems_on(page, f"tokens {viewport['width']}")
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector("text=POST /api/v1/measurements")
        found += problems_on(page, f"docs {viewport['width']}")
        context.close()
    assert violations == []
    assert found == [], "\n".join(found)
