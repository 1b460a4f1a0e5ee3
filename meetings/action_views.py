from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .models import Action, ActionStatus, Forum


@login_required
def action_list(request):
    """The actions as each forum's latest minutes record them; `?overdue=1` and `?forum=<id>`
    narrow it (the dashboard links here)."""
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    forum = request.GET.get("forum", "")
    status = request.GET.get("status", ActionStatus.OPEN)
    actions = (
        Action.objects.visible_to(request.user)
        .current()
        .select_related("minutes__meeting__forum", "origin__minutes__meeting")
        .order_by("due_on", "pk")
    )
    if overdue:
        actions = actions.overdue(today)
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    if forum.isdigit():
        actions = actions.filter(minutes__meeting__forum_id=int(forum))
    context = {
        "actions": actions,
        "overdue": overdue,
        "forum": forum,
        "forums": Forum.objects.visible_to(request.user).only("pk", "name"),
        "status": status,
        "statuses": ActionStatus.choices,
        "today": today,
    }
    return render(request, "meetings/action_list.html", context)
