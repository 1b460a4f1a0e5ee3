"""Writes of the relationship side: the city's and each contract's target picture, the
expectations log and the pulse.
Each keeps its history (simple-history records who changed what and when)."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.history import stamp
from governance.models import Side, User
from meetings.models import Meeting
from suppliers.models import Contract

from .models import CityGoal, Expectation, Goal, GoalStatus, PulseResponse


@transaction.atomic
def add_city_goal(*, title: str, description: str, target_date: date | None, by: User) -> CityGoal:
    """Add a goal to the city's target picture."""
    goal = CityGoal(title=title, description=description, target_date=target_date)
    stamp(goal, by)
    goal.save()
    return goal


@transaction.atomic
def change_city_goal(*, goal: CityGoal, by: User, **fields: Any) -> CityGoal:
    """Change a city-wide goal's title, description or date; the history keeps the earlier."""
    for name, value in fields.items():
        setattr(goal, name, value)
    stamp(goal, by)
    goal.save()
    return goal


def retire_city_goal(*, goal: CityGoal, by: User) -> CityGoal:
    """Take a goal out of the city's target picture; contract goals keep their link to it."""
    return change_city_goal(goal=goal, retired_at=timezone.now(), by=by)


def reinstate_city_goal(*, goal: CityGoal, by: User) -> CityGoal:
    """Put a retired goal back into the city's target picture."""
    return change_city_goal(goal=goal, retired_at=None, by=by)


@transaction.atomic
def add_goal(
    *,
    contract: Contract,
    title: str,
    description: str,
    target_date: date | None,
    city_goal: CityGoal | None = None,
    by: User,
) -> Goal:
    """Add a part of the contract's target picture, optionally serving a city-wide goal; a new
    goal is being pursued."""
    goal = Goal(
        contract=contract,
        title=title,
        description=description,
        target_date=target_date,
        city_goal=city_goal,
    )
    stamp(goal, by)
    goal.save()
    return goal


@transaction.atomic
def change_goal(*, goal: Goal, by: User | None, **fields: Any) -> Goal:
    """Change a goal's title, description, date, city-wide goal or status."""
    for name, value in fields.items():
        setattr(goal, name, value)
    stamp(goal, by)
    goal.save()
    return goal


def change_goal_status(*, goal: Goal, status: GoalStatus | str, by: User | None) -> Goal:
    """Settle a goal (achieved, dropped) or pursue it again; the history says who and when."""
    return change_goal(goal=goal, status=status, by=by)


@transaction.atomic
def record_expectation(
    *,
    contract: Contract,
    agreed_on: date,
    requirement: str,
    calibration: str,
    meeting: Meeting | None,
    by: User,
) -> Expectation:
    """Log a calibration the parties agreed, with who recorded it."""
    expectation = Expectation(
        contract=contract,
        agreed_on=agreed_on,
        requirement=requirement,
        calibration=calibration,
        meeting=meeting,
        recorded_by=by,
    )
    stamp(expectation, by)
    expectation.save()
    return expectation


@transaction.atomic
def change_expectation(*, expectation: Expectation, by: User, **fields: Any) -> Expectation:
    """Correct a logged calibration; the history keeps what it said before."""
    for name, value in fields.items():
        setattr(expectation, name, value)
    stamp(expectation, by)
    expectation.save()
    return expectation


@transaction.atomic
def answer_pulse(
    *, meeting: Meeting, trust: int, dialogue: int, delivery: int, comment: str = "", by: User
) -> PulseResponse:
    """Save the person's one answer for the meeting; a second answer replaces the first."""
    response, _created = PulseResponse.objects.update_or_create(
        meeting=meeting,
        respondent=by,
        defaults={
            "side": Side.SUPPLIER if by.is_supplier_contact else Side.BUYER,
            "supplier_id": by.supplier_id if by.is_supplier_contact else None,
            "trust": trust,
            "dialogue": dialogue,
            "delivery": delivery,
            "comment": comment,
        },
    )
    return response
