"""Documents attached to the records a person may see (Document.objects.visible_to), with each
version's name, type, size and SHA-256; the file itself is downloaded from the portal's page,
where its content checks and headers apply."""

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema

from documents.models import Document, DocumentQuerySet, DocumentVersion
from documents.registry import KINDS, kind_of_model

from ..pagination import PageQuery, paginate
from . import Id, answers, one, page_of

router = Router(tags=["documents"])


class DocumentVersionOut(Schema):
    number: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(version: DocumentVersion) -> str:
        return settings.PORTAL_BASE_URL + version.get_absolute_url()


class DocumentOut(Schema):
    id: int
    title: str
    document_type: str
    attached_to: str
    attached_to_id: int
    created_at: datetime
    versions: list[DocumentVersionOut]

    @staticmethod
    def resolve_attached_to(document: Document) -> str:
        kind = kind_of_model(document.content_type.model_class())  # type: ignore[arg-type]
        return kind.key if kind else ""

    @staticmethod
    def resolve_attached_to_id(document: Document) -> int:
        return document.object_id

    @staticmethod
    def resolve_versions(document: Document) -> list[DocumentVersion]:
        return list(document.versions.all())


def _documents(request: HttpRequest) -> DocumentQuerySet:
    return (
        Document.objects.visible_to(request.user)
        .select_related("content_type")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.all()))
    )


@router.get("documents", response=answers(200, page_of(DocumentOut)))
def list_documents(
    request: HttpRequest,
    page: Query[PageQuery],
    attached_to: str | None = None,
    attached_to_id: Id | None = None,
) -> dict:
    """The documents the person may see; `attached_to` (contract, meeting, issue, risk) and
    `attached_to_id` narrow them to one kind of record, or one record."""
    documents = _documents(request)
    if attached_to is not None:
        kind = KINDS.get(attached_to)
        if kind is None:
            documents = documents.none()
        else:
            documents = documents.filter(content_type=ContentType.objects.get_for_model(kind.model))
    if attached_to_id is not None:
        documents = documents.filter(object_id=attached_to_id)
    return paginate(request, documents, page)


@router.get("documents/{int:document_id}", response=answers(200, DocumentOut))
def get_document(request: HttpRequest, document_id: Id) -> Document:
    return one(_documents(request), document_id)  # type: ignore[return-value]
