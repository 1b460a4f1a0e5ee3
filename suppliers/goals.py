"""The target picture (målbild): reads and writes for a contract's goals."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Goal


def goals_of(contract):
    """The contract's goals, each with when and by whom it last changed.

    Two queries whatever the number of goals: the goals (the last history row's date and
    user as subqueries) and the users named.
    """
    last_change = Goal.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    goals = list(
        Goal.objects.filter(contract=contract).annotate(
            last_changed_at=Subquery(last_change.values("history_date")[:1]),
            last_changed_by_id=Subquery(last_change.values("history_user_id")[:1]),
        )
    )
    user_ids = {goal.last_changed_by_id for goal in goals} - {None}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    for goal in goals:
        goal.last_changed_by = users.get(goal.last_changed_by_id)
    return goals


@transaction.atomic
def change_goal_status(goal, status):
    """Set a goal's status; the history records who changed it and when."""
    goal.status = status
    goal.save(update_fields=["status"])
    return goal
