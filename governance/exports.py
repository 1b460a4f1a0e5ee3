"""Every list a person can see, out as CSV (for Swedish Excel) or XLSX: the registry the apps
fill and the files written from it.

An app registers each list page it owns (`register(ExportList(...))`, from its AppConfig.ready()):
its name in the URL, the page's rows for a person and the page's query string (the same
queryset and filters as the page, starting from visible_to), and the columns a person reads on
the page. This floor imports no app; it only calls what they registered.

Text cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) get a leading apostrophe (OWASP, "CSV Injection"); numbers, dates and times
stay typed. A list longer than settings.EXPORT_ASYNC_ROWS is written by the worker (an
ExportJob, through the outbox) and kept EXPORT_KEEP_HOURS for the person who asked.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import ExportJob, ExportStatus, OutboxKind, User
from .outbox import enqueue

Cell = str | int | float | Decimal | date | datetime | bool | None

CSV = "csv"
XLSX = "xlsx"
FORMATS = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so XLSX) cannot hold; tab, line feed and carriage return it can.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# How often the worker tells the progress page how far it is.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Column:
    """One column as the page shows it: its heading and how a row gives its cell."""

    header: str | Promise
    value: Callable[[Any], Cell]
    # Columns the city's people read on the page and a supplier's contacts do not.
    city_only: bool = False


@dataclass(frozen=True)
class ExportList:
    """A list page that can be exported."""

    name: str  # in the URL: /exports/<name>.csv
    title: str | Promise  # the file's name and the sheet's
    rows: Callable[[User, QueryDict], Iterable[Any]]  # the page's rows for this person
    columns: Sequence[Column] = field(default_factory=tuple)

    def columns_for(self, user: User) -> list[Column]:
        return [column for column in self.columns if user.sees_portfolio or not column.city_only]


_lists: dict[str, ExportList] = {}


def register(export_list: ExportList) -> None:
    """Offer a list for export (from an AppConfig.ready())."""
    _lists[export_list.name] = export_list


def registered() -> dict[str, ExportList]:
    return dict(_lists)


def get_list(name: str) -> ExportList:
    try:
        return _lists[name]
    except KeyError:
        raise Http404 from None


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _local(value: datetime) -> datetime:
    """A time as Stockholm reads it, without a zone (spreadsheets know none)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def csv_cell(value: Cell) -> str:
    """A cell for Swedish Excel: decimal comma, ISO dates, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if _is_number(value):
        number = format(value, "f") if isinstance(value, Decimal) else str(value)
        return number.replace(".", ",")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def header_texts(columns: Sequence[Column]) -> list[str]:
    return [str(column.header) for column in columns]


def _row_values(columns: Sequence[Column], row: Any) -> list[Cell]:
    return [column.value(row) for column in columns]


def _iterate(rows: Iterable[Any]) -> Iterator[Any]:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=2000)
    return iter(rows)


class _Line:
    """A file-like that hands back what csv.writer wrote last."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def csv_lines(
    columns: Sequence[Column], rows: Iterable[Any], progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The CSV file line by line as UTF-8 bytes, the BOM first, `;` between cells."""
    line = _Line()
    writer = csv.writer(line, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(text) for text in header_texts(columns)])
    yield (BOM + line.text).encode()
    for count, row in enumerate(_iterate(rows), start=1):
        writer.writerow([csv_cell(value) for value in _row_values(columns, row)])
        yield line.text.encode()
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)


def xlsx_bytes(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The XLSX file: a bold, frozen header row, then typed cells (numbers, dates, times)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    # A sheet's name: at most 31 characters, none of []:*?/\
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Export")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in header_texts(columns):
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for count, row in enumerate(_iterate(rows), start=1):
        sheet.append([_xlsx_cell(sheet, value) for value in _row_values(columns, row)])
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or _is_number(value):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(sheet, value=neutralise(XML_ILLEGAL.sub("", str(value))))
    cell.data_type = "s"  # text, never a formula, whatever it starts with
    return cell


def file_name(export_list: ExportList, file_format: str) -> str:
    """e.g. arenden-2026-11-30.csv: the list's title in the reader's language, and today."""
    stem = slugify(str(export_list.title)) or export_list.name
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def count_rows(rows: Iterable[Any]) -> int:
    if isinstance(rows, QuerySet):
        return rows.count()
    if isinstance(rows, Sequence):
        return len(rows)
    return len(list(rows))


def file_content(
    export_list: ExportList,
    file_format: str,
    user: User,
    rows: Iterable[Any],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The whole file at once (the worker's, and a small XLSX's)."""
    columns = export_list.columns_for(user)
    if file_format == CSV:
        return b"".join(csv_lines(columns, rows, progress))
    return xlsx_bytes(str(export_list.title), columns, rows, progress)


def progress_key(job_pk: int) -> str:
    return f"export-job:{job_pk}:done"


def perform_export(payload: dict[str, Any]) -> None:
    """Outbox handler: write the file the person asked for, as they may see it now, in the
    language they asked in. A person who may no longer sign in gets no file."""
    job = (
        ExportJob.objects.select_for_update()
        .select_related("requested_by")
        .filter(pk=payload["job_id"], status=ExportStatus.QUEUED)
        .first()
    )
    if job is None:
        return
    user = job.requested_by
    with translation.override(job.language):
        if not user.is_active or job.list_name not in _lists:
            job.status = ExportStatus.FAILED
            job.error = _("The export could not be made.")
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return
        export_list = _lists[job.list_name]
        rows = export_list.rows(user, QueryDict(job.query))
        key = progress_key(job.pk)

        def progress(done: int) -> None:
            cache.set(key, done, timeout=24 * 60 * 60)

        written = 0

        def counted() -> Iterator[Any]:
            nonlocal written
            for row in _iterate(rows):
                written += 1
                yield row

        job.content = file_content(export_list, job.file_format, user, counted(), progress)
        job.filename = file_name(export_list, job.file_format)
    # The rows as they were when the worker wrote them (the page counted them when asked).
    job.rows_total = written
    job.status = ExportStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["content", "filename", "rows_total", "status", "finished_at"])
    cache.set(key, job.rows_total, timeout=24 * 60 * 60)


@transaction.atomic
def queue_export(
    *, export_list: ExportList, file_format: str, query: QueryDict, rows_total: int, by: User
) -> ExportJob:
    """Ask the worker for a large export of a list as the person sees it now."""
    params = query.copy()
    params.pop("page", None)
    job = ExportJob.objects.create(
        requested_by=by,
        list_name=export_list.name,
        file_format=file_format,
        query=params.urlencode()[:2000],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    cache.set(progress_key(job.pk), 0, timeout=24 * 60 * 60)
    enqueue(OutboxKind.EXPORT, f"export:{job.pk}", {"job_id": job.pk})
    return job


def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete the exports past their keeping time (beat runs it hourly); how many."""
    deleted, _kinds = ExportJob.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
