"""Demo figures for the demo contracts (called by seed_demo): idempotent, through the services."""

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from governance.models import Role, User
from operations import services
from operations.models import Priority, period_start
from suppliers.models import Contract, ContractStatus, Metric, Period

MONTHS = 12
# The contract whose latest month misses its availability target (a breach issue follows).
MISSED_CONTRACT = "IT-2024-001"
CATEGORIES = ["Password reset", "Printing", "E-mail and calendar", "New employee", "VPN"]


def _reporter(contract):
    return (
        User.objects.filter(supplier=contract.supplier, is_active=True).order_by("pk").first()
        or User.objects.filter(role=Role.PROCUREMENT, is_active=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


@transaction.atomic
def seed_figures(stdout=None, today=None):
    """Twelve months of service level values and three months of support figures for every
    active demo contract; the latest availability of one contract misses its target."""
    today = today or timezone.localdate()
    last = period_start(today, Period.MONTH) - relativedelta(months=1)
    months = [last - relativedelta(months=back) for back in range(MONTHS - 1, -1, -1)]
    raised = 0
    contracts = Contract.objects.filter(status=ContractStatus.ACTIVE).order_by("reference")
    for number, contract in enumerate(contracts):
        by = _reporter(contract)
        if by is None:
            continue
        for service_level in contract.service_levels.filter(period=Period.MONTH):
            for index, month in enumerate(months):
                if service_level.metric == Metric.AVAILABILITY:
                    value = Decimal("99.78") + Decimal((index * 7 + number * 3) % 20) / 100
                    value = min(value, Decimal("99.99"))
                    if contract.reference == MISSED_CONTRACT and month == last:
                        value = Decimal("99.42")
                else:
                    value = Decimal("2.5") + Decimal((index * 5 + number) % 12) / 10
                recorded = services.record_measurement(
                    service_level=service_level, period_start=month, value=value, by=by
                )
                raised += recorded.raised is not None
        for offset, month in enumerate(months[-3:]):
            scale = 3 + number + offset
            services.record_ticket_counts(
                contract=contract,
                period_start=month,
                counts={
                    Priority.P1: (scale // 3, scale // 3),
                    Priority.P2: (scale * 2, scale * 2 - 1),
                    Priority.P3: (scale * 11, scale * 10),
                    Priority.P4: (scale * 6, scale * 6),
                },
                by=by,
            )
            services.record_question_counts(
                contract=contract,
                period_start=month,
                counts={
                    category: (len(CATEGORIES) - rank) * (scale * 4) + number
                    for rank, category in enumerate(CATEGORIES)
                },
                by=by,
            )
    if stdout is not None:
        stdout.write(f"Demo figures are in place ({raised} new breach issues).")
    return raised
