"""Every text a person writes reaches pages, htmx partials, e-mails, calendar files and the
minutes PDF as text, never as markup: an attack string in every field stays inert everywhere."""

import re
import shutil
import subprocess
import zlib

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from meetings.models import Forum, Meeting, MinutesPdf
from meetings.services import reconcile_meetings
from suppliers.models import Supplier
from tests.security.forms import EMAIL, FILE, FORMS, TEXT, form_for
from tests.security.urls import HX_TARGETS, url_patterns
from tests.security.world import (
    ATTACK,
    JAVASCRIPT_URL,
    ROUTES,
    build_world,
    perform_outbox,
    quoted_email,
    route_kwargs,
    user_text_fields,
)

pytestmark = pytest.mark.django_db

RAW = [ATTACK, "<script>alert(1)", '"><script']
ESCAPED = escape(ATTACK)
# A link, script source, form target or htmx request to a javascript: URL, however quoted.
SCRIPT_URL = re.compile(
    r"""(href|src|action|formaction|xlink:href|hx-get|hx-post|hx-put|hx-delete|hx-patch)"""
    r"""\s*=\s*["']?\s*(javascript|vbscript|data):""",
    re.IGNORECASE,
)
# Pages that show no user-written text (or none of supplier A's to this reader).
HTMX = {"HX-Request": "true"}
NOT_HTML = {
    "text/calendar",
    "application/pdf",
    "application/json",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAIL_HEADERS = {
    "Content-Type", "MIME-Version", "Content-Transfer-Encoding", "Subject", "From", "To", "Date",
    "Message-ID",
}  # fmt: skip
WITHOUT_USER_TEXT = {
    "healthz",
    "login",
    "portal:home",
    "logout",
    "suppliers:list",
    "mfa_setup",
    "export_job",  # the list's title and the file's name: ours
}


def assert_inert(body, where):
    for raw in RAW:
        at = body.find(raw)
        assert at < 0, f"{where}: raw {raw!r} in …{body[max(0, at - 80) : at + 80]}…"
    match = SCRIPT_URL.search(body)
    assert match is None, f"{where}: {match.group(0)!r}"


def assert_every_text_field_holds_the_attack(world):
    missing = []
    for label, name in user_text_fields():
        model = apps.get_model(label)
        if not model._default_manager.filter(**{f"{name}__contains": world.text}).exists():
            missing.append(f"{label}.{name}")
    assert missing == [], "build_world() leaves these text fields without the attack"


def html_gets(world):
    """(url name, url) for every page and partial the resolver knows, with supplier A's ids."""
    for url_name, kwarg_names, _view in url_patterns():
        # readyz: the services' states, 503 while no beat runs; no text of anyone's.
        if url_name.startswith("admin:") or url_name in ("logout", "readyz"):
            continue
        if kwarg_names and url_name not in ROUTES:
            pytest.fail(f"{url_name} takes {kwarg_names}: give it a row in ROUTES")
        url = reverse(url_name, kwargs=route_kwargs(world, url_name) if kwarg_names else {})
        # The dashboard is shared for a minute: this world's, not another test's.
        yield url_name, url + ("?refresh=1" if url_name == "portal:dashboard" else "")
    objects = world.objects
    # The same views with other records: approved minutes, a quarterly meeting with its pulse.
    yield (
        "portal:meeting_detail",
        reverse("portal:meeting_detail", args=[objects["approved_meeting"]]),
    )
    yield (
        "portal:meeting_detail",
        reverse("portal:meeting_detail", args=[objects["quarterly_meeting"]]),
    )
    yield (
        "meetings:minutes_detail",
        reverse("meetings:minutes_detail", args=[objects["approved_minutes"]]),
    )
    yield (
        "meetings:forum_detail",
        reverse("meetings:forum_detail", args=[objects["forum"]]) + "?past=year",
    )
    yield (
        "relationship:pulse_list",
        reverse("relationship:pulse_list") + f"?supplier={objects['supplier']}",
    )


def test_no_page_or_partial_renders_the_attack_as_markup(client):
    world = build_world(ATTACK)
    assert_every_text_field_holds_the_attack(world)
    # The city's view (every record, and the forms to change them) and a supplier's.
    for role in ("procurement", "contact_a"):
        client.force_login(world.users[role])
        showed, silent = set(), set()
        for url_name, url in html_gets(world):
            page = client.get(url)
            responses = [({}, page)]
            # The htmx partial, where the view answers htmx differently: it says so with
            # Vary: HX-Request, or answers a named target.
            if "HX-Request" in page.get("Vary", "") or url_name in HX_TARGETS:
                responses.append((HTMX, client.get(url, headers=HTMX)))
            if url_name in HX_TARGETS:
                headers = {**HTMX, "HX-Target": HX_TARGETS[url_name]}
                responses.append((headers, client.get(url, headers=headers)))
            for headers, response in responses:
                # 409: an invitation opened while signed in, which names both addresses.
                if response.status_code not in (200, 409):
                    assert response.status_code in (302, 403, 404, 405), f"{url}: {response}"
                    continue
                content_type = response["Content-Type"].split(";")[0]
                if content_type != "text/html":
                    assert content_type in NOT_HTML, url
                    continue
                body = response.content.decode()
                assert_inert(body, f"{role} GET {url} {headers}")
                (showed if ESCAPED in body else silent).add(url_name)
        # The sweep only proves something where the attack was on the page.
        assert silent - showed - WITHOUT_USER_TEXT == set(), f"{role}: pages without the text"


def attack_body(form, world, keep_valid):
    """The form's body with the attack in its text fields (keep_valid) or in every field."""
    body = {}
    for number, (name, (kind, value)) in enumerate(form.fields(world).items()):
        if kind == FILE:
            rows = f"contract,period,category,questions\n{ATTACK},2026-10,{ATTACK},3\n"
            body[name] = SimpleUploadedFile(ATTACK, rows.encode())
        elif kind == EMAIL:
            body[name] = quoted_email(ATTACK, 900 + number) if keep_valid else ATTACK
        elif kind == TEXT or not keep_valid:
            body[name] = ATTACK
        else:
            body[name] = value
    return body


def test_forms_show_what_was_typed_as_text_whether_saved_or_refused(client):
    world = build_world(ATTACK)
    for form in FORMS:
        client.logout()
        if form.user:
            client.force_login(world.users[form.user])
        url_name = form.url_name
        url = reverse(url_name, kwargs=route_kwargs(world, url_name) if url_name in ROUTES else {})
        # Refused, the form comes back with what was typed (page and partial); saved, the
        # partial shows the new record (a page redirects to one the page sweep reads).
        for keep_valid, headers in [(False, {}), (False, HTMX), (True, HTMX)]:
            with transaction.atomic():
                body = attack_body(form, world, keep_valid)
                response = client.post(url, body, headers=headers)
                where = f"{form.user} POST {url} {headers} valid={keep_valid}"
                assert response.status_code < 500, where
                assert_inert(response.content.decode(errors="replace"), where)
                transaction.set_rollback(True)


def test_e_mails_calendars_and_the_pdf_carry_the_attack_as_plain_text(client, tmp_path):
    world = build_world(ATTACK, render_pdfs=True)
    sent = mail.outbox
    kinds = {
        "invitation": "Your invitation",
        "meeting": "Invitation: ",
        "issue": "Escalated to the",
        "breach": "Raised at the",
        "minutes": "Approved minutes",
    }
    for kind, subject in kinds.items():
        assert any(message.subject.startswith(subject) for message in sent), kind
    pdfs = set()
    for message in sent:
        where = f"mail {message.subject!r} to {message.to}"
        assert "\n" not in message.subject and "\r" not in message.subject, where
        # Plain text shows the attack as it was typed: neither markup nor HTML entities.
        text = f"{message.subject}\n{message.body}"
        assert ATTACK in text, where
        assert ESCAPED not in text, where
        # What the mail server gets, part by part.
        for part in message.message().walk():
            content_type = part.get_content_type()
            if content_type == "text/html":
                assert_inert(part.get_payload(decode=True).decode(), where)
            elif content_type == "text/calendar":
                assert_one_event(part.get_payload(decode=True), where)
            elif content_type == "application/pdf":
                pdfs.add(part.get_payload(decode=True))
    assert pdfs, "no minutes PDF was e-mailed"
    for content in pdfs:
        assert_pdf_shows_text(content, tmp_path, "e-mailed PDF")

    for minutes in MinutesPdf.objects.all():
        assert_pdf_shows_text(bytes(minutes.content), tmp_path, f"PDF of {minutes.minutes_id}")

    client.force_login(world.users["procurement"])
    response = client.get(
        reverse("meetings:meeting_calendar", args=[world.objects["coming_meeting"]])
    )
    assert response["Content-Type"].startswith("text/calendar")
    assert_one_event(response.content.decode(), "calendar file")


def assert_one_event(ics, where):
    """The attack stays inside its properties: one event, its own summary, no extra lines."""
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1, where
    assert str(events[0]["SUMMARY"]).startswith(ATTACK), where
    attendees = events[0].get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    for attendee in attendees:
        assert attendee.params["CN"] == ATTACK, where
    unfolded = re.sub(r"\r\n[ \t]", "", ics if isinstance(ics, str) else ics.decode())
    names = {line.split(":")[0].split(";")[0] for line in unfolded.splitlines() if line}
    assert names <= ICS_PROPERTIES, f"{where}: {names - ICS_PROPERTIES}"


ICS_PROPERTIES = {
    "BEGIN", "END", "PRODID", "VERSION", "METHOD", "UID", "SEQUENCE", "DTSTAMP", "DTSTART",
    "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "ORGANIZER", "ATTENDEE", "TZID",
    "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "RRULE", "RDATE", "COMMENT", "X-LIC-LOCATION",
}  # fmt: skip


def assert_pdf_shows_text(content, tmp_path, where):
    """pdftotext reads the attack back as text, and nothing in the file runs or links out."""
    path = tmp_path / "minutes.pdf"
    path.write_bytes(content)
    text = subprocess.run(  # noqa: S603 - poppler's tool on our own file
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(text.split())
    assert "".join(ATTACK.split()) in squeezed, f"{where}: the text is not in the PDF"
    names, uris = pdf_actions(content)
    assert names.isdisjoint(PDF_ACTIVE), f"{where}: {names & PDF_ACTIVE}"
    for uri in uris:
        assert not re.match(rb"\s*(javascript|vbscript|data|file):", uri, re.IGNORECASE), (
            f"{where}: a link to {uri!r}"
        )


# What makes a PDF run something, open a file or send a form.
PDF_ACTIVE = {b"/JavaScript", b"/JS", b"/Launch", b"/SubmitForm", b"/ImportData", b"/RichMedia"}


def pdf_actions(content):
    """Every PDF name in the file and the target of every link annotation, in its compressed
    streams too (annotations and actions may sit in object streams)."""
    chunks = [content]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue  # not deflated (fonts, images stored otherwise)
    names = {name for chunk in chunks for name in re.findall(rb"/[A-Za-z]+", chunk)}
    uris = [uri for chunk in chunks for uri in re.findall(rb"/URI\s*\(((?:\\.|[^)])*)\)", chunk)]
    return names, uris


def test_javascript_urls_never_become_links(client):
    world = build_world(ATTACK)
    client.force_login(world.users["procurement"])
    objects = world.objects
    quarterly = reverse("portal:meeting_detail", args=[objects["quarterly_meeting"]])
    body = client.get(quarterly).content.decode()
    assert JAVASCRIPT_URL in body  # the forum's link is shown, as text
    assert_inert(body, quarterly)
    for url in [
        reverse("relationship:expectation_add", args=[objects["contract"]]),
        reverse("relationship:expectation_edit", args=[objects["expectation"]]),
        reverse("login"),
    ]:
        for target in (
            JAVASCRIPT_URL,
            " javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "//evil.example",
        ):
            response = client.get(url, {"next": target})
            assert_inert(response.content.decode(), f"{url}?next={target}")
            assert f'href="{target}' not in response.content.decode()
    response = client.post(
        reverse("relationship:expectation_edit", args=[objects["expectation"]]),
        {**form_for("relationship:expectation_edit").valid(world), "next": JAVASCRIPT_URL},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/contracts/")


def test_a_line_break_in_a_name_does_not_break_the_e_mails(client):
    world = build_world("Alpha")
    client.force_login(world.users["procurement"])
    objects = world.objects
    injected = "Alpha\r\nBcc: everyone@evil.example"
    supplier = Supplier.objects.get(pk=objects["supplier"])
    supplier.name = injected
    supplier.save()
    mail.outbox.clear()

    response = client.post(
        reverse("suppliers:invitation_create", args=[supplier.pk]),
        {"name": "Ina", "email": "ina@alpha.example"},
    )
    assert response.status_code == 302
    forum = Forum.objects.get(pk=objects["forum"])
    forum.name = injected
    forum.save()
    Meeting.objects.filter(forum=forum).update(notified_sequence=None)
    reconcile_meetings()
    response = client.post(
        reverse("escalations:issue_create"),
        {**form_for("escalations:issue_create").valid(world), "title": injected},
    )
    assert response.status_code == 302
    perform_outbox()
    assert len(mail.outbox) > 3
    for message in mail.outbox:
        # Nothing typed became a header of its own.
        assert set(message.message().keys()) <= MAIL_HEADERS, message.subject
        assert message.recipients() == message.to
