"""Reads of the relationship side, and what each of its sections on the contract and meeting
pages shows."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string

from governance.models import User
from meetings.models import Meeting, Minutes
from suppliers.models import Contract

from .forms import CityGoalForm, ExpectationForm, GoalForm, PulseForm
from .models import CityGoal, Expectation, Goal, GoalStatus, PulseResponse
from .pulse import may_answer, meeting_results, pulse_open

EXPECTATIONS_ON_PAGE = 10


def _with_last_change(goals: QuerySet[Any]) -> list[Any]:
    """The goals, each with when and by whom it last changed.

    Two queries whatever the number of goals: the goals (the last history row's date and
    user as subqueries) and the users named.
    """
    history = goals.model.history
    last_change = history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    rows = list(
        goals.annotate(
            last_changed_at=Subquery(last_change.values("history_date")[:1]),
            last_changed_by_id=Subquery(last_change.values("history_user_id")[:1]),
        )
    )
    user_ids = {goal.last_changed_by_id for goal in rows} - {None}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    for goal in rows:
        goal.last_changed_by = users.get(goal.last_changed_by_id)
    return rows


def goals_of(contract: Contract) -> list[Any]:
    """The contract's goals, each with the city-wide goal it serves and when and by whom it
    last changed."""
    return _with_last_change(Goal.objects.filter(contract=contract).select_related("city_goal"))


def city_target_picture() -> list[CityGoal]:
    """The city's current goals, each with how many contract goals serve it (`serving`) and
    how many of those were achieved (`achieved`): one query. What heads the key-supplier
    agendas and the dashboard."""
    return list(
        CityGoal.objects.current().annotate(
            serving=Count("contract_goals", filter=~Q(contract_goals__status=GoalStatus.DROPPED)),
            achieved=Count("contract_goals", filter=Q(contract_goals__status=GoalStatus.ACHIEVED)),
        )
    )


def agenda_heading(meeting: Meeting) -> list[CityGoal] | None:
    """The city's target picture that heads a quarterly key-supplier meeting's agenda (and its
    minutes while they are written); None for other meetings."""
    if not meeting.forum.is_key_supplier_meeting:
        return None
    return city_target_picture()


def target_picture_in_minutes(minutes: Minutes) -> str:
    """The city's target picture at the head of a quarterly key-supplier meeting's minutes
    PDF (meetings.pdf.MINUTES_HEADINGS), as it stands when the PDF is made; "" for other
    meetings, or while the city has none written down."""
    city_goals = agenda_heading(minutes.meeting)
    if not city_goals:
        return ""
    return render_to_string("relationship/target_picture.html#pdf", {"city_goals": city_goals})


def target_picture_page(user: User, **overrides: Any) -> dict[str, Any]:
    """The city's target picture page: its current goals, the retired ones, and for the city's
    managers the form to add one; overrides carry a bound form with its errors (city_goal_form,
    city_goal_edit_form with editing_city_goal)."""
    goals = _with_last_change(CityGoal.objects.visible_to(user))
    context: dict[str, Any] = {
        "can_manage": user.can_manage,
        "city_goals": [goal for goal in goals if not goal.is_retired],
        "retired_city_goals": [goal for goal in goals if goal.is_retired],
    }
    if user.can_manage:
        context["city_goal_form"] = CityGoalForm(prefix="city-goal")
    return context | overrides


def goals_section(contract: Contract, user: User, **overrides: Any) -> dict[str, Any]:
    """The target picture on the contract page; overrides carry a bound form with its errors
    (goal_form, goal_edit_form with editing_goal, goal_status_error)."""
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "goals": goals_of(contract),
        "goal_statuses": GoalStatus.choices,
    }
    if user.can_manage:
        context["goal_form"] = GoalForm(prefix="goal")
    return context | overrides


def expectations_section(contract: Contract, user: User, **overrides: Any) -> dict[str, Any]:
    """The latest calibrations on the contract page (the whole log has its own page)."""
    # One row more than shown tells whether the whole log has more.
    expectations = list(
        Expectation.objects.filter(contract=contract).select_related("meeting__forum")[
            : EXPECTATIONS_ON_PAGE + 1
        ]
    )
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "expectations": expectations[:EXPECTATIONS_ON_PAGE],
        "more_expectations": len(expectations) > EXPECTATIONS_ON_PAGE,
    }
    if user.can_manage:
        context["expectation_form"] = ExpectationForm(contract=contract)
    return context | overrides


def agreed_at(meeting: Meeting, user: User) -> list[Expectation]:
    """The calibrations agreed at a meeting, as far as the person may see them."""
    return list(
        Expectation.objects.visible_to(user).filter(meeting=meeting).select_related("contract")
    )


def pulse_section(
    meeting: Meeting, user: User, form: PulseForm | None = None, **extra: Any
) -> dict[str, Any]:
    """What the meeting page's pulse section needs; empty for a weekly meeting."""
    if not meeting.forum.is_key_supplier_meeting:
        return {}
    is_open = pulse_open(meeting)
    can_answer = is_open and may_answer(user, meeting)
    mine = PulseResponse.objects.filter(meeting=meeting, respondent=user).first()
    if can_answer and form is None:
        form = PulseForm(instance=mine)
    results = meeting_results(meeting, user) if is_open else {"sides": [], "comments": []}
    pulse = {
        "open": is_open,
        "can_answer": can_answer,
        "form": form if can_answer else None,
        "mine": mine,
        **results,
    }
    return {"meeting": meeting, "pulse": pulse, **extra}
