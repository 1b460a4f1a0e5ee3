"""Reads of the meetings app that its views, the portal's meeting page and other apps share."""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from escalations.models import Issue
from governance.models import User

from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaProposal,
    Meeting,
    MeetingStatus,
    Minutes,
    ProposalStatus,
)


def open_actions_before(meeting: Meeting) -> list[Action]:
    """The open actions of the forum's latest earlier minutes: what the next agenda carries."""
    earlier = (
        Minutes.objects.filter(
            meeting__forum_id=meeting.forum_id, meeting__starts_at__lt=meeting.starts_at
        )
        .order_by("-meeting__starts_at", "-number")
        .first()
    )
    if earlier is None:
        return []
    # `state`: the status an owner gave it since (ActionUpdate), which the new row starts from.
    return list(
        earlier.actions.filter(status=ActionStatus.OPEN)
        .with_latest_update()
        .select_related("origin")
    )


def action_history(action: Action, user: User) -> list[Any]:
    """An action's record from its first minutes on, as far as the user may see it: each
    minutes row that recorded it and each update made between meetings, newest first, as
    (when, kind, row) triples."""
    origin = action.first_recorded
    rows = (
        Action.objects.visible_to(user)
        .filter(Q(pk=origin.pk) | Q(origin=origin))
        .select_related("minutes__meeting__forum")
        .order_by("-minutes__meeting__starts_at", "-minutes__number")
    )
    updates = ActionUpdate.objects.filter(origin=origin, action__in=rows).select_related(
        "by", "action__minutes"
    )
    entries: list[tuple[datetime, str, Any]] = [
        (row.minutes.meeting.starts_at, "minutes", row) for row in rows
    ]
    entries += [(update.at, "update", update) for update in updates]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return entries


def open_issues_for(meeting: Meeting, user: User) -> list[Issue]:
    """The open issues at the forum's level for the meeting's contracts, as far as the user
    may see them: escalated matters stay on each agenda of that level until resolved or moved."""
    return list(
        Issue.objects.visible_to(user)
        .open_at(meeting.forum.level, meeting.contracts.all())
        .only(
            "pk",
            "title",
            "severity",
            "owner_name",
            "owner_organisation",
            "due_on",
            "status",
            "level",
            "flagged_at",
        )
    )


def next_meeting_for(issue: Issue, now: datetime | None = None) -> Meeting | None:
    """The next planned meeting of a forum at the issue's level for one of its contracts."""
    return (
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            starts_at__gt=now or timezone.now(),
            forum__level=issue.level,
            contracts__in=issue.contracts.all(),
        )
        .select_related("forum")
        .order_by("starts_at")
        .first()
    )


def with_versions(meeting: Meeting) -> Meeting:
    """Load the meeting's minutes versions as the pages show them (not the PDFs' bytes)."""
    prefetch_related_objects(
        [meeting], Prefetch("minutes_versions", queryset=Minutes.objects.for_page())
    )
    return meeting


def visible_meeting(user: User, pk: int, *related: str) -> Any:
    """A meeting the person may see (else 404), with the related rows named."""
    return get_object_or_404(
        Meeting.objects.visible_to(user).select_related("forum", *related), pk=pk
    )


def accepted_proposals(meeting: Meeting) -> list[AgendaProposal]:
    """The proposals the chair accepted for the meeting: on its agenda after the standing
    items, and items of its minutes when they start."""
    return list(
        meeting.agenda_proposals.filter(status=ProposalStatus.ACCEPTED).select_related(
            "proposed_by", "supplier"
        )
    )


def proposals_for(meeting: Meeting, user: User) -> list[AgendaProposal]:
    """The meeting's proposals the person may see (a supplier: its own, and accepted ones)."""
    return list(
        AgendaProposal.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("proposed_by", "supplier", "decided_by")
    )
