"""Issues across the levels: raising one (by a person or from a missed target), moving it up
or down with a reason, resolving it, and the timer that flags late ones at every level and
tells the level above."""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.history import stamp
from governance.languages import languages_for
from governance.models import (
    GovernanceLevel,
    Level,
    RoleHolder,
    Side,
    User,
    default_response_days,
)
from governance.outbox import email_message, enqueue_many
from suppliers.models import Contract

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
    raised it and tell the role holders of that level on both sides. Without a due date it is
    due when the level's response time has run."""
    contracts = list(contracts)
    now = timezone.now()
    issue = Issue(
        title=title,
        description=description,
        level=level,
        owner_name=owner_name,
        owner_organisation=owner_organisation,
        severity=severity,
        due_on=due_on or due_at_level(level=level, contracts=contracts, since=now),
        due_by_response_time=due_on is None,
        level_since=now,
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
    # A flag asks for this move; once moved, the new level's own response time applies.
    issue.flagged_at = None
    issue.level_since = event.at
    issue.due_on = due_at_level(level=issue.level, contracts=issue.contracts.all(), since=event.at)
    issue.due_by_response_time = True
    stamp(issue, by)
    issue.save(
        update_fields=["level", "flagged_at", "level_since", "due_on", "due_by_response_time"]
    )
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


class IssueClosed(Exception):
    """A resolved issue is a closed record: it takes no more comments."""


@transaction.atomic
def comment_on_issue(*, issue: Issue, text: str, by: User) -> IssueEvent:
    """A party's comment on an open issue, kept in its history for everyone who reads it."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.OPEN:
        raise IssueClosed
    return IssueEvent.objects.create(
        issue=issue,
        kind=EventKind.COMMENTED,
        from_level=issue.level,
        to_level=issue.level,
        reason=text,
        by=by,
    )


def response_days(*, level: str, contracts: Iterable[Any]) -> int:
    """The days an issue has at a level: the shortest response time its contracts give that
    level (a joint matter keeps the strictest), else the city's default."""
    levels = GovernanceLevel.objects.filter(level=level, contract__in=contracts).only(
        "level", "response_days"
    )
    return min((item.response_time for item in levels), default=default_response_days(level))


def due_at_level(*, level: str, contracts: Iterable[Any], since: datetime) -> date:
    """The date an issue arriving at a level at `since` is due there."""
    days = response_days(level=level, contracts=contracts)
    return timezone.localdate(since) + timedelta(days=days)


def retime_issues(*, governance_level: GovernanceLevel, by: User | None = None) -> int:
    """After a level's response time changed: the open issues at that level of that contract
    whose due date comes from the response time are due by the new one."""
    issues = Issue.objects.filter(
        status=IssueStatus.OPEN,
        level=governance_level.level,
        contracts=governance_level.contract_id,
        due_by_response_time=True,
    ).prefetch_related("contracts")
    changed = []
    for issue in issues:
        due_on = due_at_level(
            level=issue.level, contracts=issue.contracts.all(), since=issue.level_since
        )
        if due_on != issue.due_on:
            issue.due_on = due_on
            changed.append(issue)
    # One history row each: the issue's history shows its due date moved.
    for issue in changed:
        stamp(issue, by)
        issue.save(update_fields=["due_on"])
    return len(changed)


def flag_overdue_issues(*, today: date | None = None) -> int:
    """Flag each open issue that is past its due date at its level (plus the configured grace
    days) as late, once per arrival at a level: its history records it, the level's role
    holders on both sides are told, and so is the level above (at the business level, the
    city's role holder there)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ISSUE_ESCALATION_GRACE_DAYS)
    flagged = 0
    # An issue only about ended contracts has nobody left to tell: the relationship ended.
    late = (
        Issue.objects.filter(status=IssueStatus.OPEN, flagged_at__isnull=True, due_on__lt=cutoff)
        .filter(Exists(Contract.objects.not_ended().filter(issues=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    for pk in late:
        with transaction.atomic():
            issue = Issue.objects.select_for_update().get(pk=pk)
            # Re-checked under the lock: a second timer run, or a move meanwhile, skips it.
            if issue.flagged_at or issue.status != IssueStatus.OPEN:
                continue
            if issue.due_on is None or issue.due_on >= cutoff:
                continue
            issue.flagged_at = timezone.now()
            issue.save(update_fields=["flagged_at"])
            above = issue.level_above
            if above:
                reason = _(
                    "Past its due date (%(due)s) at the %(level)s: the %(above)s is told."
                ) % {
                    "due": issue.due_on.isoformat(),
                    "level": issue.get_level_display().lower(),
                    "above": Level(above).label.lower(),
                }
            else:
                reason = _(
                    "Past its due date (%(due)s) at the %(level)s: the city's role holder "
                    "there is told."
                ) % {"due": issue.due_on.isoformat(), "level": issue.get_level_display().lower()}
            event = IssueEvent.objects.create(
                issue=issue,
                kind=EventKind.FLAGGED,
                from_level=issue.level,
                to_level=issue.level,
                reason=reason,
            )
            told = notify_late(issue, event)
            notify_level(issue, event, leave_out=told)
            flagged += 1
    return flagged


def notify_late(issue: Issue, event: IssueEvent) -> set[str]:
    """E-mail the level above a late issue (its role holders on both sides; at the business
    level, the city's role holders there) in each one's language; returns who was told."""
    contracts = issue.contracts.all()
    above = issue.level_above
    if above:
        holders = RoleHolder.objects.people_at(above, contracts)
    else:
        holders = RoleHolder.objects.people_at(Level.BUSINESS, contracts).filter(side=Side.BUYER)
    people: dict[str, str] = {}
    for holder in holders:
        people.setdefault(holder.email.lower(), holder.name)
    context = {
        "issue": issue,
        "event": event,
        "above": Level(above).label if above else None,
        "meeting": next_meeting(issue),
        "link": settings.PORTAL_BASE_URL + issue.get_absolute_url(),
    }
    messages = []
    for email, language in languages_for(people).items():
        with translation.override(language):
            subject = _("Late at the %(level)s: %(title)s") % {
                "level": issue.get_level_display().lower(),
                "title": issue.title,
            }
            body = render_to_string(
                "escalations/email/late.txt", {**context, "name": people[email]}
            )
        messages.append(
            email_message(
                f"issue-late:{issue.pk}:event:{event.pk}:{email}",
                to=email,
                subject=subject,
                body=body,
            )
        )
    enqueue_many(messages)
    return set(people)


SUBJECTS = {
    EventKind.RAISED: _lazy("Raised at the %(level)s: %(title)s"),
    EventKind.ESCALATED: _lazy("Escalated to the %(level)s: %(title)s"),
    EventKind.DE_ESCALATED: _lazy("Handed back to the %(level)s: %(title)s"),
    EventKind.FLAGGED: _lazy("Past its due date at the %(level)s: %(title)s"),
}


def notify_level(issue: Issue, event: IssueEvent, leave_out: set[str] | None = None) -> None:
    """E-mail the role holders of the event's level, both sides, through the outbox (but not
    those in `leave_out`, who were told otherwise)."""
    holders = RoleHolder.objects.people_at(event.to_level, issue.contracts.all()).order_by("email")
    people: dict[str, str] = {}
    for holder in holders:
        if holder.email.lower() not in (leave_out or set()):
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
