"""A record's attachments (a section of its page, answering its own uploads), a document's
page with its versions, and the download of a version."""

import base64
import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from governance.htmx import PortalRequest, section

from . import selectors, services
from .forms import AttachForm, VersionForm
from .models import Document
from .registry import kind_of_model

logger = logging.getLogger(__name__)

SECTION = "documents/attachments.html"


def _section_context(record: Any, user: Any, **overrides: Any) -> dict[str, Any]:
    kind = kind_of_model(type(record))
    assert kind is not None
    context = selectors.attachments_section(record, user, **overrides)
    return context | {"record_url": kind.url_of(record)}


def section_html(request: PortalRequest, record: Any) -> str:
    """The section on a page of a floor below (an issue's), in the person's own words."""
    context = selectors.attachments_section(record, request.user)
    return render_to_string(f"{SECTION}#section", context, request)


@require_http_methods(["GET", "POST"])
@login_required
def attachments(request: PortalRequest, kind: str, object_id: int) -> HttpResponse:
    """GET: the section (for htmx) or a page of the record's documents. POST: attach one (the
    city's managers; a supplier's contacts to their own records); refused input comes back
    with its reasons next to the fields and the rest kept."""
    user = request.user
    attachable, record = selectors.visible_record(user, kind, object_id)
    if request.method == "GET":
        return section(request, SECTION, _section_context(record, user))
    if not selectors.may_attach(user, attachable):
        raise PermissionDenied
    types = selectors.document_types_for(user)
    form = AttachForm(request.POST, request.FILES, types=types)
    if form.is_valid():
        file_name, content = form.cleaned_data["file"]
        try:
            services.attach_document(
                record=record,
                title=form.cleaned_data["title"],
                document_type=form.cleaned_data["document_type"],
                content=content,
                file_name=file_name,
                by=user,
            )
        except ValidationError as refusal:
            form.add_error("file", refusal)
        else:
            done = f"{attachable.url_of(record)}#attachments"
            return section(request, SECTION, _section_context(record, user), done=done)
    return section(request, SECTION, _section_context(record, user, form=form))


def _document_page(request: PortalRequest, document: Document, **extra: Any) -> HttpResponse:
    user = request.user
    kind = kind_of_model(document.content_type.model_class())  # type: ignore[arg-type]
    may_replace = selectors.may_replace(user, document)
    context = {
        "document": document,
        "record": document.record,
        "record_url": kind.url_of(document.record) if kind else "",
        "versions": document.versions.all(),
        "version_form": (extra.get("form") or VersionForm()) if may_replace else None,
    }
    return section(request, "documents/document.html", context, done=extra.get("done"))


@require_http_methods(["GET", "POST"])
@login_required
def document(request: PortalRequest, pk: int) -> HttpResponse:
    """A document with every version of its file; POST replaces the file with a new version."""
    user = request.user
    found = selectors.visible_document(user, pk)
    if request.method == "GET":
        return _document_page(request, found)
    if not selectors.may_replace(user, found):
        raise PermissionDenied
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        file_name, content = form.cleaned_data["file"]
        try:
            services.add_version(document=found, content=content, file_name=file_name, by=user)
        except ValidationError as refusal:
            form.add_error("file", refusal)
        else:
            found = selectors.visible_document(user, pk)
            return _document_page(request, found, done=found.get_absolute_url())
    return _document_page(request, found, form=form)


@require_GET
@login_required
def download(request: PortalRequest, pk: int, number: int) -> FileResponse:
    """A version's file, always as an attachment under its safe name and its checked type:
    never shown by the browser as a page (nosniff, no HTML or SVG is ever kept)."""
    found = selectors.visible_document(request.user, pk)
    version = next((each for each in found.versions.all() if each.number == number), None)
    if version is None:
        raise Http404
    if not services.storage().exists(version.stored_as):
        # A storage fault (a restore without the files, a bucket emptied): the record stays,
        # the person is told it is gone, and the operators are told why.
        logger.error("Document %s version %s is missing from storage", pk, number)
        raise Http404
    response = FileResponse(
        services.storage().open(version.stored_as, "rb"),
        as_attachment=True,
        filename=version.file_name,
        content_type=version.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # RFC 9530: the file's SHA-256, as the document's page shows it in hex.
    response["Repr-Digest"] = (
        f"sha-256=:{base64.b64encode(bytes.fromhex(version.sha256)).decode()}:"
    )
    patch_cache_control(response, private=True)
    return response
