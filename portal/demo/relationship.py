"""Demo data for the relationship side: the city's target picture (in Swedish, as the city
writes it), a target picture per contract whose goals serve it, two calibrations in the
expectations log and a pulse after the latest quarterly meeting held. Idempotent."""

from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from governance.models import Role, User
from meetings.models import Cadence, Meeting, MeetingStatus
from relationship.models import CityGoal, Expectation, Goal, GoalStatus
from relationship.services import answer_pulse
from suppliers.models import Contract

# The city's target picture: (title, what it looks like when we are there, years ahead).
CITY_GOALS = [
    (
        "Verksamheten märker inte IT-förändringar",
        "Stadens förvaltningar arbetar utan avbrott: förändringar planeras, meddelas i god tid "
        "och görs utanför arbetstid.",
        2,
    ),
    (
        "Leverantörerna samverkar mot stadens målbild",
        "Ett fel som berör flera leverantörer har en namngiven ansvarig inom en timme, "
        "oavsett i vems system det började.",
        1,
    ),
    (
        "Styrning som bygger på fakta",
        "Varje leverantör redovisar tillgänglighet och supportärenden i tid, så att "
        "kontraktsnivån beslutar på samma siffror.",
        1,
    ),
]

# A contract's goals: (title, description, status, index of the city-wide goal it serves).
GOALS = [
    (
        "Staff notice no planned maintenance",
        "Changes happen outside working hours, announced a week ahead, and nobody at the "
        "city's administrations has to stop working for them.",
        GoalStatus.PURSUING,
        0,
    ),
    (
        "Suppliers solve cross-supplier incidents together",
        "An incident that touches several suppliers has one named owner within an hour, "
        "whoever's system it started in.",
        GoalStatus.PURSUING,
        1,
    ),
    (
        "Monthly service report on time",
        "The service report reaches the city by the fifth working day of each month.",
        GoalStatus.ACHIEVED,
        2,
    ),
]

EXPECTATIONS = [
    (
        "Availability 99.7 % per month",
        "Planned maintenance announced at least five working days ahead does not count "
        "against availability; everything else does, including the night.",
    ),
    (
        "Priority 1 incidents resolved within 4 hours",
        "The clock starts when the service desk registers the ticket, not when the "
        "supplier's operations centre picks it up.",
    ),
]

# (trust, dialogue, delivery, comment) by side.
CITY_PULSE = [(3, 4, 3, "Good dialogue; the storage outages still cost trust."), (4, 4, 3, "")]
SUPPLIER_PULSE = [(4, 4, 4, "Clear priorities from the city this quarter.")]


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def seed_relationship(references: list[str], stdout: Any = None) -> None:
    """Add the relationship demo data to the demo city's contracts (safe to run again)."""
    contracts = list(Contract.objects.filter(reference__in=references).select_related("supplier"))
    today = timezone.localdate()
    city_goals = [
        CityGoal.objects.get_or_create(
            title=title,
            defaults={
                "description": description,
                "target_date": today.replace(month=12, day=31) + relativedelta(years=years),
            },
        )[0]
        for title, description, years in CITY_GOALS
    ]
    _say(stdout, f"The city's target picture: {len(city_goals)} city-wide goals.")
    for contract in contracts:
        for half_years, (title, description, status, serves) in enumerate(GOALS, start=1):
            Goal.objects.get_or_create(
                contract=contract,
                title=title,
                defaults={
                    "description": description,
                    "status": status,
                    "target_date": today.replace(day=1) + relativedelta(months=6 * half_years),
                    "city_goal": city_goals[serves],
                },
            )
    _say(stdout, f"Target pictures for {len(contracts)} contracts.")

    recorder = User.objects.filter(role=Role.PROCUREMENT, is_active=True).order_by("pk").first()
    key_contract = next((c for c in contracts if c.supplier.is_key_supplier), None)
    if recorder and key_contract:
        held = (
            Meeting.objects.filter(forum__contracts=key_contract, starts_at__lte=timezone.now())
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at")
            .first()
        )
        for index, (requirement, calibration) in enumerate(EXPECTATIONS):
            Expectation.objects.get_or_create(
                contract=key_contract,
                requirement=requirement,
                defaults={
                    "calibration": calibration,
                    "agreed_on": held.starts_at.date() if held and index == 0 else today,
                    "meeting": held if index == 0 else None,
                    "recorded_by": recorder,
                },
            )
        _say(stdout, f"Two calibrations in the expectations log of {key_contract.reference}.")

    quarterly = (
        Meeting.objects.filter(forum__cadence=Cadence.QUARTERLY, starts_at__lte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("forum")
        .order_by("-starts_at")
        .first()
    )
    if quarterly is None:
        _say(stdout, "No quarterly meeting held yet: no pulse.")
        return
    if quarterly.pulse_responses.exists():
        return
    city = User.objects.filter(role__in=[Role.PROCUREMENT, Role.DIRECTOR], is_active=True).order_by(
        "pk"
    )
    for user, (trust, dialogue, delivery, comment) in zip(city, CITY_PULSE, strict=False):
        answer_pulse(
            meeting=quarterly,
            trust=trust,
            dialogue=dialogue,
            delivery=delivery,
            comment=comment,
            by=user,
        )
    supplier_ids = quarterly.contracts.values("supplier_id")
    contacts = User.objects.filter(
        role=Role.SUPPLIER_CONTACT, is_active=True, supplier_id__in=supplier_ids
    ).order_by("pk")
    for user in contacts:
        trust, dialogue, delivery, comment = SUPPLIER_PULSE[0]
        answer_pulse(
            meeting=quarterly,
            trust=trust,
            dialogue=dialogue,
            delivery=delivery,
            comment=comment,
            by=user,
        )
    _say(stdout, f"Pulse answers for {quarterly}.")
