"""Writes: attaching a document to a record, and a new version of its file. The file goes to
the attachments storage (STORAGES["attachments"]: the filesystem, or S3-compatible object
storage in production) under a name of our own; the row keeps its checked type and hash."""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models, transaction

from governance.models import User

from .content import Refused, check
from .models import Document, DocumentVersion


def storage() -> Storage:
    return storages["attachments"]


def _store(document: Document, number: int, content: bytes, file_name: str, by: User) -> None:
    try:
        checked = check(content, file_name)
    except Refused as refusal:
        raise ValidationError(str(refusal), code="type") from refusal
    # Our own name: nothing a person typed reaches the storage's keys.
    stored_as = storage().save(
        f"documents/{document.pk}/{number}-{uuid.uuid4().hex}", ContentFile(content)
    )
    try:
        DocumentVersion.objects.create(
            document=document,
            number=number,
            file_name=checked.file_name,
            stored_as=stored_as,
            media_type=checked.media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=by,
        )
    except BaseException:
        storage().delete(stored_as)
        raise


@transaction.atomic
def attach_document(
    *,
    record: models.Model,
    title: str,
    document_type: str,
    content: bytes,
    file_name: str,
    by: User,
) -> Document:
    """Attach a file to a record as a new document (its version 1)."""
    document = Document.objects.create(
        record=record,
        title=title,
        document_type=document_type,
        supplier_id=by.supplier_id if by.is_supplier_contact else None,
        created_by=by,
    )
    _store(document, 1, content, file_name, by)
    return document


@transaction.atomic
def add_version(*, document: Document, content: bytes, file_name: str, by: User) -> DocumentVersion:
    """Replace a document's file: a new version; the earlier ones stay as they were."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    newest = document.versions.aggregate(models.Max("number"))["number__max"] or 0
    _store(document, newest + 1, content, file_name, by)
    return document.versions.get(number=newest + 1)
