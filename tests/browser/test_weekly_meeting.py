"""Holding a weekly operational meeting end to end, in Chromium, with a real worker making the
PDF: open the agenda, record attendance and minutes, add an action, approve, download the PDF
and look at its first page rendered to PNG."""

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from governance.models import Role
from meetings.models import Action, Meeting, MinutesPdf
from meetings.services import approve_minutes
from tests.factories import (
    PASSWORD,
    fill_governance,
    make_contract,
    make_forum,
    make_held_minutes,
    make_supplier,
)
from tests.factories import make_user as make_person
from tests.worker import wait_for

from .test_supplier_onboarding import sign_in

pytestmark = pytest.mark.browser


def test_procurement_holds_a_weekly_meeting_and_gets_the_pdf(page, live_server, worker, tmp_path):
    base = live_server.url
    officer = make_person(
        Role.PROCUREMENT, email="officer@city.example", first_name="Olga", last_name="Officer"
    )
    contract = fill_governance(make_contract(make_supplier("Gamma Drift AB"), title="Operations"))
    forum = make_forum([contract], officer, name="Weekly operations: Gamma")
    starts_at = timezone.now() - timedelta(minutes=30)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=60)
    )

    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}{meeting.get_absolute_url()}")

    # The agenda before the meeting: the operational standing items.
    agenda = page.locator("#agenda")
    for title in ["Availability against target", "Support tickets", "Open actions"]:
        expect(agenda.get_by_text(title, exact=True)).to_be_visible()
    page.get_by_role("button", name="Start the minutes").click()
    expect(page.get_by_text("Minutes started from the agenda.")).to_be_visible()

    # Attendance: the chair was there.
    page.get_by_label("Olga Officer present").check()
    expect(page.get_by_label("Olga Officer present")).to_be_checked()

    # Notes and decisions on the first item, saved in place.
    item = page.locator(".minutes-item").first
    item.locator("textarea[name$='-notes']").fill("Availability 99.1 % against 99.5 %.")
    item.locator("textarea[name$='-decisions']").fill("Supplier presents a root-cause analysis")
    item.get_by_role("button", name="Save item").click()
    expect(item.locator(".saved")).to_contain_text("Saved")  # read out by #messages

    # An action with owner, organisation and due date.
    item = page.locator(".minutes-item").first
    item.get_by_text("Add an action").click()
    item.locator("textarea[name$='-description']").fill("Root-cause analysis of the outage")
    item.locator("input[name$='-owner_name']").fill("Gustav Gamma")
    item.locator("input[name$='-owner_organisation']").fill("Gamma Drift AB")
    item.locator("input[name$='-due_on']").fill("2026-12-04")
    item.get_by_role("button", name="Add action").click()
    expect(page.locator(".actions-table").first).to_contain_text(
        "Root-cause analysis of the outage"
    )
    assert Action.objects.filter(owner_name="Gustav Gamma").exists()

    # Approve: the page confirms, the minutes lock, the worker makes the PDF.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.get_by_text("Minutes approved and locked")).to_be_visible()
    expect(page.get_by_role("button", name="Save item")).to_have_count(0)
    pdf_link = page.get_by_role("link", name="PDF (v1)")
    expect(pdf_link).to_be_visible(timeout=30_000)  # htmx polls until the worker is done

    response = page.request.get(base + pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "minutes.pdf"
    pdf_path.write_bytes(response.body())
    text = subprocess.run(  # noqa: S603 - poppler on the downloaded file
        [shutil.which("pdftotext"), "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in [
        "Weekly operations: Gamma",
        "Availability 99.1 % against 99.5 %.",
        "Supplier presents a root-cause analysis",
        "Root-cause analysis of the outage",
        "Gustav Gamma",
        "2026-12-04",
        "Page 1 of",
    ]:
        assert expected in text, expected
    assert wait_for(lambda: MinutesPdf.objects.filter(minutes__meeting=meeting).count() == 1)

    # The first page as an image: A4 upright, with ink in the header, body and footer bands.
    subprocess.run(  # noqa: S603
        [
            shutil.which("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    assert 1.40 < height / width < 1.43

    def has_ink(top, bottom):
        band = image.crop((0, int(top * height), width, int(bottom * height)))
        return band.getextrema()[0] < 160  # the running header and footer are grey

    assert has_ink(0.0, 0.07), "no header"
    assert has_ink(0.1, 0.5), "no body"
    assert has_ink(0.92, 1.0), "no page number"
    Path("test-results").mkdir(exist_ok=True)
    image.save("test-results/weekly-meeting-minutes-page-1.png")


def test_both_sides_comment_on_approved_minutes(browser, live_server):
    """The page of approved minutes is shared by everyone who sees the same (governance.
    fragments); each person's comment form still carries their own token and works."""
    officer = make_person(Role.PROCUREMENT, first_name="Olga", last_name="Officer")
    supplier = make_supplier("Gamma Drift AB")
    contact = make_person(Role.SUPPLIER_CONTACT, supplier=supplier, first_name="Gus")
    minutes = approve_minutes(
        minutes=make_held_minutes(make_contract(supplier), officer), by=officer
    )
    url = live_server.url + minutes.meeting.get_absolute_url()

    pages = []
    for person, remark in [(officer, "Target confirmed."), (contact, "Agreed, report on Friday.")]:
        page = browser.new_context().new_page()
        sign_in(page, live_server.url, person.email, PASSWORD)
        page.goto(url)
        comments = page.locator("#comments")
        comments.get_by_label("Comment").fill(remark)
        comments.get_by_role("button", name="Comment").click()
        expect(page.locator("#comments")).to_contain_text(remark)  # swapped in by htmx
        pages.append(page)

    pages[0].reload()
    expect(pages[0].locator("#comments")).to_contain_text("Agreed, report on Friday.")
    expect(pages[0].get_by_text("Correct these minutes")).to_be_visible()
    expect(pages[1].get_by_text("Correct these minutes")).to_have_count(0)
    for page in pages:
        page.context.close()
