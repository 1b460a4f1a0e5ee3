from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from governance.models import Level, RoleHolder
from governance.outbox import email_message, enqueue_many
from meetings.models import Meeting, MeetingStatus

from .models import EventKind, Issue, IssueEvent, IssueStatus


class CannotMove(Exception):
    """The issue cannot go that way (already at the top or bottom level, or resolved)."""


@transaction.atomic
def raise_issue(form, by):
    """Save a new issue from its form, record who raised it and tell the role holders of its
    level on both sides."""
    issue = form.save(commit=False)
    issue.created_by = by
    issue.save()
    form.save_m2m()
    event = IssueEvent.objects.create(
        issue=issue, kind=EventKind.RAISED, to_level=issue.level, by=by
    )
    notify_level(issue, event)
    return issue


def _move(issue, by, reason, kind, to_level):
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.OPEN or to_level(issue) is None:
        raise CannotMove
    event = IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        from_level=issue.level,
        to_level=to_level(issue),
        reason=reason,
        by=by,
    )
    issue.level = event.to_level
    # A flag asks for this move; once moved, a new level's own due date applies.
    issue.flagged_at = None
    issue.save(update_fields=["level", "flagged_at"])
    notify_level(issue, event)
    return issue


@transaction.atomic
def escalate(issue, by, reason):
    """Move the issue one level up with the reason, and tell that level's role holders on both
    sides; the next meeting of that level's forum lists it on its agenda."""
    return _move(issue, by, reason, EventKind.ESCALATED, lambda issue: issue.level_above)


@transaction.atomic
def de_escalate(issue, by, reason):
    """Hand the issue back one level down, with the reason."""
    return _move(issue, by, reason, EventKind.DE_ESCALATED, lambda issue: issue.level_below)


@transaction.atomic
def resolve(issue, by, reason):
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != IssueStatus.OPEN:
        raise CannotMove
    IssueEvent.objects.create(
        issue=issue, kind=EventKind.RESOLVED, from_level=issue.level, reason=reason, by=by
    )
    issue.status = IssueStatus.RESOLVED
    issue.save(update_fields=["status"])
    return issue


def next_meeting(issue, now=None):
    """The next planned meeting of a forum at the issue's level for one of its contracts."""
    return (
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            starts_at__gt=now or timezone.now(),
            forum__level=issue.level,
            forum__contracts__in=issue.contracts.all(),
        )
        .select_related("forum")
        .order_by("starts_at")
        .first()
    )


def flag_overdue_issues(today=None):
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
                % {"due": issue.due_on.isoformat()},
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


def notify_level(issue, event):
    """E-mail the role holders of the event's level, both sides, through the outbox."""
    holders = RoleHolder.objects.filter(
        governance_level__level=event.to_level, governance_level__contract__in=issue.contracts.all()
    ).order_by("email")
    people = {}
    for holder in holders:
        people.setdefault(holder.email.lower(), holder.name)
    meeting = next_meeting(issue)
    context = {
        "issue": issue,
        "event": event,
        "meeting": meeting,
        "link": settings.PORTAL_BASE_URL + issue.get_absolute_url(),
    }
    subject = str(SUBJECTS[event.kind]) % {
        "level": event.get_to_level_display().lower(),
        "title": issue.title,
    }
    enqueue_many(
        [
            email_message(
                f"issue:{issue.pk}:event:{event.pk}:{email}",
                to=email,
                subject=subject,
                body=render_to_string("escalations/email/moved.txt", {**context, "name": name}),
            )
            for email, name in people.items()
        ]
    )
