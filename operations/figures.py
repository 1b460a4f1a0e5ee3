"""The standing figures of the operational follow-up, as plain data for meetings and the dashboard.

standing_figures() returns only JSON types (dates as ISO strings, values as strings), so the
result can be frozen into minutes as it was on the day, and rendered by the templates
operations/_availability.html, _support_tickets.html and _support_questions.html.
"""

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils import timezone

from suppliers.models import Contract, Metric, Period, ServiceLevel

from .imports import period_label
from .models import Measurement, Priority, QuestionCount, TicketCount, period_start

MONTHS = 12
TICKET_MONTHS = 3
TOP_CATEGORIES = 5


def _value(value):
    return f"{value.normalize():f}"


def _months(last, count):
    return [last - relativedelta(months=back) for back in range(count - 1, -1, -1)]


def standing_figures(contracts, today=None):
    """Availability and other service levels over the last 12 months, support tickets over the
    last 3 months and the latest month's top questions, for the given contracts. Five queries,
    whatever the number of contracts and figures."""
    today = today or timezone.localdate()
    this_month = period_start(today, Period.MONTH)
    since = this_month - relativedelta(months=MONTHS - 1)
    if isinstance(contracts, QuerySet):
        contracts = contracts.values("pk")
    else:
        contracts = [getattr(contract, "pk", contract) for contract in contracts]
    contracts = list(
        Contract.objects.filter(pk__in=contracts)
        .select_related("supplier")
        .order_by("supplier__name", "reference")
    )
    service_levels = list(
        ServiceLevel.objects.filter(contract__in=contracts).order_by("contract_id", "pk")
    )
    measurements = defaultdict(list)
    for measurement in Measurement.objects.filter(
        service_level__in=service_levels,
        period_start__gte=period_start(since, Period.WEEK),
        period_start__lte=today,
    ).order_by("period_start"):
        measurements[measurement.service_level_id].append(measurement)
    tickets = defaultdict(dict)
    for row in TicketCount.objects.filter(
        contract__in=contracts,
        period_start__gte=this_month - relativedelta(months=TICKET_MONTHS),
        period_start__lte=this_month,
    ):
        tickets[row.contract_id][(row.period_start, row.priority)] = row
    questions = defaultdict(lambda: defaultdict(list))
    for row in QuestionCount.objects.filter(
        contract__in=contracts, period_start__gte=since, period_start__lte=this_month
    ).order_by("-questions", "category"):
        questions[row.contract_id][row.period_start].append(row)

    by_pk = {contract.pk: contract for contract in contracts}
    order = {contract.pk: index for index, contract in enumerate(contracts)}
    service_levels.sort(
        key=lambda sl: (sl.metric != Metric.AVAILABILITY, order[sl.contract_id], sl.pk)
    )
    return {
        "as_of": today.isoformat(),
        "availability": [
            _service_level(sl, by_pk[sl.contract_id], measurements[sl.pk], this_month)
            for sl in service_levels
        ],
        "support_tickets": [
            _tickets(contract, tickets[contract.pk], this_month) for contract in contracts
        ],
        "support_questions": [
            _questions(contract, questions[contract.pk]) for contract in contracts
        ],
    }


def _contract(contract):
    return {
        "contract_id": contract.pk,
        "contract": contract.reference,
        "contract_title": contract.title,
        "supplier": contract.supplier.name,
    }


def _point(measurement, period):
    return {
        "period": measurement.period_start.isoformat(),
        "label": period_label(measurement.period_start, period),
        "value": _value(measurement.value),
        "met": measurement.meets_target,
        "measurement_id": measurement.pk,
        "breach_issue_id": measurement.breach_issue_id,
    }


def _service_level(service_level, contract, measurements, this_month):
    for measurement in measurements:
        measurement.service_level = service_level
    if service_level.period == Period.MONTH:
        by_month = {measurement.period_start: measurement for measurement in measurements}
        last = this_month if this_month in by_month else this_month - relativedelta(months=1)
        values = [
            _point(by_month[month], Period.MONTH)
            if month in by_month
            else {
                "period": month.isoformat(),
                "label": period_label(month, Period.MONTH),
                "value": None,
                "met": None,
                "measurement_id": None,
                "breach_issue_id": None,
            }
            for month in _months(last, MONTHS)
        ]
    else:
        values = [_point(measurement, service_level.period) for measurement in measurements]
    latest = _point(measurements[-1], service_level.period) if measurements else None
    return {
        **_contract(contract),
        "service_level_id": service_level.pk,
        "name": service_level.name,
        "metric": service_level.metric,
        "metric_display": str(service_level.get_metric_display()),
        "comparison": service_level.comparison,
        "target": _value(service_level.target),
        "unit": str(service_level.get_unit_display()),
        "percent": service_level.unit == "percent",
        "period": service_level.period,
        "target_display": str(service_level.target_display),
        "values": values,
        "latest": latest,
        "latest_met": latest["met"] if latest else None,
        "missed_count": sum(1 for point in values if point["met"] is False),
    }


def _tickets(contract, rows, this_month):
    last = (
        this_month
        if any(day == this_month for day, _priority in rows)
        else this_month - relativedelta(months=1)
    )
    months = []
    for month in _months(last, TICKET_MONTHS):
        priorities = [
            {
                "priority": priority,
                "opened": rows[(month, priority)].opened,
                "closed": rows[(month, priority)].closed,
            }
            for priority in Priority.values
            if (month, priority) in rows
        ]
        months.append(
            {
                "period": month.isoformat(),
                "label": period_label(month, Period.MONTH),
                "priorities": priorities,
                "opened": sum(row["opened"] for row in priorities),
                "closed": sum(row["closed"] for row in priorities),
                "reported": bool(priorities),
            }
        )
    return {**_contract(contract), "months": months}


def _questions(contract, by_month):
    if not by_month:
        return {**_contract(contract), "period": None, "label": None, "categories": [], "total": 0}
    month = max(by_month)
    rows = by_month[month]
    return {
        **_contract(contract),
        "period": month.isoformat(),
        "label": period_label(month, Period.MONTH),
        "categories": [
            {"category": row.category, "questions": row.questions} for row in rows[:TOP_CATEGORIES]
        ],
        "total": sum(row.questions for row in rows),
    }
