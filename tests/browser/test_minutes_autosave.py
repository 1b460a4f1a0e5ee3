"""Notes typed into the minutes are not lost when *Approve and lock* is pressed without *Save
item*: they are saved as they are typed, and an approval sent while some text is unsaved is
refused with a message, the text left where it was typed."""

import pytest
from playwright.sync_api import expect

from governance.models import Role
from meetings.models import MinutesItem
from tests.factories import (
    PASSWORD,
    fill_governance,
    make_contract,
    make_held_minutes,
    make_supplier,
    make_user,
    mark_present,
)

from .test_supplier_onboarding import sign_in

pytestmark = pytest.mark.browser

TYPED = "Change freeze agreed for the payroll run."
REFUSED = "Not approved: 2. Support tickets has text that is not saved yet."


def held_minutes():
    officer = make_user(Role.PROCUREMENT, email="chair@city.example")
    contract = fill_governance(make_contract(make_supplier("Autosave Drift AB"), reference="S-1"))
    return officer, mark_present(make_held_minutes(contract, officer))


def test_notes_typed_then_approved_without_saving_are_in_the_approved_minutes(page, live_server):
    officer, minutes = held_minutes()
    sign_in(page, live_server.url, officer.email, PASSWORD)
    page.goto(f"{live_server.url}{minutes.meeting.get_absolute_url()}")

    notes = page.locator(".minutes-item").nth(1).locator("textarea[name$='-notes']")
    notes.press_sequentially(TYPED)
    # Straight to approval, without Save item.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve and lock").click()

    refused = page.get_by_text(REFUSED)
    approved = page.get_by_text("Minutes approved and locked")
    expect(refused.or_(approved)).to_be_visible()
    if refused.is_visible():
        # Sent before the autosave: refused, the text still in its field, the draft open.
        expect(notes).to_have_value(TYPED)
        minutes.refresh_from_db()
        assert not minutes.is_approved
        # A second later the autosave has it; approving now goes through.
        expect(page.locator(".minutes-item").nth(1).locator(".saved")).to_contain_text("Saved")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Approve and lock").click()
        expect(approved).to_be_visible()

    minutes.refresh_from_db()
    assert minutes.is_approved
    assert minutes.items.get(position=2).notes == TYPED
    expect(page.locator("#minutes").locator("xpath=..")).to_contain_text(TYPED)


def test_notes_are_saved_as_they_are_typed(page, live_server):
    officer, minutes = held_minutes()
    sign_in(page, live_server.url, officer.email, PASSWORD)
    page.goto(f"{live_server.url}{minutes.meeting.get_absolute_url()}")

    item = page.locator(".minutes-item").nth(1)
    item.locator("textarea[name$='-notes']").press_sequentially(TYPED)
    expect(item.locator(".saved")).to_contain_text("Saved")
    assert MinutesItem.objects.get(minutes=minutes, position=2).notes == TYPED
    # Typing on saves again at the new revision: no conflict with one's own autosave.
    item.locator("textarea[name$='-notes']").press_sequentially(" Second line.")
    expect(item.locator("textarea[name$='-notes']")).to_have_value(TYPED + " Second line.")
    page.wait_for_timeout(2_500)
    item_row = MinutesItem.objects.get(minutes=minutes, position=2)
    assert item_row.notes == TYPED + " Second line."
    assert item_row.revision == 2
    expect(item.get_by_text("while you were editing")).to_have_count(0)

    # Another person's save meanwhile: the next autosave shows the conflict, text kept.
    MinutesItem.objects.filter(pk=item_row.pk).update(notes="Theirs", revision=5)
    item.locator("textarea[name$='-notes']").press_sequentially(" Mine.")
    expect(item.get_by_text("while you were editing")).to_be_visible()
    expect(page.locator(".minutes-item").nth(1).locator("textarea[name$='-notes']")).to_have_value(
        TYPED + " Second line. Mine."
    )
