"""WCAG 2.1 AA (axe-core in Chromium, tests/browser/accessibility.py) on the contract page's
forms for giving notice, ending and the notice decision, and on their refusals, in Swedish
and English at both widths."""

from datetime import timedelta

import pytest
from django.utils import timezone

from suppliers.models import ContractStatus, add_months

from .accessibility import NARROW, WIDE, context_for, problems_on, speak

pytestmark = pytest.mark.browser


@pytest.fixture
def contracts(transactional_db, contract_a, contract_b):
    contract_a.status = ContractStatus.ACTIVE  # notice deadline in 60 days: decide or snooze
    contract_a.end_date = add_months(timezone.localdate() + timedelta(days=60), 6)
    contract_a.notice_period_months = 6
    contract_a.save()
    contract_b.status = ContractStatus.TERMINATING  # end it, or withdraw the notice
    contract_b.save()
    return contract_a, contract_b


def test_the_ending_and_notice_forms_meet_wcag_21_aa(contracts, procurement, browser, live_server):
    base = live_server.url
    context = context_for(browser, base, procurement)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = []
    try:
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            for language in ("sv", "en"):
                speak(page.context, base, procurement, language)
                where = f"{size['width']}px {language}"
                for contract in contracts:
                    page.goto(base + contract.get_absolute_url())
                    found += problems_on(page, f"{contract.reference} {where}", language=language)
                # Refusals: the section as a page, with the errors tied to the fields.
                page.goto(base + contracts[1].get_absolute_url())
                page.locator("#status form").last.locator("button").click()
                page.wait_for_load_state()
                assert page.locator(".errorlist").count() >= 1
                found += problems_on(page, f"end refused {where}", language=language)
                page.goto(base + contracts[0].get_absolute_url())
                page.locator("#notice form").first.locator("button").click()
                page.wait_for_load_state()
                assert page.locator(".errorlist").count() >= 1
                found += problems_on(page, f"decision refused {where}", language=language)
    finally:
        context.close()
    assert found == [], "\n".join(found)
