"""Writing reported figures: measurements with breach detection, support counts, CSV imports."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from escalations.models import Issue, Severity
from escalations.services import raise_issue
from governance.history import stamp
from governance.models import Level, OutboxKind, RoleHolder, Side, User
from governance.outbox import enqueue
from suppliers.models import Comparison, Contract, Metric, ServiceLevel, Supplier, Unit

from . import imports
from .bulk import insert_with_history, update_with_history
from .models import FigureImport, ImportStatus, Measurement, QuestionCount, Source, TicketCount

BREACH_REASON = gettext_noop("Detected from the reported figures")
LINKED_REASON = "Linked to the issue raised for its breach"
# Imported rows are written this many at a time, each batch with its history rows; the import's
# progress moves on after each batch.
WRITE_BATCH = 5000
# What a new or changed figure records besides its value: how, by whom and when it was reported.
REPORTED = ["source", "reported_by_id", "reported_at"]


class ImportNotAllowed(Exception):
    """The import is not (or no longer) waiting for confirmation, or its file has errors."""


@dataclass
class Recorded:
    measurement: Measurement
    created: bool
    changed: bool
    raised: Issue | None


def progress_key(figure_import_pk: int) -> str:
    return f"figure-import:{figure_import_pk}:done"


def format_value(value: Any, unit: str) -> str:
    number = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    label = Unit(unit).label
    return f"{number} {label}"


def breach_title(measurement: Measurement) -> str:
    service_level = measurement.service_level
    metric = service_level.get_metric_display()
    below = service_level.comparison == Comparison.AT_LEAST
    template = _("%(metric)s below target") if below else _("%(metric)s above target")
    title = _("%(what)s: %(service)s %(period)s (%(value)s against %(target)s)") % {
        "what": template % {"metric": metric},
        "service": service_level.name,
        "period": imports.period_label(measurement.period_start, service_level.period),
        "value": format_value(measurement.value, service_level.unit),
        "target": f"{service_level.get_comparison_display()} "
        f"{format_value(service_level.target, service_level.unit)}",
    }
    return title[:200]


def _raise_breach(measurement: Measurement, by: User) -> Issue:
    """An operational issue for a value that missed its target, told to that level."""
    service_level = measurement.service_level
    contract = service_level.contract
    holder = (
        RoleHolder.objects.people_at(Level.OPERATIONAL, [contract])
        .filter(side=Side.SUPPLIER)
        .order_by("pk")
        .first()
    )
    return raise_issue(
        title=breach_title(measurement),
        description=_("Reported for %(service)s: %(value)s. The target is %(target)s.")
        % {
            "service": service_level.name,
            "value": format_value(measurement.value, service_level.unit),
            "target": service_level.target_display,
        },
        level=Level.OPERATIONAL,
        contracts=[contract],
        owner_name=holder.name if holder else contract.supplier.name,
        owner_organisation=contract.supplier.name,
        severity=Severity.HIGH if service_level.metric == Metric.AVAILABILITY else Severity.MEDIUM,
        due_on=timezone.localdate() + timedelta(days=settings.BREACH_ISSUE_DUE_DAYS),
        reason=_(BREACH_REASON),
        by=by,
    )


def _set_value(
    existing: Measurement | None, service_level: ServiceLevel, day: date, value: Decimal, by: User
) -> Recorded:
    """Put a reported value on a measurement (new, or locked by the caller) without saving it;
    a value that misses its target raises the measurement's one breach issue."""
    measurement = existing or Measurement(service_level=service_level, period_start=day)
    measurement.service_level = service_level  # already loaded: no query for the breach check
    created = existing is None
    changed = created or measurement.value != value
    measurement.value = value
    raised = None
    if not measurement.meets_target and measurement.breach_issue_id is None:
        raised = _raise_breach(measurement, by)
        measurement.breach_issue = raised
    return Recorded(measurement, created, changed, raised)


def _save_measurement(
    existing: Measurement | None,
    service_level: ServiceLevel,
    day: date,
    value: Decimal,
    by: User,
    source: str,
    reason: str,
) -> Recorded:
    """Create or update one measurement (locked by the caller), then detect a breach."""
    recorded = _set_value(existing, service_level, day, value, by)
    measurement = recorded.measurement
    if recorded.changed:
        _save_reported(measurement, by, source, reason)
    elif recorded.raised:
        # The same value again, but its issue was missing: link it, and say so in its history.
        stamp(measurement, by)
        measurement._change_reason = _(LINKED_REASON)  # type: ignore[attr-defined]
        measurement.save(update_fields=["breach_issue"])
    return recorded


@transaction.atomic
def record_measurement(
    *,
    service_level: ServiceLevel,
    period_start: date,
    value: Decimal,
    by: User,
    source: str = Source.FORM,
    reason: str = "",
) -> Recorded:
    """Record (or correct) one period's value; a value that misses its target raises one
    operational issue, never two. A correction needs a reason, kept in the history."""
    if source == Source.CORRECTION and not reason.strip():
        raise ValueError("A correction needs a reason.")
    existing = (
        Measurement.objects.select_for_update()
        .filter(service_level=service_level, period_start=period_start)
        .first()
    )
    return _save_measurement(existing, service_level, period_start, value, by, source, reason)


def _save_reported(instance: Any, by: User, source: str, reason: str) -> None:
    """Save a figure with who reported it and how; simple-history keeps both and the reason."""
    instance.source = source
    instance.reported_by = by
    stamp(instance, by)
    instance._change_reason = reason
    instance.save()


# Per kind of count: the model, the fields that identify a row besides contract and month, the
# fields reported, and the row's key (a question category matches whatever its case).
COUNTS = {
    imports.TICKETS: (
        TicketCount,
        ("priority",),
        ("opened", "closed"),
        lambda row: (row["contract_id"], row["period_start"], row["priority"]),
    ),
    imports.QUESTIONS: (
        QuestionCount,
        ("category",),
        ("questions",),
        lambda row: (row["contract_id"], row["period_start"], row["category"].casefold()),
    ),
}


def _reported(source: str, by: User) -> dict[str, Any]:
    """How, by whom and when figures written now are reported (the fields of REPORTED)."""
    return {"source": source, "reported_by_id": by.pk, "reported_at": timezone.now()}


def _write_figures(
    model: Any,
    new: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    fields: Iterable[str],
    by: User,
    reason: str,
    at: datetime,
) -> None:
    """Insert the new figures and update the changed ones (`fields` and REPORTED), figures as
    dicts of their fields' attnames; each gets its history row with the user and reason, dated
    `at` (when it was reported), as a single save would."""
    insert_with_history(model, new, by=by, reason=reason, at=at)
    update_with_history(model, changed, [*fields, *REPORTED], by=by, reason=reason, at=at)


def _save_counts(
    kind: str,
    rows: list[dict[str, Any]],
    by: User,
    source: str,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Create or update count rows (dicts shaped like imports' rows) under a row lock, in
    batches; an unchanged row is left alone. Returns (created, updated)."""
    if not rows:
        return 0, 0
    model, identity, reported, key_of = COUNTS[kind]
    days = [row["period_start"] for row in rows]
    existing = model.objects.select_for_update().filter(  # type: ignore[attr-defined]
        contract__in={row["contract"].pk for row in rows},
        period_start__gte=min(days),
        period_start__lte=max(days),
    )
    locked: dict[Any, dict[str, Any]] = {key_of(figure): figure for figure in existing.values()}
    pk = model._meta.pk.attname
    created = updated = 0
    for start in range(0, len(rows), WRITE_BATCH):
        new: dict[Any, dict[str, Any]] = {}
        changed: dict[Any, dict[str, Any]] = {}
        reported_now = _reported(source, by)
        for row in rows[start : start + WRITE_BATCH]:
            figure = locked.get(row["key"])
            if figure is None:
                figure = {"contract_id": row["contract"].pk, "period_start": row["period_start"]}
                figure.update((name, row[name]) for name in identity)
                locked[row["key"]] = figure
            elif all(figure[name] == row[name] for name in reported):
                continue
            figure.update((name, row[name]) for name in reported)
            figure.update(reported_now)
            (changed if pk in figure else new)[row["key"]] = figure
        _write_figures(
            model,
            [*new.values()],
            [*changed.values()],
            reported,
            by,
            reason,
            reported_now["reported_at"],
        )
        created += len(new)
        updated += len(changed)
        if progress:
            progress(min(start + WRITE_BATCH, len(rows)))
    return created, updated


@transaction.atomic
def record_ticket_counts(
    *,
    contract: Contract,
    period_start: date,
    counts: Mapping[str, tuple[int, int]],
    by: User,
    source: str = Source.FORM,
    reason: str = "",
) -> tuple[int, int]:
    """Tickets opened and closed in one month, per priority: {"P1": (opened, closed), ...}."""
    rows = [
        {
            "key": (contract.pk, period_start, priority),
            "contract": contract,
            "period_start": period_start,
            "priority": priority,
            "opened": opened,
            "closed": closed,
        }
        for priority, (opened, closed) in counts.items()
    ]
    return _save_counts(imports.TICKETS, rows, by, source, reason)


@transaction.atomic
def record_question_counts(
    *,
    contract: Contract,
    period_start: date,
    counts: Mapping[str, int],
    by: User,
    source: str = Source.FORM,
    reason: str = "",
) -> tuple[int, int]:
    """Questions asked to support in one month, per category: {"Passwords": 120, ...}."""
    rows = [
        {
            "key": (contract.pk, period_start, category.casefold()),
            "contract": contract,
            "period_start": period_start,
            "category": category,
            "questions": questions,
        }
        for category, questions in counts.items()
    ]
    return _save_counts(imports.QUESTIONS, rows, by, source, reason)


# Imports ----------------------------------------------------------------------------------


@transaction.atomic
def create_import(
    *, supplier: Supplier, filename: str, text: str, by: User
) -> tuple[FigureImport, imports.ParsedFile]:
    """Keep an uploaded file for its preview; the rows are checked again on confirmation."""
    parsed = imports.parse(text, supplier)
    figure_import = FigureImport.objects.create(
        supplier=supplier,
        filename=filename[:200],
        content=text,
        rows_total=len(parsed.rows) + len(parsed.errors),
        uploaded_by=by,
    )
    return figure_import, parsed


@transaction.atomic
def confirm_import(*, figure_import: FigureImport, by: User) -> FigureImport:
    """Queue a checked, error-free file for the worker."""
    figure_import = FigureImport.objects.select_for_update().get(pk=figure_import.pk)
    if figure_import.status != ImportStatus.PREVIEW:
        raise ImportNotAllowed(_("This file is no longer waiting for confirmation."))
    try:
        parsed = imports.parse(figure_import.content, figure_import.supplier)
    except imports.FileError as error:
        raise ImportNotAllowed(str(error)) from None
    if parsed.errors:
        raise ImportNotAllowed(_("The file has errors; correct it and upload it again."))
    figure_import.status = ImportStatus.QUEUED
    figure_import.rows_total = len(parsed.rows)
    figure_import.save(update_fields=["status", "rows_total"])
    cache.set(progress_key(figure_import.pk), 0, timeout=24 * 60 * 60)
    key = f"figure-import:{figure_import.pk}"
    enqueue(OutboxKind.FIGURE_IMPORT, key, {"import_id": figure_import.pk})
    return figure_import


def import_reason(figure_import: FigureImport) -> str:
    return _("Imported from %(file)s (import %(pk)s)") % {
        "file": figure_import.filename,
        "pk": figure_import.pk,
    }


def _fail(figure_import: FigureImport, message: str) -> None:
    figure_import.status = ImportStatus.FAILED
    figure_import.error = message
    figure_import.finished_at = timezone.now()
    figure_import.save(update_fields=["status", "error", "finished_at"])


def perform_import(payload: dict[str, Any]) -> None:
    """Outbox handler: check the file again and apply every row in one transaction, or none.

    A file that no longer checks out is marked FAILED (and not retried); a database error
    raises, so the outbox retries the whole file later.
    """
    figure_import = (
        FigureImport.objects.select_for_update()
        .select_related("supplier", "uploaded_by")
        .filter(pk=payload["import_id"])
        .first()
    )
    if figure_import is None or figure_import.status != ImportStatus.QUEUED:
        return
    by = figure_import.uploaded_by
    if not by.may_report_for(figure_import.supplier_id):
        _fail(figure_import, _("The person who uploaded the file may no longer import for them."))
        return
    try:
        parsed = imports.parse(figure_import.content, figure_import.supplier)
    except imports.FileError as error:
        _fail(figure_import, str(error))
        return
    if parsed.errors:
        lines = [
            _("Line %(line)s: %(error)s") % {"line": line, "error": error}
            for line, error in parsed.errors[:50]
        ]
        _fail(
            figure_import,
            _("Nothing was imported: the file no longer checks out.") + "\n" + "\n".join(lines),
        )
        return
    with transaction.atomic():
        counts = _apply(figure_import, parsed, by)
    figure_import.created_count, figure_import.updated_count, figure_import.breach_count = counts
    figure_import.rows_total = len(parsed.rows)
    figure_import.status = ImportStatus.DONE
    figure_import.error = ""
    figure_import.finished_at = timezone.now()
    figure_import.save()
    cache.set(progress_key(figure_import.pk), len(parsed.rows), timeout=24 * 60 * 60)


def _apply(
    figure_import: FigureImport, parsed: imports.ParsedFile, by: User
) -> tuple[int, int, int]:
    reason = import_reason(figure_import)
    key = progress_key(figure_import.pk)

    def progress(done: int) -> None:
        cache.set(key, done, timeout=24 * 60 * 60)

    if parsed.kind == imports.MEASUREMENTS:
        return _save_measurements(parsed.rows, by, reason, progress)
    created, updated = _save_counts(
        parsed.kind, parsed.rows, by, Source.IMPORT, reason, progress=progress
    )
    return created, updated, 0


def _save_measurements(
    rows: list[dict[str, Any]], by: User, reason: str, progress: Callable[[int], None]
) -> tuple[int, int, int]:
    """Create or update imported measurements under a row lock, in batches, as
    record_measurement would one by one: a value that misses its target raises its one issue,
    an unchanged value is left alone. Returns (created, updated, breaches)."""
    days = [row["period_start"] for row in rows]
    existing = Measurement.objects.select_for_update().filter(
        service_level__in={row["service_level"].pk for row in rows},
        period_start__gte=min(days),
        period_start__lte=max(days),
    )
    locked: dict[Any, dict[str, Any]] = {
        (figure["service_level_id"], figure["period_start"]): dict(figure)
        for figure in existing.values()
    }
    created = updated = breaches = 0
    for start in range(0, len(rows), WRITE_BATCH):
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        linked: list[dict[str, Any]] = []
        reported_now = _reported(Source.IMPORT, by)
        for row in rows[start : start + WRITE_BATCH]:
            figure = locked.get(row["key"])
            unlinked = row["misses"] and (figure is None or figure["breach_issue_id"] is None)
            if figure is not None and figure["value"] == row["value"] and not unlinked:
                continue
            if figure is None:
                figure = {
                    "service_level_id": row["service_level"].pk,
                    "period_start": row["period_start"],
                    "breach_issue_id": None,
                }
                locked[row["key"]] = figure
                new.append(figure)
            elif figure["value"] != row["value"]:
                changed.append(figure)
            else:
                linked.append(figure)
            figure["value"] = row["value"]
            if unlinked:
                measurement = Measurement(
                    service_level=row["service_level"],
                    period_start=row["period_start"],
                    value=row["value"],
                )
                figure["breach_issue_id"] = _raise_breach(measurement, by).pk
                breaches += 1
        for figure in (*new, *changed):
            figure.update(reported_now)
        fields = ["value", "breach_issue_id"]
        _write_figures(Measurement, new, changed, fields, by, reason, reported_now["reported_at"])
        # The same value again, but its issue was missing: linked, and said so in its history.
        update_with_history(
            Measurement,
            linked,
            ["breach_issue_id"],
            by=by,
            reason=_(LINKED_REASON),
            at=timezone.now(),
        )
        created += len(new)
        updated += len(changed)
        progress(min(start + WRITE_BATCH, len(rows)))
    return created, updated, breaches


@transaction.atomic
def report_figures(
    *,
    contract: Contract,
    measurements: Iterable[tuple[ServiceLevel, date, Decimal]],
    month: date,
    tickets: Mapping[str, tuple[int, int]],
    questions: Mapping[str, int],
    by: User,
) -> list[Recorded]:
    """Save one period's figures from the report form together: all of them or none."""
    recorded = [
        record_measurement(service_level=service_level, period_start=day, value=value, by=by)
        for service_level, day, value in measurements
    ]
    if tickets:
        record_ticket_counts(contract=contract, period_start=month, counts=tickets, by=by)
    if questions:
        record_question_counts(contract=contract, period_start=month, counts=questions, by=by)
    return recorded
