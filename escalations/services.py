"""Issues across the levels: raising one (by a person or from a missed target), moving it up
or down with a reason, resolving it, and the timer that flags overdue ones."""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.history import stamp
from governance.languages import languages_for
from governance.models import Level, RoleHolder, User
from governance.outbox import email_message, enqueue_many

from .models import EventKind, Issue, IssueEvent, IssueStatus, Severity


class CannotMove(Exception):
    """The issue cannot go that way (already at the top or bottom level, or resolved)."""


# Which meeting an issue goes to next is the meetings app's to say (one floor up): it hands
# its finder over when Django starts (meetings.apps). Until then, no meeting is named.
NextMeetingFinder = Callable[[Issue, datetime | None], Any]
_next_meeting_finder: NextMeetingFinder = lambda issue, now: None  # noqa: E731


def find_next_meeting_with(finder: NextMeetingFinder) -> None:
    global _next_meeting_finder
    _next_meeting_finder = finder


def next_meeting(issue: Issue, now: datetime | None = None) -> Any:
    """The next planned meeting of a forum at the issue's level for one of its contracts."""
    return _next_meeting_finder(issue, now)


@transaction.atomic
def raise_issue(
    *,
    title: str,
    contracts: Iterable[Any],
    owner_name: str,
    owner_organisation: str,
    by: User,
    description: str = "",
    level: str = Level.OPERATIONAL,
    severity: str = Severity.MEDIUM,
    due_on: date | None = None,
    reason: str = "",
) -> Issue:
    """Raise an issue at a level (a person, or breach detection with its reason), record who
    raised it and tell the role holders of that level on both sides."""
    issue = Issue(
        title=title,
        description=description,
        level=level,
        owner_name=owner_name,
        owner_organisation=owner_organisation,
        severity=severity,
        due_on=due_on,
        created_by=by,
    )
    stamp(issue, by)
    issue.save()
    issue.contracts.set(contracts)
    event = IssueEvent.objects.create(
        issue=issue, kind=EventKind.RAISED, to_level=issue.level, reason=reason, by=by
    )
    notify_level(issue, event)
    return issue


def _move(
    issue: Issue,
    by: User,
    reason: str,
    kind: EventKind,
    to_level: Callable[[Issue], str | None],
) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    level = to_level(issue)
    if issue.status != IssueStatus.OPEN or level is None:
        raise CannotMove
    event = IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        from_level=issue.level,
        to_level=level,
        reason=reason,
        by=by,
    )
    issue.level = event.to_level
    # A flag asks for this move; once moved, a new level's own due date applies.
    issue.flagged_at = None
    stamp(issue, by)
    issue.save(update_fields=["level", "flagged_at"])
    notify_level(issue, event)
    return issue


@transaction.atomic
def escalate(*, issue: Issue, reason: str, by: User) -> Issue:
    """Move the issue one level up with the reason, and tell that level's role holders on both
    sides; the next meeting of that level's forum lists it on its agenda."""
    return _move(issue, by, reason, EventKind.ESCALATED, lambda issue: issue.level_above)


@transaction.atomic
def de_escalate(*, issue: Issue, reason: str, by: User) -> Issue:
    """Hand the issue back one level down, with the reason."""
    return _move(issue, by, reason, EventKind.DE_ESCALATED, lambda issue: issue.level_below)


@transaction.atomic
def resolve(*, issue: Issue, reason: str, by: User) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.OPEN:
        raise CannotMove
    IssueEvent.objects.create(
        issue=issue, kind=EventKind.RESOLVED, from_level=issue.level, reason=reason, by=by
    )
    issue.status = IssueStatus.RESOLVED
    stamp(issue, by)
    issue.save(update_fields=["status"])
    return issue


def flag_overdue_issues(*, today: date | None = None) -> int:
    """Flag each open operational issue that is past its due date (plus the configured grace
    days) for escalation, once, and tell the operational role holders on both sides."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ISSUE_ESCALATION_GRACE_DAYS)
    flagged = 0
    overdue = Issue.objects.filter(
        status=IssueStatus.OPEN,
        level=Level.OPERATIONAL,
        flagged_at__isnull=True,
        due_on__lt=cutoff,
    ).values_list("pk", flat=True)
    for pk in overdue:
        with transaction.atomic():
            issue = Issue.objects.select_for_update().get(pk=pk)
            # Re-checked under the lock: a second timer run, or a move meanwhile, skips it.
            if issue.flagged_at or issue.status != IssueStatus.OPEN:
                continue
            if issue.level != Level.OPERATIONAL:
                continue
            issue.flagged_at = timezone.now()
            issue.save(update_fields=["flagged_at"])
            event = IssueEvent.objects.create(
                issue=issue,
                kind=EventKind.FLAGGED,
                from_level=issue.level,
                to_level=issue.level,
                reason=_("Past its due date (%(due)s) and still open at the operational level.")
                % {"due": issue.due_on.isoformat() if issue.due_on else ""},
            )
            notify_level(issue, event)
            flagged += 1
    return flagged


SUBJECTS = {
    EventKind.RAISED: _lazy("Raised at the %(level)s: %(title)s"),
    EventKind.ESCALATED: _lazy("Escalated to the %(level)s: %(title)s"),
    EventKind.DE_ESCALATED: _lazy("Handed back to the %(level)s: %(title)s"),
    EventKind.FLAGGED: _lazy("Past its due date, to escalate from the %(level)s: %(title)s"),
}


def notify_level(issue: Issue, event: IssueEvent) -> None:
    """E-mail the role holders of the event's level, both sides, through the outbox."""
    holders = RoleHolder.objects.people_at(event.to_level, issue.contracts.all()).order_by("email")
    people: dict[str, str] = {}
    for holder in holders:
        people.setdefault(holder.email.lower(), holder.name)
    meeting = next_meeting(issue)
    context = {
        "issue": issue,
        "event": event,
        "meeting": meeting,
        "link": settings.PORTAL_BASE_URL + issue.get_absolute_url(),
    }
    messages = []
    for email, language in languages_for(people).items():
        with translation.override(language):
            subject = str(SUBJECTS[EventKind(event.kind)]) % {
                "level": event.get_to_level_display().lower(),
                "title": issue.title,
            }
            body = render_to_string(
                "escalations/email/moved.txt", {**context, "name": people[email]}
            )
        messages.append(
            email_message(
                f"issue:{issue.pk}:event:{event.pk}:{email}", to=email, subject=subject, body=body
            )
        )
    enqueue_many(messages)
