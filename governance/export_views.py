"""Exporting a list: small ones are sent at once, large ones made by the worker with a progress
page; a made file is for the person who asked alone (anyone else: not found)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from . import exports
from .htmx import PortalRequest, section
from .models import ExportJob, ExportStatus


def _attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_list(request: PortalRequest, name: str, file_format: str) -> HttpResponseBase:
    """The list as its page shows it to this person, with the page's filters (the query
    string); more rows than EXPORT_ASYNC_ROWS go to the worker."""
    listed = exports.get_list(name)
    if file_format not in exports.FORMATS:
        raise Http404
    user = request.user
    rows = listed.rows(user, request.GET)
    total = exports.count_rows(rows)
    if total > settings.EXPORT_ASYNC_ROWS:
        job = exports.queue_export(
            export_list=listed,
            file_format=file_format,
            query=request.GET,
            rows_total=total,
            by=user,
        )
        return redirect(job)
    filename = exports.file_name(listed, file_format)
    if file_format == exports.XLSX:
        content = exports.file_content(listed, file_format, user, rows)
        return _attachment(
            HttpResponse(content, content_type=exports.FORMATS[file_format]), filename
        )
    columns = listed.columns_for(user)
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield from exports.csv_lines(columns, rows)

    response = StreamingHttpResponse(lines(), content_type=exports.FORMATS[file_format])
    return _attachment(response, filename)


def _own_job(request: PortalRequest, pk: int) -> ExportJob:
    return get_object_or_404(
        ExportJob.objects.filter(requested_by=request.user).defer("content"), pk=pk
    )


@login_required
def export_job(request: PortalRequest, pk: int) -> HttpResponse:
    """How far the worker is (htmx polls the status), then the link to the file."""
    job = _own_job(request, pk)
    done = job.rows_total if job.status == ExportStatus.DONE else 0
    if job.status == ExportStatus.QUEUED:
        done = min(cache.get(exports.progress_key(job.pk)) or 0, job.rows_total)
    listed = exports.registered().get(job.list_name)
    context = {
        "job": job,
        "done": done,
        "title": listed.title if listed else job.list_name,
        "expired": job.is_expired,
    }
    return section(request, "governance/export_job.html", context, partial="status")


@login_required
def export_download(request: PortalRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(
        ExportJob.objects.filter(
            requested_by=request.user, status=ExportStatus.DONE, expires_at__gt=timezone.now()
        ),
        pk=pk,
    )
    response = HttpResponse(
        bytes(job.content or b""), content_type=exports.FORMATS[job.file_format]
    )
    return _attachment(response, job.filename)
