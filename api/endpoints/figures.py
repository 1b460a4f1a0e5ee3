"""Reported figures: service level measurements, support tickets and questions to support.

A supplier's tool pushes them with a read-write token through the same checks as the report
form and the CSV file (operations.imports) and the same services (operations.services), so a
missed target raises its issue and every figure keeps its history, marked as reported through
the API."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from governance.models import User
from operations import imports
from operations.models import (
    Measurement,
    Priority,
    QuestionCount,
    Source,
    TicketCount,
    period_start,
)
from operations.services import record_measurement, record_question_counts, record_ticket_counts
from suppliers.models import Contract, Period, ServiceLevel

from ..auth import require_write
from ..pagination import PageQuery, paginate
from ..problems import ProblemError
from . import Id, answers, one, page_of

router = Router(tags=["figures"])

MAX_ITEMS = 500
Errors = list[dict[str, str]]


class MeasurementOut(Schema):
    id: int
    service_level_id: int
    contract_id: int
    period_start: date
    period: str
    value: str
    meets_target: bool
    breach_issue_id: int | None
    source: str
    reported_at: datetime

    @staticmethod
    def resolve_contract_id(measurement: Measurement) -> int:
        return measurement.service_level.contract_id

    @staticmethod
    def resolve_period(measurement: Measurement) -> str:
        return imports.period_label(measurement.period_start, measurement.service_level.period)

    @staticmethod
    def resolve_value(measurement: Measurement) -> str:
        return f"{measurement.value.normalize():f}"


class TicketCountOut(Schema):
    id: int
    contract_id: int
    period_start: date
    priority: str
    opened: int
    closed: int
    source: str
    reported_at: datetime


class QuestionCountOut(Schema):
    id: int
    contract_id: int
    period_start: date
    category: str
    questions: int
    source: str
    reported_at: datetime


class MeasurementIn(Schema):
    service_level_id: Id
    period: str = Field(
        max_length=20,
        description="The period: a month (2026-10), week (2026-W43), quarter (2026-Q3) or a "
        "date in it, as the CSV file takes it.",
    )
    value: Decimal = Field(description="The measured value, in the service level's unit.")


class MeasurementsIn(Schema):
    measurements: list[MeasurementIn] = Field(min_length=1, max_length=MAX_ITEMS)


class RecordedOut(Schema):
    measurement: MeasurementOut
    created: bool
    changed: bool
    raised_issue_id: int | None


class RecordedPage(Schema):
    items: list[RecordedOut]


class TicketIn(Schema):
    priority: Priority
    opened: int = Field(ge=0, le=imports.MAX_COUNT)
    closed: int = Field(ge=0, le=imports.MAX_COUNT)


class TicketCountsIn(Schema):
    contract_id: Id
    period: str = Field(max_length=20, description="The month: 2026-10 (or a date in it).")
    counts: list[TicketIn] = Field(min_length=1, max_length=len(Priority.values))


class QuestionIn(Schema):
    category: str = Field(max_length=200)
    questions: int = Field(ge=0, le=imports.MAX_COUNT)


class QuestionCountsIn(Schema):
    contract_id: Id
    period: str = Field(max_length=20, description="The month: 2026-10 (or a date in it).")
    counts: list[QuestionIn] = Field(min_length=1, max_length=100)


class CountsOut(Schema):
    created: int
    updated: int


def _measurements(request: HttpRequest) -> QuerySet[Measurement]:
    return Measurement.objects.visible_to(request.user).select_related("service_level")


def _refuse(errors: Errors) -> None:
    if errors:
        raise ProblemError(422, _("Nothing was saved: see errors."), errors=errors)


def _require_reporter(user: User, contract: Contract) -> None:
    if not user.may_report_for(contract.supplier_id):
        raise ProblemError(403, _("You may not report this supplier's figures."))


def _month(text: str, contract: Contract, where: str, errors: Errors) -> date | None:
    """The period's first day, checked as the form checks it (within the contract's term and
    not after this month); None, with the reason in `errors`, when it is not."""
    try:
        day = imports.parse_period(text)
        imports.check_period(day, contract)
    except ValueError as error:
        errors.append({"field": where, "message": str(error)})
        return None
    return day


def _contract(request: HttpRequest, contract_id: int) -> Contract:
    contract = Contract.objects.visible_to(request.user).filter(pk=contract_id).first()
    if contract is None:
        # Another supplier's contract reads exactly like one that does not exist.
        raise ProblemError(
            422,
            _("Nothing was saved: see errors."),
            errors=[{"field": "body.contract_id", "message": _("Unknown contract.")}],
        )
    _require_reporter(request.user, contract)  # type: ignore[arg-type]
    return contract


@router.get("measurements", response=answers(200, page_of(MeasurementOut)))
def list_measurements(
    request: HttpRequest,
    page: Query[PageQuery],
    service_level: Id | None = None,
    contract: Id | None = None,
) -> dict:
    rows = _measurements(request)
    if service_level is not None:
        rows = rows.filter(service_level_id=service_level)
    if contract is not None:
        rows = rows.filter(service_level__contract_id=contract)
    return paginate(request, rows, page)


@router.get("measurements/{int:measurement_id}", response=answers(200, MeasurementOut))
def get_measurement(request: HttpRequest, measurement_id: Id) -> Measurement:
    return one(_measurements(request), measurement_id)  # type: ignore[return-value]


@router.post("measurements", response=answers(200, RecordedPage))
def report_measurements(request: HttpRequest, payload: MeasurementsIn) -> dict:
    """Report service level values (a month of them, say) at once: all are saved or none.
    A value that misses its target raises one operational issue (`raised_issue_id`)."""
    require_write(request)
    user: User = request.user  # type: ignore[assignment]
    wanted = {item.service_level_id for item in payload.measurements}
    levels = {
        level.pk: level
        for level in ServiceLevel.objects.filter(
            pk__in=wanted, contract__in=Contract.objects.visible_to(user)
        ).select_related("contract")
    }
    errors: Errors = []
    rows: list[tuple[ServiceLevel, date, Decimal]] = []
    seen: dict[tuple[int, date], int] = {}
    for index, item in enumerate(payload.measurements):
        where = f"body.measurements.{index}"
        service_level = levels.get(item.service_level_id)
        if service_level is None:
            errors.append(
                {"field": f"{where}.service_level_id", "message": _("Unknown service level.")}
            )
            continue
        _require_reporter(user, service_level.contract)
        day = _month(item.period, service_level.contract, f"{where}.period", errors)
        try:
            value = imports.parse_value(str(item.value))
            imports.check_value(value, service_level)
        except ValueError as error:
            errors.append({"field": f"{where}.value", "message": str(error)})
            continue
        if day is None:
            continue
        start = period_start(day, service_level.period)
        key = (service_level.pk, start)
        if key in seen:
            message = _("The same figure as measurements.%(index)s.") % {"index": seen[key]}
            errors.append({"field": f"{where}.period", "message": message})
            continue
        seen[key] = index
        rows.append((service_level, start, value))
    _refuse(errors)
    with transaction.atomic():
        recorded = [
            record_measurement(
                service_level=service_level,
                period_start=start,
                value=value,
                by=user,
                source=Source.API,
            )
            for service_level, start, value in rows
        ]
    return {
        "items": [
            {
                "measurement": result.measurement,
                "created": result.created,
                "changed": result.changed,
                "raised_issue_id": result.raised.pk if result.raised else None,
            }
            for result in recorded
        ]
    }


@router.get("ticket-counts", response=answers(200, page_of(TicketCountOut)))
def list_ticket_counts(
    request: HttpRequest, page: Query[PageQuery], contract: Id | None = None
) -> dict:
    rows = TicketCount.objects.visible_to(request.user)
    if contract is not None:
        rows = rows.filter(contract_id=contract)
    return paginate(request, rows, page)


@router.get("ticket-counts/{int:ticket_count_id}", response=answers(200, TicketCountOut))
def get_ticket_count(request: HttpRequest, ticket_count_id: Id) -> TicketCount:
    return one(TicketCount.objects.visible_to(request.user), ticket_count_id)  # type: ignore[return-value]


@router.post("ticket-counts", response=answers(200, CountsOut))
def report_ticket_counts(request: HttpRequest, payload: TicketCountsIn) -> dict:
    """Support tickets opened and closed in one month, per priority (P1-P4)."""
    require_write(request)
    contract = _contract(request, payload.contract_id)
    errors: Errors = []
    day = _month(payload.period, contract, "body.period", errors)
    priorities = [str(count.priority) for count in payload.counts]
    for index, priority in enumerate(priorities):
        if priorities.index(priority) != index:
            errors.append({"field": f"body.counts.{index}.priority", "message": _("Given twice.")})
    _refuse(errors)
    assert day is not None
    created, updated = record_ticket_counts(
        contract=contract,
        period_start=period_start(day, Period.MONTH),
        counts={str(count.priority): (count.opened, count.closed) for count in payload.counts},
        by=request.user,  # type: ignore[arg-type]
        source=Source.API,
    )
    return {"created": created, "updated": updated}


@router.get("question-counts", response=answers(200, page_of(QuestionCountOut)))
def list_question_counts(
    request: HttpRequest, page: Query[PageQuery], contract: Id | None = None
) -> dict:
    rows = QuestionCount.objects.visible_to(request.user)
    if contract is not None:
        rows = rows.filter(contract_id=contract)
    return paginate(request, rows, page)


@router.get("question-counts/{int:question_count_id}", response=answers(200, QuestionCountOut))
def get_question_count(request: HttpRequest, question_count_id: Id) -> QuestionCount:
    return one(QuestionCount.objects.visible_to(request.user), question_count_id)  # type: ignore[return-value]


@router.post("question-counts", response=answers(200, CountsOut))
def report_question_counts(request: HttpRequest, payload: QuestionCountsIn) -> dict:
    """Questions asked to support in one month, per category."""
    require_write(request)
    contract = _contract(request, payload.contract_id)
    errors: Errors = []
    day = _month(payload.period, contract, "body.period", errors)
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for index, count in enumerate(payload.counts):
        where = f"body.counts.{index}.category"
        category = " ".join(count.category.split())
        if "\x00" in category:
            errors.append({"field": where, "message": _("Null characters are not allowed.")})
        elif not category:
            errors.append({"field": where, "message": _("The category is empty.")})
        elif len(category) > 120:
            errors.append(
                {"field": where, "message": _("The category is longer than 120 characters.")}
            )
        elif category.casefold() in seen:
            errors.append({"field": where, "message": _("Given twice.")})
        else:
            seen.add(category.casefold())
            counts[category] = count.questions
    _refuse(errors)
    assert day is not None
    created, updated = record_question_counts(
        contract=contract,
        period_start=period_start(day, Period.MONTH),
        counts=counts,
        by=request.user,  # type: ignore[arg-type]
        source=Source.API,
    )
    return {"created": created, "updated": updated}
