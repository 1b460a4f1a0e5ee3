"""A supplier's tool lists the documents of its records through the API: each version's name,
type, size, SHA-256 and where the portal serves it; never another supplier's."""

import hashlib

from documents.models import DocumentType
from documents.services import add_version, attach_document
from tests.factories import make_issue

PDF = b"%PDF-1.7\n%%EOF\n"


def test_a_supplier_s_tool_lists_the_documents_it_may_see(
    client, contract_a, contract_b, procurement, contact_a, token_for, bearer
):
    annex = attach_document(
        record=contract_a,
        title="Bilaga 2: servicenivåer",
        document_type=DocumentType.ANNEX,
        content=PDF,
        file_name="Bilaga 2.pdf",
        by=procurement,
    )
    add_version(document=annex, content=PDF + b"\n", file_name="Bilaga 2 v2.pdf", by=procurement)
    issue = make_issue([contract_a], procurement)
    attach_document(
        record=issue,
        title="Root cause",
        document_type=DocumentType.REPORT,
        content=PDF,
        file_name="rca.pdf",
        by=contact_a,
    )
    theirs = attach_document(
        record=contract_b,
        title="Beta's annex",
        document_type=DocumentType.ANNEX,
        content=PDF,
        file_name="b.pdf",
        by=procurement,
    )

    tool = bearer(token_for(contact_a))
    listed = client.get("/api/v1/documents", headers=tool).json()["items"]
    assert {document["title"] for document in listed} == {"Bilaga 2: servicenivåer", "Root cause"}
    contracts = client.get(
        f"/api/v1/documents?attached_to=contract&attached_to_id={contract_a.pk}", headers=tool
    ).json()["items"]
    assert [document["id"] for document in contracts] == [annex.pk]
    one = client.get(f"/api/v1/documents/{annex.pk}", headers=tool).json()
    assert (one["attached_to"], one["attached_to_id"]) == ("contract", contract_a.pk)
    newest, first = one["versions"]
    assert (newest["number"], newest["file_name"]) == (2, "Bilaga 2 v2.pdf")
    assert first["sha256"] == hashlib.sha256(PDF).hexdigest() and first["size"] == len(PDF)
    assert first["download_url"].endswith(f"/documents/{annex.pk}/v1/")
    assert client.get(f"/api/v1/documents/{theirs.pk}", headers=tool).status_code == 404
