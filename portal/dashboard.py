"""The IT director's dashboard: control figures and relationship health side by side.

Every selector here runs a fixed number of queries, however many suppliers, contracts,
measurements, issues or meetings there are (tests/governance/test_dashboard.py counts them).
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from escalations.models import Issue, IssueStatus
from governance.models import LEVEL_ORDER
from meetings.models import Action, Forum, MeetingStatus
from operations.models import Measurement
from relationship.pulse import latest_pulse_by_supplier
from suppliers.models import (
    RUNNING_STATUSES,
    Comparison,
    Contract,
    ContractStatus,
    Metric,
    Supplier,
    Tier,
)

COMPLIANCE_MONTHS = 3
TREND_MONTHS = 12
MEETINGS_WINDOW_DAYS = 365
OVERDUE_ACTIONS_SHOWN = 8
NOTICE_HORIZON_DAYS = 180
# With hundreds of suppliers and forums the dashboard shows what needs attention first; each
# list says how many it left out and links to the whole list.
SUPPLIERS_SHOWN = 25
FORUMS_SHOWN = 15
DEADLINES_SHOWN = 25
INCOMPLETE_SHOWN = 15
CACHE_KEY = "dashboard:overview:v2"
# Figures older than this are not shown even while a newer set is being worked out.
DASHBOARD_KEPT_SECONDS = 60 * 60


@dataclass
class SupplierRow:
    supplier: Supplier
    compliance: float | None = None  # share of availability figures that met target, %
    previous_compliance: float | None = None
    measured: int = 0
    missed: int = 0
    open_issues: dict = field(default_factory=dict)  # level -> count
    flagged: int = 0
    pulse: dict | None = None
    monthly: list = field(default_factory=list)  # (month, compliance % or None), oldest first

    @property
    def trend(self):
        """'up', 'down' or 'flat' against the three months before; None without both."""
        if self.compliance is None or self.previous_compliance is None:
            return None
        if abs(self.compliance - self.previous_compliance) < 0.5:
            return "flat"
        return "up" if self.compliance > self.previous_compliance else "down"

    @property
    def attention(self):
        """How much this supplier needs the director's eye now: 0 is nothing to see."""
        score = 3 * self.flagged + 2 * (
            self.open_issues.get("business", 0) + self.open_issues.get("contract", 0)
        )
        score += self.missed + (1 if self.trend == "down" else 0)
        previous = (self.pulse or {}).get("previous")
        if previous and self.pulse["delivery"] < previous["delivery"] - 0.25:
            score += 1
        return score

    @property
    def open_issue_cells(self):
        return [(level, self.open_issues.get(level, 0)) for level in LEVEL_ORDER]


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def availability_compliance(today):
    """Per supplier and month, over the last year: how many availability figures of its
    running contracts there were and how many met their target."""
    first_month = (today - relativedelta(months=TREND_MONTHS - 1)).replace(day=1)
    target = F("service_level__target")
    met = Q(service_level__comparison=Comparison.AT_LEAST, value__gte=target) | Q(
        service_level__comparison=Comparison.AT_MOST, value__lte=target
    )
    rows = (
        Measurement.objects.filter(
            service_level__metric=Metric.AVAILABILITY,
            service_level__contract__status__in=RUNNING_STATUSES,
            period_start__gte=first_month,
            period_start__lte=today,
        )
        .annotate(month=TruncMonth("period_start"))
        .values("month", supplier_id=F("service_level__contract__supplier_id"))
        .annotate(measured=Count("pk"), met=Count("pk", filter=met))
        .order_by()
    )
    months = [first_month + relativedelta(months=n) for n in range(TREND_MONTHS)]
    per_supplier = {}
    for row in rows:
        series = per_supplier.setdefault(row["supplier_id"], {month: (0, 0) for month in months})
        series[row["month"]] = (row["measured"], row["met"])
    return per_supplier


def open_issues_by_supplier_and_level():
    rows = (
        Issue.objects.filter(status=IssueStatus.OPEN)
        .values("level", supplier_id=F("contracts__supplier_id"))
        .annotate(
            issues=Count("pk", distinct=True),
            flagged=Count("pk", distinct=True, filter=Q(flagged_at__isnull=False)),
        )
        .order_by()
    )
    return list(rows)


def issue_totals():
    """Open issues per level, counted once however many suppliers they span."""
    open_issues = Q(status=IssueStatus.OPEN)
    totals = Issue.objects.aggregate(
        **{level: Count("pk", filter=open_issues & Q(level=level)) for level in LEVEL_ORDER},
        flagged=Count("pk", filter=open_issues & Q(flagged_at__isnull=False)),
    )
    return totals


def supplier_rows(today):
    compliance = availability_compliance(today)
    pulse = latest_pulse_by_supplier(today)
    rows = {
        supplier.pk: SupplierRow(supplier)
        for supplier in Supplier.objects.order_by("tier", "name").only("pk", "name", "tier")
    }
    for supplier_id, series in compliance.items():
        row = rows[supplier_id]
        months = list(series.values())
        recent, previous = (
            months[-COMPLIANCE_MONTHS:],
            months[-2 * COMPLIANCE_MONTHS : -COMPLIANCE_MONTHS],
        )
        row.measured = sum(measured for measured, _met in recent)
        row.missed = row.measured - sum(met for _measured, met in recent)
        row.compliance = _percent(row.measured - row.missed, row.measured)
        row.previous_compliance = _percent(
            sum(met for _measured, met in previous), sum(measured for measured, _met in previous)
        )
        row.monthly = [
            (month, _percent(met, measured)) for month, (measured, met) in series.items()
        ]
    for figures in open_issues_by_supplier_and_level():
        row = rows.get(figures["supplier_id"])
        if row is not None:
            row.open_issues[figures["level"]] = figures["issues"]
            row.flagged += figures["flagged"]
    for supplier_id, answers in pulse.items():
        if supplier_id in rows:
            rows[supplier_id].pulse = answers
    # Most in need of attention first; key suppliers before others at the same level.
    return sorted(rows.values(), key=lambda row: (-row.attention, row.supplier.tier != Tier.KEY))


def meetings_per_forum(now):
    """Per active forum, over the last year: meetings that were due (not cancelled) and held."""
    since = now - timedelta(days=MEETINGS_WINDOW_DAYS)
    due = Q(meetings__starts_at__gte=since, meetings__starts_at__lte=now) & ~Q(
        meetings__status=MeetingStatus.CANCELLED
    )
    forums = list(
        Forum.objects.filter(is_active=True)
        .annotate(
            due=Count("meetings", filter=due),
            held=Count("meetings", filter=due & Q(meetings__status=MeetingStatus.HELD)),
        )
        .order_by("level", "name")
        .only("pk", "name", "level", "cadence")
    )
    for forum in forums:
        forum.not_held = forum.due - forum.held
    return forums


def overdue_actions(today):
    actions = Action.objects.current().overdue(today)
    return {
        "count": actions.count(),
        "oldest": list(
            actions.select_related("minutes__meeting__forum").order_by("due_on", "pk")[
                :OVERDUE_ACTIONS_SHOWN
            ]
        ),
    }


def notice_deadlines(today):
    """Running contracts whose notice (or renewal decision) deadline falls within the
    horizon, soonest first; a passed deadline stays listed until its term has ended."""
    horizon = today + timedelta(days=NOTICE_HORIZON_DAYS)
    contracts = (
        Contract.objects.running()
        .filter(end_date__isnull=False)
        .only("pk", "end_date", "renewal", "renewal_term_months", "notice_period_months")
    )
    due = sorted(
        (deadline, contract.pk)
        for contract in contracts
        if (deadline := contract.notice_deadline(today)) is not None
        and deadline <= horizon
        and contract.current_term_end(today) >= today
    )
    shown = Contract.objects.select_related("supplier").in_bulk(
        [pk for _deadline, pk in due[:DEADLINES_SHOWN]]
    )
    return {
        "count": len(due),
        "shown": [(deadline, shown[pk]) for deadline, pk in due[:DEADLINES_SHOWN]],
    }


def incomplete_governance():
    """Draft and running contracts that lack a named role holder on some level and side."""
    contracts = (
        Contract.objects.not_ended().with_missing_role_count().filter(missing_role_count__gt=0)
    )
    return {
        "count": contracts.count(),
        "shown": list(contracts.with_supplier().order_by("reference")[:INCOMPLETE_SHOWN]),
    }


def portfolio_totals():
    contracts = Contract.objects.aggregate(
        contracts=Count("pk", filter=Q(status__in=RUNNING_STATUSES)),
        drafts=Count("pk", filter=Q(status=ContractStatus.DRAFT)),
        annual_value=Sum("annual_value_sek", filter=Q(status__in=RUNNING_STATUSES)),
    )
    suppliers = Supplier.objects.aggregate(
        suppliers=Count("pk"), key_suppliers=Count("pk", filter=Q(tier=Tier.KEY))
    )
    return contracts | suppliers


def dashboard_figures(now=None):
    """Everything the dashboard shows, in a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    forums = meetings_per_forum(now)
    behind = sorted(
        (forum for forum in forums if forum.not_held), key=lambda forum: -forum.not_held
    )
    return {
        "portfolio": portfolio_totals(),
        "supplier_rows": supplier_rows(today),
        "issue_totals": issue_totals(),
        "levels": LEVEL_ORDER,
        "forums_behind": behind[:FORUMS_SHOWN],
        "forums_behind_count": len(behind),
        "forum_count": len(forums),
        "overdue_actions": overdue_actions(today),
        "deadlines": notice_deadlines(today),
        "incomplete_governance": incomplete_governance(),
        "compliance_months": COMPLIANCE_MONTHS,
        "horizon_days": NOTICE_HORIZON_DAYS,
        "today": today,
        "computed_at": now,
    }


def _render_dashboard(show_all):
    figures = dashboard_figures()
    rows = figures["supplier_rows"]
    shown = rows if show_all else rows[:SUPPLIERS_SHOWN]
    context = {
        **figures,
        "show_all": show_all,
        "supplier_rows": shown,
        "suppliers_left_out": len(rows) - len(shown),
    }
    return render_to_string("portal/dashboard.html#body", context)


def dashboard_html(show_all=False, refresh=False):
    """The dashboard's content, rendered once for everyone who sees the portfolio and shared
    for DASHBOARD_CACHE_SECONDS: ten years of figures take a while to add up, and the page says
    how old its figures are (its refresh link passes refresh=True).

    When the figures are older than that, one request works them out again while everyone else
    is still shown the previous ones (with their time), so nobody waits in a crowd of people
    all adding up the same figures at once."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return mark_safe(_render_dashboard(show_all))  # noqa: S308 - our template's output
    key = f"{CACHE_KEY}:{get_language()}:{'all' if show_all else 'top'}"
    lock = f"{key}:recomputing"
    kept = None if refresh else cache.get(key)
    recomputing = False
    if kept is not None:
        html, made_at = kept
        if time.time() - made_at < seconds:
            return mark_safe(html)  # noqa: S308 - our own template's output
        recomputing = cache.add(lock, 1, timeout=60)
        if not recomputing:  # someone else is already at it: show the previous figures
            return mark_safe(html)  # noqa: S308 - our own template's output
    try:
        html = _render_dashboard(show_all)
        cache.set(key, (html, time.time()), DASHBOARD_KEPT_SECONDS)
    finally:
        if recomputing:
            cache.delete(lock)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered
