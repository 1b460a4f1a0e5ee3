"""The minutes PDF: real WeasyPrint output read back with pdftotext, escaping, no fetching of
files or network, and exactly one PDF per approved version."""

import hashlib
import http.server
import shutil
import subprocess
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from governance import outbox
from governance.models import OutboxMessage
from meetings.models import MinutesPdf
from meetings.pdf import NoFetching, render_minutes_pdf
from meetings.services import approve_minutes
from operations.services import record_measurement
from tests.factories import make_held_minutes, make_service_level


def pdf_text(content, tmp_path, *args):
    path = tmp_path / "minutes.pdf"
    path.write_bytes(content)
    return poppler("pdftotext", *args, str(path), "-")


def poppler(tool, *args):
    return subprocess.run(  # noqa: S603 - poppler's tools on our own file
        [shutil.which(tool), *args], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that counts every request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


@pytest.mark.django_db
def test_approved_minutes_become_one_pdf_with_everything_a_reader_needs(
    contract_a, procurement, tmp_path
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    assert outbox.perform(job.pk)

    pdf = MinutesPdf.objects.get(minutes=minutes)
    content = bytes(pdf.content)
    assert content.startswith(b"%PDF-")
    assert pdf.sha256 == hashlib.sha256(content).hexdigest()
    text = pdf_text(content, tmp_path, "-layout")
    local = timezone.localtime(minutes.meeting.starts_at)
    for expected in [
        "Weekly operations: Alpha",  # header and title
        f"{local:%Y-%m-%d %H:%M}",
        "Operational level",
        "Attendance",
        procurement.get_full_name() or procurement.email,
        "Availability against target",
        "Uptime 99.2 % against 99.5 %.",
        "Keep the target",
        "Review in Q1",
        "Send the root-cause analysis",
        "Ola Drift",
        "Alpha Drift AB",
        "2026-12-04",
        "Page 1 of ",
        "Minutes, version 1, approved",
    ]:
        assert expected in text, expected
    # A4 and the PDF/A-3a identification in the XMP metadata.
    info = poppler("pdfinfo", str(tmp_path / "minutes.pdf"))
    assert "595.276 x 841.89 pts (A4)" in info
    metadata = poppler("pdfinfo", "-meta", str(tmp_path / "minutes.pdf"))
    assert 'pdfaid:part="3" pdfaid:conformance="A"' in metadata
    # Each attendee with an e-mail address gets the PDF.
    mails = OutboxMessage.objects.filter(key__startswith=f"minutes-mail:{minutes.pk}:")
    assert mails.count() == minutes.attendance.exclude(email="").count()
    assert mails.first().payload["minutes_pdf"] == pdf.pk


@pytest.mark.django_db
def test_a_rerun_after_the_pdf_exists_keeps_the_one_pdf(contract_a, procurement):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    outbox.perform(job.pk)
    first = MinutesPdf.objects.get(minutes=minutes)
    # The task ran again (a redelivered message after a lost acknowledgement).
    OutboxMessage.objects.filter(pk=job.pk).update(done_at=None)
    assert outbox.perform(job.pk)
    assert list(MinutesPdf.objects.filter(minutes=minutes)) == [first]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_produce_one_pdf(contract_a, procurement):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    job = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}")
    barrier = threading.Barrier(2)
    results = []

    def work():
        barrier.wait()
        try:
            results.append(outbox.perform(job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    job.refresh_from_db()
    assert MinutesPdf.objects.filter(minutes=minutes).count() == 1, job.last_error
    assert True in results


@pytest.mark.django_db
def test_user_text_is_printed_as_text_and_fetches_nothing(
    contract_a, procurement, tmp_path, canary
):
    base, hits = canary
    payload = (
        f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/x.css">'
        '<b>bold</b> <img src="file:///etc/passwd">'
    )
    minutes = make_held_minutes(contract_a, procurement, notes=payload)
    text = pdf_text(render_minutes_pdf(minutes), tmp_path)
    assert "<b>bold</b>" in " ".join(text.split())
    assert f'<img src="{base}/img.png">' in " ".join(text.split())
    assert hits == []


def test_the_fetcher_refuses_files_the_network_and_redirects(canary, tmp_path):
    base, hits = canary
    html = (
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<link rel="stylesheet" href="{base}/redirect">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        f'<img src="{base}/image.png"><p>Fetched nothing</p>'
        '<style>@import url("file:///etc/hostname");</style>'
    )
    content = HTML(string=html, url_fetcher=NoFetching()).write_pdf()
    assert hits == []
    assert "Fetched nothing" in pdf_text(content, tmp_path)
    with pytest.raises(ValueError, match="fetches no URLs"):
        NoFetching().fetch("file:///etc/passwd")


@pytest.mark.django_db
def test_long_minutes_number_their_pages(contract_a, procurement, tmp_path):
    notes = "\n".join(f"Line {number}: the incident and what was done." for number in range(220))
    text = pdf_text(render_minutes_pdf(make_held_minutes(contract_a, procurement, notes)), tmp_path)
    pages = text.count("\f")
    assert pages >= 4
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


@pytest.mark.django_db
def test_the_meeting_page_links_the_pdf_without_reading_its_bytes(
    contract_a, procurement, client_for
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    outbox.perform(OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}").pk)

    for url in (minutes.meeting.get_absolute_url(), minutes.get_absolute_url()):
        with CaptureQueriesContext(connection) as captured:
            page = client_for(procurement).get(url).content.decode()
        assert reverse("meetings:minutes_pdf", args=[minutes.pk]) in page
        assert not [q for q in captured if '"meetings_minutespdf"."content"' in q["sql"]], url


@pytest.mark.django_db
def test_links_in_the_pdf_lead_back_to_the_portal(contract_a, procurement, tmp_path):
    service_level = make_service_level(contract_a)
    minutes = make_held_minutes(contract_a, procurement)
    month = timezone.localdate().replace(day=1)
    breach = record_measurement(
        service_level=service_level, period_start=month, value=Decimal("97.0"), by=procurement
    ).raised
    approve_minutes(minutes=minutes, by=procurement)

    path = tmp_path / "minutes.pdf"
    path.write_bytes(render_minutes_pdf(minutes))
    links = poppler("pdfinfo", "-url", str(path))
    assert f"{settings.PORTAL_BASE_URL}{breach.get_absolute_url()}" in links
    assert " /issues/" not in links  # no link a PDF reader cannot follow
