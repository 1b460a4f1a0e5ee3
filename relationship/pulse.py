"""The relationship pulse after quarterly key-supplier meetings: who may answer, and the
results (per meeting, per supplier over time, and latest per supplier). Saving an answer is
services.answer_pulse."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from governance.models import Side, User
from meetings.models import Cadence, Meeting, MeetingStatus
from suppliers.models import Supplier

from .models import PulseResponse

SCORES = ("trust", "dialogue", "delivery")
PULSE_WINDOW_YEARS = 2
# An organisation's averages are shown outside it only from this many answers: fewer could be
# one named person's scores (its own people see them all).
MIN_ANSWERS_SHOWN = 3


def pulse_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """A quarterly meeting that has started and was not cancelled takes answers."""
    now = now or timezone.now()
    return (
        meeting.forum.is_key_supplier_meeting
        and meeting.status != MeetingStatus.CANCELLED
        and meeting.starts_at <= now
    )


def may_answer(user: User, meeting: Meeting) -> bool:
    """The city's people, and contacts of a supplier with a contract on the meeting."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.sees_portfolio:
        return True
    return meeting.contracts.filter(supplier_id=user.supplier_id).exists()  # type: ignore[misc]


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

    def averages(self, outside: bool = False) -> dict[str, Any] | None:
        """None without answers. For someone `outside` the answering organisation, fewer than
        MIN_ANSWERS_SHOWN answers give their number only, marked withheld."""
        if not self.responses:
            return None
        if outside and self.responses < MIN_ANSWERS_SHOWN:
            return {"responses": self.responses, "withheld": True}
        result: dict[str, Any] = {
            name: round(self.sums[name] / self.responses, 2) for name in SCORES
        }
        result["responses"] = self.responses
        return result

    def shown_outside(self) -> "Tally":
        """This tally as it may count in a figure seen outside its organisation: empty when
        it has fewer than MIN_ANSWERS_SHOWN answers."""
        return self if self.responses >= MIN_ANSWERS_SHOWN else Tally()


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
    comments the user may read. The city's people see every side, a supplier contact the
    city's and their own (not another supplier's at a joint meeting); a side's averages from
    fewer than MIN_ANSWERS_SHOWN answers are withheld from everyone outside it. Comments: the
    city's people read all, a supplier contact only their own side's (the city's candid notes
    stay internal)."""
    answers = PulseResponse.objects.filter(meeting=meeting)
    if not user.sees_portfolio:
        answers = answers.filter(Q(supplier_id__isnull=True) | Q(supplier_id=user.supplier_id))
    rows: Any = (
        answers.values("side", "supplier_id", "supplier__name")
        .annotate(responses=Count("pk"), **{name: Sum(name) for name in SCORES})
        .order_by(F("supplier__name").asc(nulls_first=True))
    )
    sides = []
    for row in rows:
        tally = Tally().add(row["responses"], **{name: row[name] for name in SCORES})
        label = row["supplier__name"] or Side(row["side"]).label
        own = row["supplier_id"] == (None if user.sees_portfolio else user.supplier_id)
        sides.append(
            {
                "label": label,
                "supplier_id": row["supplier_id"],
                **(tally.averages(outside=not own) or {}),
            }
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
    # The city's answers, and the supplier's own from MIN_ANSWERS_SHOWN of them (the city is
    # outside the supplier): another supplier's do not count.
    city_answered = PulseResponse.objects.filter(
        supplier_id__isnull=True, meeting_id=OuterRef("pk")
    )
    own_answers = (
        PulseResponse.objects.filter(supplier_id=OuterRef("supplier_id"), meeting_id=OuterRef("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Each supplier's two latest answered meetings, picked in the database. A meeting comes
    # once per contract the supplier has on it: grouping makes that one row.
    latest_two: Any = (
        Meeting.objects.filter(
            forum__cadence=Cadence.QUARTERLY,
            starts_at__lt=cutoff,
            starts_at__gte=cutoff - timedelta(days=365 * PULSE_WINDOW_YEARS),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(supplier_id=F("contracts__supplier_id"))
        .filter(supplier_id__isnull=False)
        .annotate(own_answers=Subquery(own_answers))
        .filter(Q(Exists(city_answered)) | Q(own_answers__gte=MIN_ANSWERS_SHOWN))
        .values("pk", "starts_at", "supplier_id")
        .annotate(contracts_on_it=Count("pk"))
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
        counted = own.shown_outside()
        both = Tally().add(city.responses, **city.sums).add(counted.responses, **counted.sums)
        entry = {
            "meeting_id": meeting_id,
            "date": starts_at.astimezone(zone).date(),
            **(both.averages() or {}),
            "sides": {"city": city.averages(), "supplier": own.averages(outside=True)},
        }
        if rank == 1:
            result[supplier_id] = {**entry, "previous": None}
        else:
            result[supplier_id]["previous"] = entry
    return result


HISTORY_LIMIT = 40  # ten years of quarters


def supplier_pulse_history(
    supplier: Supplier, viewer: User, now: datetime | None = None
) -> list[Meeting]:
    """The supplier's quarterly meetings held so far, newest first, each with the city's and
    the supplier's averages (None where nobody answered; withheld from the viewer when they are
    outside that side and it has fewer than MIN_ANSWERS_SHOWN answers). Two queries."""
    meetings = list(
        Meeting.objects.filter(
            forum__cadence=Cadence.QUARTERLY,
            contracts__supplier=supplier,
            starts_at__lte=now or timezone.now(),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("forum")
        .distinct()
        .order_by("-starts_at", "-pk")[:HISTORY_LIMIT]
    )
    tallies = _tallies([meeting.pk for meeting in meetings])
    for meeting in meetings:
        city = tallies.get((meeting.pk, None), Tally())
        own = tallies.get((meeting.pk, supplier.pk), Tally())
        meeting.city_pulse = city.averages(outside=not viewer.sees_portfolio)  # type: ignore[attr-defined]
        meeting.supplier_pulse = own.averages(outside=viewer.sees_portfolio)  # type: ignore[attr-defined]
    return meetings
