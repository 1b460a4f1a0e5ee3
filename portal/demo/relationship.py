"""Demo data for the relationship side: a target picture per contract, two calibrations in
the expectations log and a pulse after the latest quarterly meeting held. Idempotent."""

from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from governance.models import Role, User
from meetings.models import Cadence, Meeting, MeetingStatus
from relationship.models import Expectation, Goal, GoalStatus
from relationship.services import answer_pulse
from suppliers.models import Contract

GOALS = [
    (
        "Staff notice no planned maintenance",
        "Changes happen outside working hours, announced a week ahead, and nobody at the "
        "city's administrations has to stop working for them.",
        GoalStatus.PURSUING,
    ),
    (
        "Suppliers solve cross-supplier incidents together",
        "An incident that touches several suppliers has one named owner within an hour, "
        "whoever's system it started in.",
        GoalStatus.PURSUING,
    ),
    (
        "Monthly service report on time",
        "The service report reaches the city by the fifth working day of each month.",
        GoalStatus.ACHIEVED,
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
    for contract in contracts:
        for half_years, (title, description, status) in enumerate(GOALS, start=1):
            Goal.objects.get_or_create(
                contract=contract,
                title=title,
                defaults={
                    "description": description,
                    "status": status,
                    "target_date": today.replace(day=1) + relativedelta(months=6 * half_years),
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
