"""Forums (the meeting series), a meeting's calendar file and cancellation. The meeting page
itself is the portal's (it shows the minutes, the pulse and what was agreed)."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.access import manager_required, require_manager
from governance.forms import id_from_query
from governance.htmx import PortalRequest, section
from governance.models import User
from suppliers.models import Contract

from . import services
from .forms import ActionUpdateForm, DecisionForm, ForumForm, ProposalForm
from .ics import meeting_ics
from .models import (
    Action,
    ActionStatus,
    AgendaProposal,
    Forum,
    Meeting,
    MeetingStatus,
    ProposalStatus,
)
from .selectors import action_history, proposals_for, visible_meeting

UPCOMING_LIMIT = 12
ACTION_PAGE = "meetings/action_detail.html"


@login_required
def forum_list(request: PortalRequest) -> HttpResponse:
    forums = (
        Forum.objects.visible_to(request.user)
        .select_related("chair")
        .prefetch_related(
            Prefetch("contracts", queryset=Contract.objects.select_related("supplier"))
        )
    )
    meetings = meetings_for(request.user)
    now = timezone.now()
    context = {
        "forums": forums,
        "upcoming": meetings.filter(starts_at__gte=now)[:UPCOMING_LIMIT],
        "recent": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:UPCOMING_LIMIT],
    }
    return render(request, "meetings/forum_list.html", context)


def _saved(request: PortalRequest, forum: Forum, created: int, cancelled: int) -> HttpResponse:
    messages.success(
        request,
        _("Forum saved. %(created)s meetings planned, %(cancelled)s cancelled.")
        % {"created": created, "cancelled": cancelled},
    )
    return redirect(forum)


@manager_required
def forum_create(request: PortalRequest) -> HttpResponse:
    form = ForumForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        return _saved(request, *services.create_forum(by=request.user, **fields))
    return render(request, "meetings/forum_form.html", {"form": form})


def _visible_forum(request: PortalRequest, pk: int) -> Forum:
    return get_object_or_404(Forum.objects.visible_to(request.user), pk=pk)


@login_required
def forum_detail(request: PortalRequest, pk: int) -> HttpResponse:
    forum = _visible_forum(request, pk)
    now = timezone.now()
    # A supplier sees the meetings its contracts were on, not the forum's past before it.
    meetings = Meeting.objects.visible_to(request.user).filter(forum=forum)
    recent = (
        meetings.filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=365))
        .with_minutes_state()
        .order_by("-starts_at")
    )
    context = {
        "forum": forum,
        "contracts": forum.contracts.select_related("supplier"),
        "attendees": forum.default_attendees(),
        "upcoming": meetings.filter(starts_at__gte=now)[:UPCOMING_LIMIT],
        "holiday_changes": (
            forum.holiday_changes(timezone.localdate(now)) if forum.is_active else []
        ),
        # ?past=year: the whole last year, which the dashboard's held/due figures count.
        "recent": recent if request.GET.get("past") == "year" else recent[:UPCOMING_LIMIT],
        "can_manage": request.user.can_manage,
    }
    return render(request, "meetings/forum_detail.html", context)


@login_required
def forum_edit(request: PortalRequest, pk: int) -> HttpResponse:
    forum = _visible_forum(request, pk)
    require_manager(request.user)
    form = ForumForm(request.POST if request.method == "POST" else None, instance=forum)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        return _saved(request, *services.update_forum(forum=forum, by=request.user, **fields))
    return render(request, "meetings/forum_form.html", {"form": form, "forum": forum})


@require_POST
@login_required
def meeting_cancel(request: PortalRequest, pk: int) -> HttpResponse:
    meeting = visible_meeting(request.user, pk)
    require_manager(request.user)
    if meeting.starts_at <= timezone.now() or meeting.minutes_versions.exists():
        messages.error(request, _("Only a coming meeting without minutes can be cancelled."))
    elif services.cancel_meeting(meeting=meeting, by=request.user):
        messages.success(request, _("Meeting cancelled. The invitees are sent a cancellation."))
    return redirect(meeting)


@login_required
def meeting_calendar(request: PortalRequest, pk: int) -> HttpResponse:
    meeting = visible_meeting(request.user, pk, "forum__chair")
    response = HttpResponse(
        meeting_ics(meeting, meeting.forum.default_attendees()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def filtered_actions(user: User, params: QueryDict) -> tuple[Any, dict[str, Any]]:
    """The action list's rows for a person and its filters (the page and its export)."""
    today = timezone.localdate()
    overdue = params.get("overdue") == "1"
    mine = params.get("mine") == "1"
    forum = params.get("forum", "")
    status = params.get("status", ActionStatus.OPEN)
    actions = (
        Action.objects.visible_to(user)
        .current()
        .with_latest_update()
        .select_related("minutes__meeting__forum", "origin__minutes__meeting")
        .order_by("due_on", "pk")
    )
    if overdue:
        actions = actions.overdue(today)
    elif status in ActionStatus.values:
        actions = actions.filter(state=status)
    if mine:
        actions = actions.filter(owner=user)
    if forum_id := id_from_query(forum):
        actions = actions.filter(minutes__meeting__forum_id=forum_id)
    filters = {"overdue": overdue, "mine": mine, "forum": forum, "status": status, "today": today}
    return actions, filters


def meetings_for(user: User) -> Any:
    """Every meeting a person sees, with its minutes' state (the meetings page lists the
    coming and recent ones; its export all of them)."""
    return Meeting.objects.visible_to(user).select_related("forum").with_minutes_state()


@login_required
def action_list(request: PortalRequest) -> HttpResponse:
    """The actions as each forum's latest minutes record them, with their owners' updates
    since; `?overdue=1`, `?forum=<id>` and `?mine=1` (the person's own) narrow it (the
    dashboard and the reminders link here)."""
    actions, filters = filtered_actions(request.user, request.GET)
    context = {
        "actions": actions,
        **filters,
        "forums": Forum.objects.visible_to(request.user).only("pk", "name"),
        "statuses": ActionStatus.choices,
    }
    return render(request, "meetings/action_list.html", context)


# Agenda proposals: a section of the meeting page (portal/meeting_detail.html) that htmx asks
# for, each person's own; as a page of its own without JavaScript.
PROPOSALS = "meetings/agenda_proposals.html"


def _proposals_section(
    request: PortalRequest, meeting: Meeting, *, done: bool = False, **overrides: Any
) -> HttpResponse:
    user = request.user
    proposals = proposals_for(meeting, user)
    deciding = user.can_manage and meeting.status == MeetingStatus.PLANNED
    context = {
        "meeting": meeting,
        "forum": meeting.forum,
        "open": meeting.takes_proposals(),
        "may_propose": user.may_contribute,
        "form": ProposalForm(),
        "rows": [
            (
                proposal,
                DecisionForm(proposal=proposal)
                if deciding and proposal.status == ProposalStatus.PROPOSED
                else None,
            )
            for proposal in proposals
        ],
        **overrides,
    }
    if "decision_form" in overrides:  # a refused decision: its errors on its own row
        refused = overrides["decision_form"]
        context["rows"] = [
            (proposal, refused if refused.prefix == f"proposal-{proposal.pk}" else form)
            for proposal, form in context["rows"]
        ]
    url = reverse("meetings:agenda_proposals", args=[meeting.pk]) + "#proposals"
    return section(request, PROPOSALS, context, done=url if done else None)


@login_required
def agenda_proposals(request: PortalRequest, pk: int) -> HttpResponse:
    return _proposals_section(request, visible_meeting(request.user, pk, "forum__chair"))


@require_POST
@login_required
def agenda_proposal_add(request: PortalRequest, pk: int) -> HttpResponse:
    meeting = visible_meeting(request.user, pk, "forum__chair")
    if not request.user.may_contribute:
        raise PermissionDenied
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _proposals_section(request, meeting, form=form)
    try:
        services.propose_agenda_item(
            meeting=meeting,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            by=request.user,
        )
    except services.ProposalsClosed:
        refusal = _("This meeting takes no more proposals: its minutes have started.")
        return _proposals_section(request, meeting, form=form, refusal=refusal)
    if not request.htmx:  # htmx shows it in the section
        messages.success(request, _("Proposed. The chair decides whether it goes on the agenda."))
    return _proposals_section(request, meeting, done=True, proposed=True)


@require_POST
@login_required
def agenda_proposal_decide(request: PortalRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        AgendaProposal.objects.visible_to(request.user).select_related("meeting__forum"), pk=pk
    )
    require_manager(request.user)
    meeting = proposal.meeting
    form = DecisionForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return _proposals_section(request, meeting, decision_form=form)
    try:
        services.decide_agenda_proposal(
            proposal=proposal,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except services.ProposalsClosed:
        refusal = _("This proposal was decided already, or the meeting is past proposals.")
        return _proposals_section(request, meeting, refusal=refusal)
    return _proposals_section(request, meeting, done=True)


def _visible_action(request: PortalRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.visible_to(request.user).select_related(
            "minutes__meeting__forum", "owner__supplier", "origin"
        ),
        pk=pk,
    )


def _action_context(request: PortalRequest, action: Action, form: Any = None) -> dict[str, Any]:
    current = (
        Action.objects.visible_to(request.user)
        .current()
        .filter(Q(pk=action.first_recorded.pk) | Q(origin=action.first_recorded))
        .with_latest_update()
        .select_related("minutes__meeting__forum", "owner__supplier", "origin")
        .first()
    )
    may_update = current is not None and current.may_be_updated_by(request.user)
    if may_update and form is None:
        form = ActionUpdateForm(initial={"status": current.state})
    return {
        "action": current or action,
        "current": current,
        "history": action_history(action, request.user),
        "may_update": may_update,
        "state_label": ActionStatus(current.state).label if current else "",
        "form": form if may_update else None,
        "today": timezone.localdate(),
    }


@login_required
def action_detail(request: PortalRequest, pk: int) -> HttpResponse:
    """One action: where it stands, its history (each minutes that recorded it and each update
    between meetings) and, for its owner, their supplier's contacts and procurement staff, a
    form to update it."""
    action = _visible_action(request, pk)
    return render(request, ACTION_PAGE, _action_context(request, action))


@require_POST
@login_required
def action_update(request: PortalRequest, pk: int) -> HttpResponse:
    action = _visible_action(request, pk)
    context = _action_context(request, action, ActionUpdateForm(request.POST))
    if not context["may_update"]:
        raise PermissionDenied
    form = context["form"]
    if not form.is_valid():
        # htmx swaps only a 2xx answer: there the section with its errors comes as one.
        return section(request, ACTION_PAGE, context, status=200 if request.htmx else 400)
    try:
        services.update_action(
            action=context["current"],
            status=form.cleaned_data["status"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except services.NotAllowed as refusal:
        raise PermissionDenied from refusal
    if not request.htmx:  # htmx shows it in the section it swaps
        messages.success(request, _("Your update is saved; the next minutes start from it."))
    context = {**_action_context(request, action), "saved": True}
    return section(request, ACTION_PAGE, context, done=reverse("meetings:action_detail", args=[pk]))
