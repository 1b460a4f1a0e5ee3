"""Reads: which documents a person sees on a record, and what they may do with them."""

from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.http import Http404

from governance.models import User

from .forms import AttachForm
from .models import SUPPLIER_TYPES, Document, DocumentType, DocumentVersion
from .registry import KINDS, AttachableKind, kind_of_model


def visible_record(user: User, kind_key: str, object_id: int) -> tuple[AttachableKind, Any]:
    """The kind and the record, when the person may see it (its own visible_to); else 404."""
    kind = KINDS.get(kind_key)
    if kind is None:
        raise Http404
    manager: Any = kind.model._default_manager
    record = manager.visible_to(user).filter(pk=object_id).first()
    if record is None:
        raise Http404
    return kind, record


def document_types_for(user: User) -> list[tuple[str, Any]]:
    """The types a person may attach: all for the city's managers, reports and others for a
    supplier's contacts."""
    if user.can_manage:
        return list(DocumentType.choices)
    return [(value, label) for value, label in DocumentType.choices if value in SUPPLIER_TYPES]


def may_attach(user: User, kind: AttachableKind) -> bool:
    """To a record the person sees: the city's managers; a supplier's contacts where the kind
    lets them (the record being theirs is its visible_to). The IT director reads."""
    return user.can_manage or (
        user.is_active and user.is_supplier_contact and kind.supplier_uploads
    )


def may_replace(user: User, document: Document) -> bool:
    """A new version: the city's managers; a supplier's contacts only of their own supplier's
    documents (a report they sent), never of the city's contract or annexes."""
    if user.can_manage:
        return True
    kind = kind_of_model(document.content_type.model_class())  # type: ignore[arg-type]
    return (
        kind is not None
        and may_attach(user, kind)
        and document.supplier_id is not None
        and document.supplier_id == user.supplier_id
        and document.document_type in SUPPLIER_TYPES
    )


def with_versions(documents: Any) -> Any:
    uploaders = DocumentVersion.objects.select_related("uploaded_by")
    return documents.select_related("created_by", "content_type").prefetch_related(
        Prefetch("versions", queryset=uploaders)
    )


def attachments_section(
    record: models.Model, user: User, *, form: AttachForm | None = None
) -> dict[str, Any]:
    """What the attachments section of a record's page shows this person."""
    kind = kind_of_model(type(record))
    assert kind is not None, f"{type(record).__name__} takes no attachments"
    documents = with_versions(Document.objects.visible_to(user).attached_to(record))
    may = may_attach(user, kind)
    return {
        "attachments": documents,
        "attachment_record": record,
        "attachment_kind": kind.key,
        "attachment_form": (form or AttachForm(types=document_types_for(user))) if may else None,
    }


def visible_document(user: User, pk: int) -> Document:
    document = with_versions(Document.objects.visible_to(user)).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document
