"""The IT director's dashboard: control figures and relationship health side by side.

Every selector here runs a fixed number of queries, however many suppliers, contracts,
measurements, issues or meetings there are (tests/governance/test_dashboard.py counts them).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from escalations.models import Issue, IssueStatus
from governance.cache import NearCache
from governance.fragments import data_version
from governance.models import LEVEL_ORDER, GovernanceLevel, RoleHolder
from meetings.models import Action, ActionUpdate, Forum, Meeting, MeetingStatus, Minutes
from operations.models import Measurement
from relationship.models import CityGoal, Goal, PulseResponse
from relationship.pulse import latest_pulse_by_supplier
from relationship.selectors import city_target_picture
from risks.models import Risk
from risks.selectors import heat_map, heat_map_counts
from suppliers.models import (
    RUNNING_STATUSES,
    Comparison,
    Contract,
    ContractStatus,
    Metric,
    NoticeDecision,
    Renewal,
    ServiceLevel,
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
WITHOUT_MANDATE_SHOWN = 10
CACHE_KEY = "dashboard:overview:v3"
PART_KEY = "dashboard:part:v1"
PART_SECONDS = 24 * 60 * 60  # a part's key holds its date: no use keeping it past the day
# Figures older than this are not shown even while a newer set is being worked out.
DASHBOARD_KEPT_SECONDS = 60 * 60
# Each process reuses the figures it read from Redis for this long (a page then reads no
# Redis at all); another process's refresh shows here that much later.
NEAR_SECONDS = 2
# A request that finds another working out a version it has no figures for waits this long,
# looking every WAIT_STEP, before it is shown the previous version's.
WAIT_SECONDS = 2.0
WAIT_STEP = 0.05
LOCK_SECONDS = 60  # a recompute that died frees its version after this
near = NearCache(2_000_000)  # characters: the dashboard in its two lengths, in a few languages


@dataclass
class SupplierRow:
    supplier: Supplier
    compliance: float | None = None  # share of availability figures that met target, %
    previous_compliance: float | None = None
    measured: int = 0
    missed: int = 0
    open_issues: dict[str, int] = field(default_factory=dict)  # level -> count
    flagged: int = 0
    late: dict[str, int] = field(default_factory=dict)  # level -> flagged (late) issues there
    pulse: dict[str, Any] | None = None
    monthly: list[tuple[date, float | None]] = field(
        default_factory=list
    )  # (month, compliance % or None), oldest first

    @property
    def trend(self) -> str | None:
        """'up', 'down' or 'flat' against the three months before; None without both."""
        if self.compliance is None or self.previous_compliance is None:
            return None
        if abs(self.compliance - self.previous_compliance) < 0.5:
            return "flat"
        return "up" if self.compliance > self.previous_compliance else "down"

    @property
    def attention(self) -> int:
        """How much this supplier needs the director's eye now: 0 is nothing to see."""
        score = 3 * self.flagged + 2 * (
            self.open_issues.get("business", 0) + self.open_issues.get("contract", 0)
        )
        score += self.missed + (1 if self.trend == "down" else 0)
        previous = (self.pulse or {}).get("previous")
        if previous and self.pulse and self.pulse["delivery"] < previous["delivery"] - 0.25:
            score += 1
        return score

    @property
    def open_issue_cells(self) -> list[tuple[str, int, int]]:
        """Per level: the open issues and how many of them are late (flagged)."""
        return [
            (level, self.open_issues.get(level, 0), self.late.get(level, 0))
            for level in LEVEL_ORDER
        ]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _availability_figures(**filters: Any) -> tuple[QuerySet[Measurement], Q]:
    """Availability figures of running contracts, and the condition of one meeting its
    target; counted from the (service level, period, value) index alone."""
    target = F("service_level__target")
    met = Q(service_level__comparison=Comparison.AT_LEAST, value__gte=target) | Q(
        service_level__comparison=Comparison.AT_MOST, value__lte=target
    )
    figures = Measurement.objects.filter(
        service_level__metric=Metric.AVAILABILITY,
        service_level__contract__status__in=RUNNING_STATUSES,
        **filters,
    ).order_by()
    return figures, met


def availability_on_target(today: date) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Per supplier, what its place in the list needs: availability figures of its running
    contracts over the last COMPLIANCE_MONTHS months and the as many months before, and how
    many met their target, as {supplier_id: ((measured, met), (measured before, met before))}."""
    first_recent = (today - relativedelta(months=COMPLIANCE_MONTHS - 1)).replace(day=1)
    first_before = first_recent - relativedelta(months=COMPLIANCE_MONTHS)
    figures, met = _availability_figures(period_start__gte=first_before, period_start__lte=today)
    recent, before = Q(period_start__gte=first_recent), Q(period_start__lt=first_recent)
    rows: Any = figures.values(supplier_id=F("service_level__contract__supplier_id")).annotate(
        measured=Count("period_start", filter=recent),
        met=Count("period_start", filter=recent & met),
        measured_before=Count("period_start", filter=before),
        met_before=Count("period_start", filter=before & met),
    )
    return {
        row["supplier_id"]: (
            (row["measured"], row["met"]),
            (row["measured_before"], row["met_before"]),
        )
        for row in rows
    }


def availability_compliance(
    today: date, supplier_ids: list[int] | None = None
) -> dict[int, dict[date, tuple[int, int]]]:
    """Per supplier (of supplier_ids, or all) and month, over the last year: how many
    availability figures of its running contracts there were and how many met their
    target."""
    first_month = (today - relativedelta(months=TREND_MONTHS - 1)).replace(day=1)
    figures, met = _availability_figures(period_start__gte=first_month, period_start__lte=today)
    if supplier_ids is not None:
        figures = figures.filter(service_level__contract__supplier_id__in=supplier_ids)
    # Counted per period; the periods are put into their months here.
    rows: Any = figures.values(
        "period_start", supplier_id=F("service_level__contract__supplier_id")
    ).annotate(measured=Count("*"), met=Count("period_start", filter=met))
    months = [first_month + relativedelta(months=n) for n in range(TREND_MONTHS)]
    per_supplier: dict[int, dict[date, tuple[int, int]]] = {}
    for row in rows:
        series = per_supplier.setdefault(row["supplier_id"], {month: (0, 0) for month in months})
        month = row["period_start"].replace(day=1)
        measured, on_target = series[month]
        series[month] = (measured + row["measured"], on_target + row["met"])
    return per_supplier


def open_issues_by_supplier_and_level() -> list[dict[str, Any]]:
    rows: Any = (
        Issue.objects.filter(status=IssueStatus.OPEN)
        .values("level", supplier_id=F("contracts__supplier_id"))
        .annotate(
            issues=Count("pk", distinct=True),
            flagged=Count("pk", distinct=True, filter=Q(flagged_at__isnull=False)),
        )
        .order_by()
    )
    return list(rows)


def issue_totals() -> dict[str, Any]:
    """Open issues per level, and the late (flagged) ones per level, counted once however many
    suppliers they span."""
    late = Q(flagged_at__isnull=False)
    totals: dict[str, Any] = Issue.objects.filter(status=IssueStatus.OPEN).aggregate(
        **{level: Count("pk", filter=Q(level=level)) for level in LEVEL_ORDER},
        **{f"late_{level}": Count("pk", filter=late & Q(level=level)) for level in LEVEL_ORDER},
        flagged=Count("pk", filter=late),
    )
    totals["late"] = {level: totals.pop(f"late_{level}") for level in LEVEL_ORDER}
    return totals


def supplier_rows(
    today: date, monthly_for: int | None = None, parts: "Parts | None" = None
) -> list[SupplierRow]:
    """Every supplier, most in need of attention first; the first `monthly_for` of them (all
    when None) with their twelve months of availability: the others' are not worked out."""
    parts = parts or Parts(today, reuse=False)
    figures = (Measurement, ServiceLevel, Contract)
    on_target = parts.get("on-target", figures, lambda: availability_on_target(today))
    pulse = parts.get(
        "pulse",
        (PulseResponse, Meeting, Forum, Contract),
        lambda: latest_pulse_by_supplier(today),
    )
    issues = parts.get("issues", (Issue, Contract), open_issues_by_supplier_and_level)
    suppliers = parts.get(
        "suppliers",
        (Supplier,),
        lambda: list(Supplier.objects.order_by("tier", "name").only("pk", "name", "tier")),
    )
    rows = {supplier.pk: SupplierRow(supplier) for supplier in suppliers}
    for supplier_id, ((measured, met), (measured_before, met_before)) in on_target.items():
        row = rows[supplier_id]
        row.measured = measured
        row.missed = measured - met
        row.compliance = _percent(met, measured)
        row.previous_compliance = _percent(met_before, measured_before)
    for counted in issues:
        if (issues_row := rows.get(counted["supplier_id"])) is not None:
            issues_row.open_issues[counted["level"]] = counted["issues"]
            issues_row.late[counted["level"]] = counted["flagged"]
            issues_row.flagged += counted["flagged"]
    for supplier_id, answers in pulse.items():
        if supplier_id in rows:
            rows[supplier_id].pulse = answers
    # Most in need of attention first; key suppliers before others at the same level.
    ordered = sorted(rows.values(), key=lambda row: (-row.attention, row.supplier.tier != Tier.KEY))
    with_months = ordered if monthly_for is None else ordered[:monthly_for]
    shown_ids = [row.supplier.pk for row in with_months]
    compliance = parts.get(
        f"months:{_digest(shown_ids)}",
        figures,
        lambda: availability_compliance(today, shown_ids),
    )
    for row in with_months:
        series = compliance.get(row.supplier.pk, {})
        row.monthly = [
            (month, _percent(met, measured)) for month, (measured, met) in series.items()
        ]
    return ordered


def meetings_per_forum(now: datetime) -> list[Any]:
    """Per active forum, over the last year: meetings that were due (not cancelled) and held;
    and `changes_at`, the first moment in the coming day when that changes with time alone (a
    meeting starts, or one leaves the year), or None."""
    since = now - timedelta(days=MEETINGS_WINDOW_DAYS)
    ahead = now + timedelta(days=1)
    # The year's meetings and the coming day's are read from the (forum, start, status) index
    # alone: the years before are not read, and neither is the meetings table.
    nearby = FilteredRelation(
        "meetings",
        condition=Q(meetings__starts_at__gte=since, meetings__starts_at__lte=ahead)
        & ~Q(meetings__status=MeetingStatus.CANCELLED),
    )
    started = Q(nearby__starts_at__lte=now)
    forums = list(
        Forum.objects.filter(is_active=True)
        .annotate(nearby=nearby)
        .annotate(
            due=Count("nearby__starts_at", filter=started),
            held=Count("nearby__starts_at", filter=started & Q(nearby__status=MeetingStatus.HELD)),
            next_start=Min("nearby__starts_at", filter=Q(nearby__starts_at__gt=now)),
            oldest=Min("nearby__starts_at"),
        )
        .order_by("level", "name")
        .only("pk", "name", "level", "cadence")
    )
    year = now - since
    for forum in forums:
        forum.not_held = forum.due - forum.held  # type: ignore[attr-defined]
        leaves_year = forum.oldest + year if forum.oldest else None
        forum.changes_at = min(  # type: ignore[attr-defined]
            filter(None, [forum.next_start, leaves_year]), default=None
        )
    return forums


def forums_behind(now: datetime) -> dict[str, Any]:
    """The active forums with meetings due in the last year but not held, most behind first:
    the first FORUMS_SHOWN, how many there are, of how many forums, and until when that holds
    if nothing is written (`changes_at`, None when nothing changes in the coming day)."""
    forums = meetings_per_forum(now)
    behind = sorted(
        (forum for forum in forums if forum.not_held), key=lambda forum: -forum.not_held
    )
    return {
        "shown": behind[:FORUMS_SHOWN],
        "count": len(behind),
        "forum_count": len(forums),
        "changes_at": min(filter(None, (forum.changes_at for forum in forums)), default=None),
    }


def _first_and_count(queryset: QuerySet[Any], shown: int) -> tuple[list[Any], int]:
    """The first `shown` rows of the queryset and how many it has, in one query: working out
    which rows qualify is the costly part, and done once."""
    rows = list(queryset.annotate(total_rows=Window(Count("*")))[:shown])
    return rows, rows[0].total_rows if rows else 0


def overdue_actions(today: date) -> dict[str, Any]:
    oldest, count = _first_and_count(
        Action.objects.current()
        .overdue(today)
        .select_related("minutes__meeting__forum")
        .order_by("due_on", "pk"),
        OVERDUE_ACTIONS_SHOWN,
    )
    return {"count": count, "oldest": oldest}


def held_without_mandate(now: datetime) -> dict[str, Any]:
    """The last year's key-supplier meetings whose minutes stand approved without a party's
    contract-level mandate holder present, newest first (a later approved correction that
    had them present takes the meeting off the list)."""
    corrected = Minutes.objects.filter(
        meeting=OuterRef("meeting"), number__gt=OuterRef("number"), approved_at__isnull=False
    )
    latest, count = _first_and_count(
        Minutes.objects.filter(
            approved_at__isnull=False,
            meeting__starts_at__gte=now - timedelta(days=MEETINGS_WINDOW_DAYS),
        )
        .exclude(absent_mandate="")
        .exclude(Exists(corrected))
        .select_related("meeting__forum")
        .only(
            "pk",
            "absent_mandate",
            "absent_mandate_reason",
            "meeting__starts_at",
            "meeting__forum__name",
        )
        .order_by("-meeting__starts_at", "pk"),
        WITHOUT_MANDATE_SHOWN,
    )
    return {"count": count, "latest": latest}


def notice_deadlines(today: date) -> dict[str, Any]:
    """Running contracts whose notice (or renewal decision) deadline falls within the
    horizon, soonest first; a passed deadline stays listed until its term has ended."""
    horizon = today + timedelta(days=NOTICE_HORIZON_DAYS)
    # The database leaves out the contracts whose notice falls in a month after the horizon's
    # (the end date's month less the notice period); those whose term has rolled on past
    # their end date are worked out here, as are the rest.
    notice_month = (
        ExtractYear("end_date") * 12 + ExtractMonth("end_date") - F("notice_period_months")
    )
    rolled_on = Q(renewal=Renewal.TACIT, renewal_term_months__gt=0, end_date__lt=today)
    contracts = (
        Contract.objects.running()
        .filter(end_date__isnull=False)
        .alias(notice_month=notice_month)
        .filter(
            rolled_on | Q(end_date__gte=today, notice_month__lte=horizon.year * 12 + horizon.month)
        )
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
    # Each shown contract's decision for its current term (renew, let run, terminate), if any.
    decisions = {
        (decision.contract_id, decision.term_end): decision
        for decision in NoticeDecision.objects.filter(contract_id__in=list(shown))
    }
    for pk, contract in shown.items():
        term_end = contract.current_term_end(today)
        contract.notice_decision = decisions.get((pk, term_end)) if term_end else None  # type: ignore[attr-defined]
    return {
        "count": len(due),
        "shown": [(deadline, shown[pk]) for deadline, pk in due[:DEADLINES_SHOWN]],
    }


def incomplete_governance() -> dict[str, Any]:
    """Draft and running contracts that lack a named role holder on some level and side."""
    shown, count = _first_and_count(
        Contract.objects.not_ended()
        .with_missing_role_count()
        .filter(missing_role_count__gt=0)
        .with_supplier()
        .order_by("reference"),
        INCOMPLETE_SHOWN,
    )
    return {"count": count, "shown": shown}


def portfolio_totals() -> dict[str, Any]:
    contracts = Contract.objects.aggregate(
        contracts=Count("pk", filter=Q(status__in=RUNNING_STATUSES)),
        drafts=Count("pk", filter=Q(status=ContractStatus.DRAFT)),
        annual_value=Sum("annual_value_sek", filter=Q(status__in=RUNNING_STATUSES)),
    )
    suppliers = Supplier.objects.aggregate(
        suppliers=Count("pk"), key_suppliers=Count("pk", filter=Q(tier=Tier.KEY))
    )
    return contracts | suppliers


class Parts:
    """The dashboard's parts, each kept in the cache under today's date and the newest history
    row of every model it reads (governance.fragments.data_version: one query for them all).
    A recompute then works out only the parts whose data changed since the last one: most
    minutes nothing did, and one new figure leaves the pulse, the issues and the lists as
    they were. reuse=False works everything out afresh (the page's Refresh).

    Every part goes through get() and names its models, which must be in MODELS: the whole
    page is kept under the versions of all of them (dashboard_html), so a part reading a model
    not listed here would fail, not go stale."""

    MODELS = (
        Supplier,
        Contract,
        ServiceLevel,
        Measurement,
        Issue,
        Forum,
        Meeting,
        Minutes,
        Action,
        ActionUpdate,
        PulseResponse,
        GovernanceLevel,
        RoleHolder,
        CityGoal,
        Goal,
        NoticeDecision,
        Risk,
    )

    def __init__(
        self,
        today: date,
        reuse: bool = True,
        now: datetime | None = None,
        versions: tuple[Any, ...] | None = None,
    ):
        self.today, self.reuse, self.now = today, reuse, now or timezone.now()
        if versions is None and reuse:
            versions = data_version(self.MODELS)
        self.versions = dict(zip(self.MODELS, versions or (), strict=bool(versions)))
        # The first moment a part changes with time alone (a meeting starts), or None.
        self.changes_at: datetime | None = None

    def get(
        self,
        name: str,
        models: tuple[type[Model], ...],
        compute: Callable[[], Any],
        changes_at: Callable[[Any], datetime | None] = lambda _value: None,
    ) -> Any:
        """The part `name`, reused when none of `models` changed; `changes_at(value)` says
        when it changes with time alone, besides at midnight (None: not before)."""
        if not self.reuse:
            return self._noted(compute(), changes_at)
        if unlisted := [model.__name__ for model in models if model not in self.versions]:
            raise LookupError(f"Add {', '.join(unlisted)} to Parts.MODELS: the page's version")
        versions = ":".join(str(self.versions[model]) for model in models)
        # The database's name too: history ids are numbered per database (fragments.py).
        database = connection.settings_dict["NAME"]
        key = f"{PART_KEY}:{database}:{name}:{self.today.isoformat()}:{versions}"
        kept = cache.get(key)
        if kept is not None and (kept[1] is None or self.now < kept[1]):
            self._note(kept[1])
            return kept[0]
        value = compute()
        cache.set(key, (value, changes_at(value)), PART_SECONDS)
        return self._noted(value, changes_at)

    def _noted(self, value: Any, changes_at: Callable[[Any], datetime | None]) -> Any:
        self._note(changes_at(value))
        return value

    def _note(self, moment: datetime | None) -> None:
        if moment is not None and (self.changes_at is None or moment < self.changes_at):
            self.changes_at = moment


def _digest(ids: list[Any]) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]


def dashboard_figures(
    now: datetime | None = None,
    suppliers_shown: int | None = None,
    reuse: bool = True,
    versions: tuple[Any, ...] | None = None,
) -> dict[str, Any]:
    """Everything the dashboard shows, in a fixed number of queries; the availability trend
    of the first `suppliers_shown` suppliers (all when None). Parts whose data did not change
    since they were last worked out are reused (Parts), unless reuse is False; `versions`
    (data_version of Parts.MODELS) when the caller has them already. `changes_at` is when the
    figures change with time alone, besides at midnight (None: not before)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    parts = Parts(today, reuse=reuse, now=now, versions=versions)
    meetings = (Forum, Meeting, Minutes)
    forums = parts.get(
        "forums", meetings, lambda: forums_behind(now), lambda value: value["changes_at"]
    )
    figures = {
        "city_goals": parts.get("city-goals", (CityGoal, Goal), city_target_picture),
        "portfolio": parts.get("portfolio", (Contract, Supplier), portfolio_totals),
        "supplier_rows": supplier_rows(today, monthly_for=suppliers_shown, parts=parts),
        "issue_totals": parts.get("issue-totals", (Issue,), issue_totals),
        "levels": [(level.value, level.label) for level in LEVEL_ORDER],
        "forums_behind": forums["shown"],
        "forums_behind_count": forums["count"],
        "forum_count": forums["forum_count"],
        "without_mandate": parts.get(
            "without-mandate", (Meeting, Minutes), lambda: held_without_mandate(now)
        ),
        "overdue_actions": parts.get(
            "overdue", (Action, ActionUpdate, *meetings), lambda: overdue_actions(today)
        ),
        "deadlines": parts.get(
            "deadlines", (Contract, Supplier, NoticeDecision), lambda: notice_deadlines(today)
        ),
        "incomplete_governance": parts.get(
            "incomplete", (Contract, Supplier, GovernanceLevel, RoleHolder), incomplete_governance
        ),
        "heat_map": heat_map(parts.get("risk-heat-map", (Risk,), heat_map_counts)),
        "compliance_months": COMPLIANCE_MONTHS,
        "horizon_days": NOTICE_HORIZON_DAYS,
        "today": today,
        "computed_at": now,
    }
    return figures | {"changes_at": parts.changes_at}


def _render_dashboard(
    show_all: bool,
    reuse: bool = True,
    now: datetime | None = None,
    versions: tuple[Any, ...] | None = None,
) -> tuple[str, datetime | None]:
    """The dashboard's body, and when it changes with time alone (None: not before midnight)."""
    figures = dashboard_figures(
        now=now,
        suppliers_shown=None if show_all else SUPPLIERS_SHOWN,
        reuse=reuse,
        versions=versions,
    )
    rows = figures["supplier_rows"]
    shown = rows if show_all else rows[:SUPPLIERS_SHOWN]
    context = {
        **figures,
        "show_all": show_all,
        "supplier_rows": shown,
        "suppliers_left_out": len(rows) - len(shown),
    }
    return render_to_string("portal/dashboard.html#body", context), figures["changes_at"]


def page_key(
    show_all: bool, versions: tuple[Any, ...] | None = None, today: date | None = None
) -> str:
    """Where the dashboard's body is kept for this version of its data: the newest history row
    of every model a part reads (Parts.MODELS), today's date, the language and its length."""
    if versions is None:
        versions = data_version(Parts.MODELS)
    today = today or timezone.localdate()
    return f"{_page_prefix(show_all)}:{today.isoformat()}:{_digest(list(versions))}"


def _page_prefix(show_all: bool) -> str:
    # The database's name too: history ids are numbered per database (fragments.py).
    database = connection.settings_dict["NAME"]
    return f"{CACHE_KEY}:{database}:{get_language()}:{'all' if show_all else 'top'}"


Kept = tuple[str, float, datetime | None]  # the body, when it was made (time.time()), changes_at


def _kept(key: str) -> Kept | None:
    kept = near.get(key)
    if kept is None:
        kept = cache.get(key)
        if kept is not None:
            near.set(key, kept, len(kept[0]), NEAR_SECONDS)
    return kept


def _fresh(kept: Kept, now: datetime, seconds: int) -> bool:
    _html, made_at, changes_at = kept
    return time.time() - made_at < seconds and (changes_at is None or now < changes_at)


def _waited_for(key: str, lock: str) -> Kept | None:
    """The body another request is working out for this version, once it is there; None when
    it gave up (its lock is gone) or after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        found = cache.get_many([key, lock])
        if key in found:
            return found[key]
        if lock not in found:
            return None
    return None


def dashboard_html(show_all: bool = False, refresh: bool = False) -> tuple[SafeString, float]:
    """The dashboard's content and when it was worked out (time.time()), rendered once for
    everyone who sees the portfolio and kept under the version of its data (page_key), so a
    change shows on the next look; the same version is worked out again after
    DASHBOARD_CACHE_SECONDS (the page says how old its figures are) or when time alone changes
    it (a meeting starts), and the page's refresh link passes refresh=True to work everything
    out afresh.

    One request works out a version while the others are not kept adding up the same figures:
    for a version already kept they are shown it as it was (with its time); for a new one
    they wait for it briefly (WAIT_SECONDS), and are then shown the previous version."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        html, _changes_at = _render_dashboard(show_all)
        return mark_safe(html), time.time()  # noqa: S308 - our own template's output
    now = timezone.now()
    versions = data_version(Parts.MODELS)
    key = page_key(show_all, versions, timezone.localdate(now))
    latest = f"{_page_prefix(show_all)}:latest"
    kept = None if refresh else _kept(key)
    if kept is not None and _fresh(kept, now, seconds):
        return mark_safe(kept[0]), kept[1]  # noqa: S308 - our own template's output
    lock = f"{key}:recomputing"
    locked = False
    if not refresh:
        locked = cache.add(lock, 1, timeout=LOCK_SECONDS)
        if not locked:
            if cache.get(lock) is not None:  # someone else is working this version out
                shown = kept or _waited_for(key, lock) or cache.get(latest)
            else:  # they just finished; or Redis is away, and nothing is kept: no waiting
                shown = cache.get(key)
            if shown is not None:
                return mark_safe(shown[0]), shown[1]  # noqa: S308 - our own template's output
    try:
        made_at = time.time()
        html, changes_at = _render_dashboard(
            show_all, reuse=not refresh, now=now, versions=versions
        )
        kept = (html, made_at, changes_at)
        cache.set(key, kept, DASHBOARD_KEPT_SECONDS)
        cache.set(latest, kept, DASHBOARD_KEPT_SECONDS)
        near.set(key, kept, len(html), NEAR_SECONDS)
    finally:
        if locked:
            cache.delete(lock)
    return mark_safe(html), made_at  # noqa: S308 - our own template's output, escaped when rendered
