"""Documents attached to a contract, a meeting and an issue: uploaded, listed on the record's
page, downloaded as attachments with their hash, replaced by new versions that keep the old
ones; who sees and who uploads follows the record; files checked by their content."""

import hashlib
import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from documents.models import Document, DocumentVersion
from documents.services import storage
from meetings.services import reconcile_meetings, start_minutes
from tests.factories import make_forum, make_issue, make_risk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_2 = PDF.replace(b"1.7", b"1.4")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def xlsx():
    book = Workbook()
    book.active["A1"] = "Tillgänglighet"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def records(contract_a, procurement):
    forum = make_forum([contract_a], chair=procurement)
    reconcile_meetings()
    return {
        "contract": contract_a,
        "meeting": forum.meetings.first(),
        "issue": make_issue([contract_a], procurement),
    }


def attach(client, record_kind, record, *, name="Avtal.pdf", content=PDF, **fields):
    url = reverse("documents:attachments", args=[record_kind, record.pk])
    data = {
        "title": fields.get("title", "Huvudavtal"),
        "document_type": fields.get("document_type", "contract"),
        "file": upload(name, content),
    }
    return client.post(url, data)


def page_of(record_kind, record):
    return {
        "contract": reverse("portal:contract_detail", args=[record.pk]),
        "meeting": reverse("portal:meeting_detail", args=[record.pk]),
        "issue": reverse("escalations:issue_detail", args=[record.pk]),
    }[record_kind]


@pytest.mark.parametrize("record_kind", ["contract", "meeting", "issue"])
def test_upload_list_download_and_replace_keeping_the_old_version(
    record_kind, records, client_for, procurement, contact_a
):
    record = records[record_kind]
    client = client_for(procurement)
    response = attach(client, record_kind, record, document_type="report", title="Månadsrapport")
    assert response.status_code == 302
    assert response["Location"] == page_of(record_kind, record) + "#attachments"
    document = Document.objects.get()

    page = client_for(contact_a).get(page_of(record_kind, record)).content.decode()
    assert "Månadsrapport" in page
    assert reverse("documents:download", args=[document.pk, 1]) in page

    client = client_for(procurement)
    response = client.post(
        reverse("documents:document", args=[document.pk]),
        {"file": upload("Månadsrapport v2.pdf", PDF_2)},
    )
    assert response.status_code == 302
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]

    page = client_for(contact_a).get(reverse("documents:document", args=[document.pk]))
    text = page.content.decode()
    assert hashlib.sha256(PDF).hexdigest() in text
    assert hashlib.sha256(PDF_2).hexdigest() in text
    for number, content in [(1, PDF), (2, PDF_2)]:
        response = client_for(contact_a).get(
            reverse("documents:download", args=[document.pk, number])
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content


def test_download_is_an_attachment_with_a_safe_name_nosniff_and_its_hash(
    contract_a, client_for, procurement
):
    client = client_for(procurement)
    attach(client, "contract", contract_a, name='../../Årsrapport "över" drift.pdf')
    version = DocumentVersion.objects.get()
    response = client.get(version.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Årsrapport _över_ drift.pdf')}" in disposition
    assert ".." not in disposition and "/" not in disposition
    assert "sandbox" in response["Content-Security-Policy"]
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_file_gone_from_storage_is_not_found_not_an_error(contract_a, client_for, procurement):
    client = client_for(procurement)
    attach(client, "contract", contract_a)
    version = DocumentVersion.objects.get()
    storage().delete(version.stored_as)
    assert client.get(version.get_absolute_url()).status_code == 404
    assert client.get(version.document.get_absolute_url()).status_code == 200


def test_a_png_named_pdf_is_kept_and_sent_as_the_png_it_is(contract_a, client_for, procurement):
    attach(client_for(procurement), "contract", contract_a, name="karta.pdf", content=PNG)
    version = DocumentVersion.objects.get()
    assert (version.media_type, version.file_name) == ("image/png", "karta.pdf.png")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.pdf", HTML),  # a web page renamed
        ("logo.svg", SVG),
        ("logo.txt", SVG),  # markup is not plain text, whatever its name
        ("verktyg.pdf", EXE),
        ("data.csv", "namn;värde\n".encode("latin-1")),  # not UTF-8
        ("data.txt", b"abc\x00def"),
    ],
)
def test_files_are_checked_by_their_content_not_their_name(
    name, content, contract_a, client_for, procurement
):
    response = attach(
        client_for(procurement), "contract", contract_a, name=name, content=content, title="Kvar"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "could not recognise this file" in text or "does not keep" in text
    assert 'aria-invalid="true"' in text and 'value="Kvar"' in text  # the title is kept
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        (
            "Utfall.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("Noter.txt", "Åtgärder i november\n".encode(), "text/plain; charset=utf-8"),
        ("Utfall.csv", "\ufeffperiod;värde\n2026-10;99,9\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_office_files_and_utf8_text_are_taken(
    name, content, media_type, contract_a, client_for, procurement
):
    assert attach(client_for(procurement), "contract", contract_a, name=name, content=content)
    assert DocumentVersion.objects.get().media_type == media_type


def test_a_file_over_the_limit_is_refused_with_its_size(
    contract_a, client_for, procurement, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.ATTACHMENT_MAX_REQUEST_BYTES = 3 * 1024 * 1024
    big = PDF + b"0" * (2 * 1024 * 1024)
    response = attach(client_for(procurement), "contract", contract_a, content=big)
    assert response.status_code == 200
    assert "more than the 1 MB a document may be" in response.content.decode()
    assert not Document.objects.exists()
    # Far past it: refused from its declared length before it is read.
    settings.ATTACHMENT_MAX_REQUEST_BYTES = 1024 * 1024 + 64 * 1024
    response = attach(client_for(procurement), "contract", contract_a, content=big)
    assert response.status_code == 413


def test_supplier_contacts_attach_reports_to_their_own_records_never_the_contract(
    contract_a, client_for, contact_a, contact_b, director
):
    client = client_for(contact_a)
    response = attach(client, "contract", contract_a, document_type="contract")
    assert response.status_code == 200 and not Document.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()
    assert attach(client, "contract", contract_a, document_type="report").status_code == 302
    document = Document.objects.get()
    assert document.supplier_id == contact_a.supplier_id
    # Their own report they may replace; the director reads; supplier B learns nothing.
    replace = reverse("documents:document", args=[document.pk])
    assert client.post(replace, {"file": upload("v2.pdf", PDF_2)}).status_code == 302
    assert client_for(director).post(replace, {}).status_code == 403
    assert attach(client_for(director), "contract", contract_a).status_code == 403
    for url in [replace, reverse("documents:download", args=[document.pk, 1])]:
        assert client_for(contact_b).get(url).status_code == 404


def test_a_supplier_never_sees_another_suppliers_document_on_a_shared_issue(
    contract_a, contract_b, client_for, contact_a, contact_b, procurement
):
    issue = make_issue([contract_a, contract_b], procurement)
    attach(client_for(contact_a), "issue", issue, document_type="report", title="Alfas logg")
    attach(client_for(procurement), "issue", issue, document_type="other", title="Stadens PM")
    alpha = Document.objects.get(title="Alfas logg")
    page = client_for(contact_b).get(page_of("issue", issue)).content.decode()
    assert "Stadens PM" in page and "Alfas logg" not in page
    assert client_for(contact_b).get(alpha.get_absolute_url()).status_code == 404
    assert "Alfas logg" in client_for(procurement).get(page_of("issue", issue)).content.decode()


def test_the_contract_history_lists_uploads_and_new_versions(
    contract_a, client_for, procurement, contact_a
):
    client = client_for(procurement)
    attach(client, "contract", contract_a, title="Bilaga 1", document_type="annex")
    document = Document.objects.get()
    client.post(document.get_absolute_url(), {"file": upload("Bilaga 1 rev.pdf", PDF_2)})
    history = client_for(contact_a).get(reverse("portal:contract_history", args=[contract_a.pk]))
    text = history.content.decode()
    assert "Document attached: Bilaga 1 (Annex), Avtal.pdf" in text
    assert "Document Bilaga 1 (Annex): version 2, Bilaga 1 rev.pdf" in text
    assert str(procurement.get_full_name()) in text


def test_no_one_outside_sees_a_document(contract_a, client_for, procurement, contact_a):
    attach(client_for(procurement), "contract", contract_a)
    version = DocumentVersion.objects.get()
    assert client_for(None).get(version.get_absolute_url()).status_code == 302
    assert Document.objects.visible_to(contact_a).count() == 1
    contact_a.is_active = False
    contact_a.save()
    assert Document.objects.visible_to(contact_a).count() == 0


def test_zip_that_is_not_an_office_file_is_refused(contract_a, client_for, procurement):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", HTML)
    response = attach(
        client_for(procurement), "contract", contract_a, name="a.docx", content=out.getvalue()
    )
    assert "ZIP" in response.content.decode()
    assert not Document.objects.exists()


def test_the_minutes_page_shows_the_meetings_documents(records, client_for, procurement, contact_a):
    meeting = records["meeting"]
    attach(client_for(procurement), "meeting", meeting, document_type="report", title="Kvartal 3")
    minutes = start_minutes(meeting=meeting, by=procurement)
    page = client_for(contact_a).get(reverse("meetings:minutes_detail", args=[minutes.pk]))
    assert "Kvartal 3" in page.content.decode()


def test_a_persons_uploads_are_in_their_personal_data(contract_a, client_for, procurement):
    attach(client_for(procurement), "contract", contract_a, title="Bilaga 2", name="B2.pdf")
    page = client_for(procurement).get(reverse("portal:personal_data_json", args=[procurement.pk]))
    assert page.json()["documents_uploaded"][0]["title"] == "Bilaga 2"
    assert page.json()["documents_uploaded"][0]["file"] == "B2.pdf"


def test_a_risk_registers_itself_and_its_documents_follow_its_sharing(
    contract_a, client_for, procurement, contact_a, contact_b
):
    risk = make_risk(contract_a, procurement, shared_with_supplier=True)
    hidden = make_risk(contract_a, procurement, shared_with_supplier=False)
    for record in (risk, hidden):
        response = attach(client_for(procurement), "risk", record, document_type="report")
        assert response.status_code == 302
        assert response["Location"] == reverse("risks:detail", args=[record.pk]) + "#attachments"
    shared, unshared = Document.objects.order_by("pk")
    page = client_for(contact_a).get(reverse("risks:detail", args=[risk.pk])).content.decode()
    assert shared.get_absolute_url() in page
    # The register is the city's: a supplier's contacts read its documents, attach none.
    assert attach(client_for(contact_a), "risk", risk, document_type="report").status_code == 403
    assert client_for(contact_a).get(unshared.get_absolute_url()).status_code == 404
    assert client_for(contact_b).get(shared.get_absolute_url()).status_code == 404
