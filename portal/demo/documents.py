"""Demo documents: the key supplier's contract with its main agreement and an annex in two
versions, so the contract page, its history and a document's versions have something to show.
Idempotent."""

from typing import Any

from django.db import transaction

from documents.models import Document, DocumentType
from documents.services import add_version, attach_document
from governance.models import Role, User
from suppliers.models import Contract, Tier


def one_page_pdf(text: str) -> bytes:
    """A valid one-page PDF saying `text` (ASCII), made without a PDF library."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@transaction.atomic
def seed_documents(references: list[str], stdout: Any = None) -> None:
    """The main agreement and an annex (two versions) on the first key supplier's contract."""
    contract = (
        Contract.objects.filter(reference__in=references, supplier__tier=Tier.KEY)
        .order_by("reference")
        .first()
    )
    keeper = User.objects.filter(role=Role.PROCUREMENT, is_active=True).order_by("pk").first()
    if contract is None or keeper is None or Document.objects.attached_to(contract).exists():
        return
    attach_document(
        record=contract,
        title="Huvudavtal",
        document_type=DocumentType.CONTRACT,
        content=one_page_pdf(f"Huvudavtal {contract.reference}"),
        file_name=f"Huvudavtal {contract.reference}.pdf",
        by=keeper,
    )
    annex = attach_document(
        record=contract,
        title="Bilaga 1 Tjänstebeskrivning",
        document_type=DocumentType.ANNEX,
        content=one_page_pdf("Bilaga 1, version 1"),
        file_name="Bilaga 1 Tjänstebeskrivning.pdf",
        by=keeper,
    )
    add_version(
        document=annex,
        content=one_page_pdf("Bilaga 1, version 2"),
        file_name="Bilaga 1 Tjänstebeskrivning rev 2.pdf",
        by=keeper,
    )
    if stdout is not None:
        stdout.write(f"Documents on {contract.reference}: the main agreement and an annex.")
