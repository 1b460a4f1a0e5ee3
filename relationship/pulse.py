"""The relationship pulse after quarterly key-supplier meetings: who may answer, and the
results (per meeting, per supplier over time, and latest per supplier). Saving an answer is
services.answer_pulse."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from governance.models import Side, User
from meetings.models import Cadence, Meeting, MeetingStatus
from suppliers.models import Supplier

from .models import PulseResponse

SCORES = ("trust", "dialogue", "delivery")
PULSE_WINDOW_YEARS = 2


def pulse_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """A quarterly meeting that has started and was not cancelled takes answers."""
    now = now or timezone.now()
    return (
        meeting.forum.cadence == Cadence.QUARTERLY
        and meeting.status != MeetingStatus.CANCELLED
        and meeting.starts_at <= now
    )


def may_answer(user: User, meeting: Meeting) -> bool:
    """The city's people, and contacts of a supplier with a contract in the meeting's forum."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.sees_portfolio:
        return True
    return meeting.forum.contracts.filter(supplier_id=user.supplier_id).exists()  # type: ignore[misc]


@dataclass
class Tally:
    """Sums and counts of one group of responses; averages come from them, so groups add up."""

    responses: int = 0
    sums: dict = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    def add(self, responses: int, **sums: int) -> "Tally":
        self.responses += responses
        for name in SCORES:
            self.sums[name] += sums[name]
        return self

    def averages(self) -> dict[str, Any] | None:
        if not self.responses:
            return None
        result = {name: round(self.sums[name] / self.responses, 2) for name in SCORES}
        result["responses"] = self.responses
        return result


def _tallies(meeting_ids: Any) -> dict[tuple[int, int | None], "Tally"]:
    """{(meeting_id, supplier_id or None): Tally} in one query."""
    rows: Any = (
        PulseResponse.objects.filter(meeting_id__in=meeting_ids)
        .values("meeting_id", "supplier_id")
        .annotate(responses=Count("pk"), **{name: Sum(name) for name in SCORES})
        .order_by()
    )
    tallies: dict[tuple[int, int | None], Tally] = {}
    for row in rows:
        key = (row["meeting_id"], row["supplier_id"])
        tallies[key] = Tally().add(row["responses"], **{name: row[name] for name in SCORES})
    return tallies


def meeting_results(meeting: Meeting, user: User) -> dict[str, Any]:
    """The meeting's results per side (the city first, then each supplier by name) and the
    comments the user may read: the city's people read all, a supplier contact only their
    own supplier's side (the city's candid notes stay internal)."""
    rows: Any = (
        PulseResponse.objects.filter(meeting=meeting)
        .values("side", "supplier_id", "supplier__name")
        .annotate(responses=Count("pk"), **{name: Sum(name) for name in SCORES})
        .order_by(F("supplier__name").asc(nulls_first=True))
    )
    sides = []
    for row in rows:
        tally = Tally().add(row["responses"], **{name: row[name] for name in SCORES})
        label = row["supplier__name"] or Side(row["side"]).label
        sides.append(
            {"label": label, "supplier_id": row["supplier_id"], **(tally.averages() or {})}
        )
    comments = PulseResponse.objects.filter(meeting=meeting).exclude(comment="")
    if not user.sees_portfolio:
        comments = comments.filter(supplier_id=user.supplier_id)  # type: ignore[misc]
    comments = comments.select_related("respondent", "supplier").order_by("supplier__name", "pk")
    return {"sides": sides, "comments": list(comments)}


def _cutoff(today: date | None) -> datetime:
    if today is None:
        return timezone.now()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


def latest_pulse_by_supplier(today: date | None = None) -> dict[int, dict[str, Any]]:
    """For the IT director's dashboard: each supplier's latest answered quarterly pulse.

    Returns {supplier_id: {"meeting_id", "date", "trust", "dialogue", "delivery",
    "responses", "sides": {"city": averages or None, "supplier": averages or None},
    "previous": the same for the supplier's answered meeting before, or None}}.
    A supplier's figures count the city's answers and that supplier's own, not another
    supplier's at a joint meeting. Suppliers without an answered meeting in the last
    PULSE_WINDOW_YEARS are left out: an older pulse says little about the relationship now.
    Two queries whatever the amount of data, reading two meetings per supplier.
    """
    cutoff = _cutoff(today)
    # The city's answers and the supplier's own: another supplier's alone do not count.
    answered = PulseResponse.objects.filter(
        Q(supplier_id__isnull=True) | Q(supplier_id=OuterRef("supplier_id")),
        meeting_id=OuterRef("pk"),
    )
    # Each supplier's two latest answered meetings, picked in the database. A meeting comes
    # once per contract the supplier has in its forum: grouping makes that one row.
    latest_two: Any = (
        Meeting.objects.filter(
            forum__cadence=Cadence.QUARTERLY,
            starts_at__lt=cutoff,
            starts_at__gte=cutoff - timedelta(days=365 * PULSE_WINDOW_YEARS),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(supplier_id=F("forum__contracts__supplier_id"))
        .filter(supplier_id__isnull=False)
        .filter(Exists(answered))
        .values("pk", "starts_at", "supplier_id")
        .annotate(contracts=Count("pk"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("supplier_id"),
                order_by=[F("starts_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=2)
        .values_list("pk", "starts_at", "supplier_id", "rank")
        .order_by("supplier_id", "rank")
    )
    pairs = list(latest_two)
    tallies = _tallies({meeting_id for meeting_id, _starts_at, _supplier_id, _rank in pairs})
    zone = timezone.get_current_timezone()
    result: dict[int, dict[str, Any]] = {}
    for meeting_id, starts_at, supplier_id, rank in pairs:
        city = tallies.get((meeting_id, None), Tally())
        own = tallies.get((meeting_id, supplier_id), Tally())
        both = Tally().add(city.responses, **city.sums).add(own.responses, **own.sums)
        entry = {
            "meeting_id": meeting_id,
            "date": starts_at.astimezone(zone).date(),
            **(both.averages() or {}),
            "sides": {"city": city.averages(), "supplier": own.averages()},
        }
        if rank == 1:
            result[supplier_id] = {**entry, "previous": None}
        else:
            result[supplier_id]["previous"] = entry
    return result


HISTORY_LIMIT = 40  # ten years of quarters


def supplier_pulse_history(supplier: Supplier, now: datetime | None = None) -> list[Meeting]:
    """The supplier's quarterly meetings held so far, newest first, each with the city's and
    the supplier's averages (None where nobody answered). Two queries."""
    meetings = list(
        Meeting.objects.filter(
            forum__cadence=Cadence.QUARTERLY,
            forum__contracts__supplier=supplier,
            starts_at__lte=now or timezone.now(),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("forum")
        .distinct()
        .order_by("-starts_at", "-pk")[:HISTORY_LIMIT]
    )
    tallies = _tallies([meeting.pk for meeting in meetings])
    for meeting in meetings:
        meeting.city_pulse = tallies.get((meeting.pk, None), Tally()).averages()  # type: ignore[attr-defined]
        meeting.supplier_pulse = tallies.get((meeting.pk, supplier.pk), Tally()).averages()  # type: ignore[attr-defined]
    return meetings
