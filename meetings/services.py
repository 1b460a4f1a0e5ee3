import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from governance.history import stamp
from governance.languages import languages_for, speaking_to
from governance.models import OutboxKind, RoleHolder, Side, User
from governance.outbox import email_message, enqueue, enqueue_many, one_line
from suppliers.models import Contract, ContractStatus

from .figures import freeze_figures
from .ics import meeting_ics
from .models import (
    Action,
    ActionUpdate,
    AgendaProposal,
    Attendance,
    Forum,
    ItemKind,
    MandateGap,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesItem,
    MinutesPdf,
    ProposalStatus,
)
from .pdf import render_minutes_pdf
from .selectors import accepted_proposals, open_actions_before

HORIZON_WEEKS = 8
# Calendar e-mails are queued for at most this many meetings per transaction, soonest first:
# the reconcile sends the first batch itself, meetings.tasks.notify_meeting_changes the rest
# (a first fill of 600 forums is some 2,600 meetings, about 3 ms of rendering each).
NOTIFY_BATCH = 300


@transaction.atomic
def reconcile_meetings(
    *, now: datetime | None = None, horizon_weeks: int = HORIZON_WEEKS
) -> tuple[int, int]:
    """Make the planned meetings of the coming weeks match the forums' rules.

    Creates what is missing and cancels planned meetings that no rule asks for any more (a
    forum moved or stopped), then queues the calendar e-mails for what changed (the soonest
    NOTIFY_BATCH meetings; the notify task sends any others). Safe to run twice or at once:
    the unique (forum, starts_at) constraint turns a duplicate into a no-op.
    Returns (created, cancelled).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + timedelta(weeks=horizon_weeks)
    horizon_end = datetime.combine(last + timedelta(days=1), time.min, ZoneInfo(settings.TIME_ZONE))
    wanted = {}
    # A forum plans meetings only while one of its contracts has not ended.
    forums = Forum.objects.filter(
        is_active=True, contracts__in=Contract.objects.not_ended()
    ).distinct()
    for forum in forums:
        for day in forum.meeting_dates(today, last):
            starts_at = forum.starts_at(day)
            if starts_at > now:
                wanted[(forum.pk, starts_at)] = Meeting(
                    forum=forum,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=forum.duration_minutes),
                )
    upcoming = Meeting.objects.filter(starts_at__gt=now, starts_at__lt=horizon_end)
    existing = set(upcoming.values_list("forum_id", "starts_at"))
    missing = [meeting for key, meeting in wanted.items() if key not in existing]
    Meeting.objects.bulk_create(missing, ignore_conflicts=True)
    take_forum_contracts(meetings=upcoming.filter(contracts__isnull=True))
    unwanted = [
        pk
        for pk, forum_id, starts_at in upcoming.filter(status=MeetingStatus.PLANNED).values_list(
            "pk", "forum_id", "starts_at"
        )
        if (forum_id, starts_at) not in wanted
    ]
    # by=None: the portal cancelled them, because no forum rule asks for them any more. Only
    # while still planned: a reconcile running at the same moment (a doubled beat) may cancel
    # them first, and this update, which waits for that commit and then checks its condition
    # again, must not raise the sequence (and send every invitee a CANCEL) a second time.
    cancelled = Meeting.objects.filter(pk__in=unwanted, status=MeetingStatus.PLANNED).update(
        status=MeetingStatus.CANCELLED,
        sequence=F("sequence") + 1,
        cancelled_at=now,
        cancelled_by=None,
    )
    notify_meeting_changes(now=now)
    return len(missing), cancelled


def take_forum_contracts(*, meetings: QuerySet[Meeting]) -> None:
    """These meetings (not started yet) are for their forum's contracts as they are now. A
    contract added to a forum takes part from its next meeting on, and sees nothing of the
    forum's past; one taken off keeps the meetings it was on."""
    through = Meeting.contracts.through
    forum_of = dict(meetings.values_list("pk", "forum_id"))
    # Not an ended contract: ending takes it off its coming meetings (end_contract_meetings).
    contracts_of: dict[int, list[int]] = {}
    for forum, contract in (
        Forum.contracts.through.objects.filter(forum_id__in=set(forum_of.values()))
        .exclude(contract__status=ContractStatus.ENDED)
        .values_list("forum_id", "contract_id")
    ):
        contracts_of.setdefault(forum, []).append(contract)
    pairs = [
        (meeting, contract)
        for meeting, forum in forum_of.items()
        for contract in contracts_of.get(forum, [])
    ]
    through.objects.filter(meeting__in=meetings).delete()
    through.objects.bulk_create(
        [through(meeting_id=meeting, contract_id=contract) for meeting, contract in pairs]
    )


REMINDER_LEAD = timedelta(hours=24)
DETAIL_FIELDS = {"name", "mode", "dial_in", "location", "duration_minutes", "chair"}


class MinutesLocked(Exception):
    """The minutes are approved; only a correction (a new version) can change them."""


class NobodyPresent(Exception):
    """No attendance row is marked present: minutes of a meeting nobody attended record
    nothing, so they are not approved (nor the meeting marked held)."""


class MandateAbsent(Exception):
    """A key-supplier meeting's minutes without a party's mandate holder present, and no
    reason recorded for approving them anyway."""

    def __init__(self, gaps: list[MandateGap]):
        super().__init__(", ".join(gap.party for gap in gaps))
        self.gaps = gaps


class EditConflict(Exception):
    """Someone else saved the same row since the form was opened."""

    def __init__(self, current: Any) -> None:
        super().__init__("edit conflict")
        self.current = current


def _meeting_emails(batches: list[tuple[Meeting, str, dict[str, str], Any]]) -> list[Any]:
    """For each (meeting, kind, invitees as address -> name, attendees): one e-mail with the
    calendar file to each invitee, in their own language (one query for everyone's); a
    meeting's calendar file is made once for each language among its invitees."""
    languages = languages_for({email for _m, _k, people, _a in batches for email in people})
    messages = []
    for meeting, kind, people, attendees in batches:
        calendars: dict[str, str] = {}
        for email, name in people.items():
            language = languages[email]
            with translation.override(language):
                if language not in calendars:
                    calendars[language] = meeting_ics(meeting, attendees).decode()
                messages.append(_meeting_email(meeting, kind, email, name, calendars[language]))
    return messages


def _meeting_email(meeting: Meeting, kind: str, email: str, name: str, ics: str) -> Any:
    forum = meeting.forum
    context = {
        "meeting": meeting,
        "forum": forum,
        "name": name,
        "kind": kind,
        "link": settings.PORTAL_BASE_URL + meeting.get_absolute_url(),
    }
    local = timezone.localtime(meeting.starts_at)
    subjects = {
        "invitation": _("Invitation: %(forum)s, %(when)s"),
        "update": _("Updated: %(forum)s, %(when)s"),
        "cancel": _("Cancelled: %(forum)s, %(when)s"),
        "reminder": _("Reminder: %(forum)s, %(when)s"),
    }
    method = "CANCEL" if kind == "cancel" else "REQUEST"
    return email_message(
        f"meeting:{meeting.pk}:{kind}:{meeting.sequence}:{email}",
        to=email,
        subject=subjects[kind] % {"forum": forum.name, "when": f"{local:%Y-%m-%d %H:%M}"},
        body=render_to_string("meetings/email/meeting.txt", context),
        attachments=[(f"meeting-{meeting.pk}.ics", ics, f"text/calendar; method={method}")],
    )


@transaction.atomic
def notify_meeting_changes(*, now: datetime | None = None) -> int:
    """Queue the calendar e-mail for the coming meetings whose latest change is not sent yet,
    at most NOTIFY_BATCH of them, soonest first; returns how many meetings it handled.

    New meetings get an invitation, changed ones an update with the raised SEQUENCE, cancelled
    ones a CANCEL. A meeting created and cancelled before anyone heard of it sends nothing.
    """
    now = now or timezone.now()
    pending = list(
        Meeting.objects.filter(starts_at__gt=now)
        .filter(Q(notified_sequence__isnull=True) | Q(notified_sequence__lt=F("sequence")))
        .select_related("forum__chair")
        .order_by("starts_at", "pk")[:NOTIFY_BATCH]
    )
    attendees_of = Forum.default_attendees_of({meeting.forum for meeting in pending})
    invitees = {}
    batches = []
    sent_sequence: dict[
        int, list[int]
    ] = {}  # sequence -> meeting pks, written in one update per sequence
    for meeting in pending:
        if meeting.status == MeetingStatus.CANCELLED:
            kind = "cancel" if meeting.notified_sequence is not None else None
        else:
            kind = "invitation" if meeting.notified_sequence is None else "update"
        if kind:
            attendees = attendees_of[meeting.forum_id]
            if meeting.forum_id not in invitees:
                invitees[meeting.forum_id] = meeting.forum.invitees(attendees)
            people = invitees[meeting.forum_id]
            batches.append((meeting, kind, people, attendees))
        sent_sequence.setdefault(meeting.sequence, []).append(meeting.pk)
    for sequence, pks in sent_sequence.items():
        Meeting.objects.filter(pk__in=pks).update(notified_sequence=sequence)
    enqueue_many(_meeting_emails(batches))
    return len(pending)


@transaction.atomic
def queue_meeting_reminders(*, now: datetime | None = None) -> int:
    """Queue one reminder per invitee for the planned meetings of the next REMINDER_LEAD.

    Marking a meeting reminded and queueing its reminders commit together, or neither does.
    """
    now = now or timezone.now()
    due = list(
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD,
        ).select_related("forum__chair")
    )
    attendees_of = Forum.default_attendees_of({meeting.forum for meeting in due})
    batches = []
    for meeting in due:
        attendees = attendees_of[meeting.forum_id]
        batches.append((meeting, "reminder", meeting.forum.invitees(attendees), attendees))
    Meeting.objects.filter(pk__in=[meeting.pk for meeting in due]).update(reminded_at=now)
    messages = _meeting_emails(batches)
    enqueue_many(messages)
    return len(messages)


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, by: User | None, now: datetime | None = None) -> bool:
    """Cancel one coming meeting (a holiday, say): its invitees get a CANCEL, and reconcile
    never plans the slot again. The meeting keeps who cancelled it and when."""
    updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED).update(
        status=MeetingStatus.CANCELLED,
        sequence=F("sequence") + 1,
        cancelled_at=now or timezone.now(),
        cancelled_by=by,
    )
    notify_meeting_changes(now=now)
    return bool(updated)


@transaction.atomic
def end_contract_meetings(
    *, contract: Contract, by: User | None, now: datetime | None = None
) -> tuple[int, int]:
    """A contract is ending: each coming meeting that is for it alone is cancelled (its
    invitees get a CANCEL, as for any cancellation); a joint meeting that goes on for other
    contracts drops it, and the people invited only through it get a CANCEL of their own.
    Runs before the contract is marked ended, while its people are still invitees.
    Returns (cancelled, left)."""
    now = now or timezone.now()
    coming = list(
        Meeting.objects.filter(
            contracts=contract, status=MeetingStatus.PLANNED, starts_at__gt=now
        ).select_related("forum__chair")
    )
    through = Meeting.contracts.through
    joint = set(
        through.objects.filter(meeting__in=coming)
        .exclude(contract=contract)
        .exclude(contract__status=ContractStatus.ENDED)
        .values_list("meeting_id", flat=True)
    )
    cancelled = 0
    for meeting in coming:
        if meeting.pk not in joint:
            cancelled += cancel_meeting(meeting=meeting, by=by, now=now)
    left = [meeting for meeting in coming if meeting.pk in joint]
    enqueue_many(_leaving_emails(left, contract))
    through.objects.filter(meeting__in=left, contract=contract).delete()
    return cancelled, len(left)


def _leaving_emails(meetings: list[Meeting], contract: Contract) -> list[Any]:
    """A CANCEL for each person invited to these meetings only through `contract` (already
    told of the meeting), in their own language."""
    batches = []
    for meeting in meetings:
        if meeting.notified_sequence is None:
            continue  # nobody has heard of it yet
        forum = meeting.forum
        others = meeting.contracts.exclude(pk=contract.pk)
        staying = {forum.chair.email.lower()} | {
            holder.email.lower() for holder in RoleHolder.objects.people_at(forum.level, others)
        }
        leaving = {
            holder.email.lower(): holder
            for holder in RoleHolder.objects.people_at(forum.level, [contract])
            if holder.email.lower() not in staying
        }
        batches.append((meeting, leaving))
    languages = languages_for({email for _meeting, people in batches for email in people})
    messages = []
    for meeting, people in batches:
        for email, holder in people.items():
            with translation.override(languages[email]):
                ics = meeting_ics(meeting, [holder], cancelled=True).decode()
                messages.append(_meeting_email(meeting, "cancel", email, holder.name, ics))
    return messages


def on_contract_ending(
    sender: Any, *, contract: Contract, by: User | None, now: datetime, **kwargs: Any
) -> None:
    """Receiver of suppliers.signals.contract_ending (connected in meetings.apps)."""
    end_contract_meetings(contract=contract, by=by, now=now)


@transaction.atomic
def create_forum(
    *, contracts: Iterable[Any], by: User, now: datetime | None = None, **fields: Any
) -> tuple[Forum, int, int]:
    """Set up a meeting series and plan its coming meetings (their invitations go out).
    Returns the forum and how many meetings were planned and cancelled."""
    forum = Forum(**fields)
    stamp(forum, by)
    forum.save()
    forum.contracts.set(contracts)
    created, cancelled = reconcile_meetings(now=now)
    return forum, created, cancelled


@transaction.atomic
def update_forum(
    *, forum: Forum, contracts: Iterable[Any], by: User, now: datetime | None = None, **fields: Any
) -> tuple[Forum, int, int]:
    """Change a forum: the invitees of its coming meetings are told about changed details (an
    update with a raised SEQUENCE), and moved or stopped meetings are re-planned."""
    now = now or timezone.now()
    before = Forum.objects.get(pk=forum.pk)
    for name, value in fields.items():
        setattr(forum, name, value)
    stamp(forum, by)
    forum.save()
    forum.contracts.set(contracts)
    take_forum_contracts(meetings=forum.meetings.filter(starts_at__gt=now))
    if any(getattr(before, name) != getattr(forum, name) for name in DETAIL_FIELDS):
        Meeting.objects.filter(forum=forum, status=MeetingStatus.PLANNED, starts_at__gt=now).update(
            sequence=F("sequence") + 1,
            ends_at=F("starts_at") + timedelta(minutes=forum.duration_minutes),
        )
    created, cancelled = reconcile_meetings(now=now)
    return forum, created, cancelled


# Minutes


def _attendance_from_governance(minutes: Minutes, by: User) -> None:
    forum = minutes.meeting.forum
    rows = [
        Attendance(
            minutes=minutes,
            name=str(forum.chair),
            email=forum.chair.email,
            organisation=_("City"),
            side=Side.BUYER,
            role_title=_("Chair"),
        )
    ]
    seen = {forum.chair.email.lower()}
    for holder in forum.default_attendees():
        if holder.email.lower() in seen:
            continue
        seen.add(holder.email.lower())
        organisation = (
            holder.governance_level.contract.supplier.name
            if holder.side == Side.SUPPLIER
            else _("City")
        )
        rows.append(
            Attendance(
                minutes=minutes,
                name=holder.name,
                email=holder.email,
                organisation=organisation,
                side=holder.side,
                role_title=holder.role_title,
            )
        )
    bulk_create_with_history(rows, Attendance, default_user=by)


@transaction.atomic
def start_minutes(*, meeting: Meeting, by: User) -> Minutes:
    """Open the draft minutes: the template's standing items, the invitees as attendance, and
    the open actions of the forum's previous minutes carried onto the open-actions item."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_versions.exists():
        return meeting.current_minutes()
    minutes = Minutes.objects.create(meeting=meeting, number=1, created_by=by)
    with translation.override(meeting.forum.language):
        _start_in_the_forums_language(minutes, by)
    return minutes


def _start_in_the_forums_language(minutes: Minutes, by: User) -> None:
    """The standing items (the standard ones translated, meetings.agenda) and the attendance,
    written in the language the meeting is held in."""
    meeting = minutes.meeting
    # Created with their history rows: the record says who started the minutes from what.
    items = bulk_create_with_history(
        [
            MinutesItem(
                minutes=minutes,
                position=template_item.position,
                title=_(template_item.title),
                guidance=_(template_item.guidance) if template_item.guidance else "",
                kind=template_item.kind,
            )
            for template_item in meeting.forum.agenda_items()
        ],
        MinutesItem,
        default_user=by,
    )
    # Then the accepted proposals, in the order they were proposed.
    items += bulk_create_with_history(
        [
            _proposed_item(minutes, proposal, position)
            for position, proposal in enumerate(accepted_proposals(meeting), start=len(items) + 1)
        ],
        MinutesItem,
        default_user=by,
    )
    if not items:
        items = [MinutesItem.objects.create(minutes=minutes, position=1, title=_("Discussion"))]
    actions_item = next((item for item in items if item.kind == ItemKind.OPEN_ACTIONS), items[-1])
    bulk_create_with_history(
        [
            Action(
                minutes=minutes,
                item=actions_item,
                origin=action.first_recorded,
                description=action.description,
                owner_name=action.owner_name,
                owner_organisation=action.owner_organisation,
                owner_id=action.owner_id,
                due_on=action.due_on,
                # Where the owner left it between the meetings (the same when not updated).
                status=action.state,  # type: ignore[attr-defined]  # annotated
            )
            for action in open_actions_before(meeting)
        ],
        Action,
        default_user=by,
    )
    _attendance_from_governance(minutes, by)


def _proposed_item(minutes: Minutes, proposal: AgendaProposal, position: int) -> MinutesItem:
    """An accepted proposal as an item of the minutes: its title, and who proposed it (with
    what to discuss) as the item's guidance."""
    guidance = _("Proposed by %(who)s, %(organisation)s.") % {
        "who": proposal.proposed_by,
        "organisation": proposal.proposer_organisation(),
    }
    if proposal.description:
        guidance = f"{guidance} {proposal.description}"
    return MinutesItem(
        minutes=minutes,
        position=position,
        title=proposal.title,
        guidance=Truncator(guidance).chars(300),
    )


def _require_draft(minutes: Minutes) -> None:
    # The row lock queues an edit behind a concurrent approval, so the check cannot go stale;
    # the database trigger would refuse the write anyway.
    if Minutes.objects.select_for_update().get(pk=minutes.pk).is_approved:
        raise MinutesLocked


def _next_position(minutes: Minutes) -> int:
    last = minutes.items.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def add_item(*, minutes: Minutes, title: str, by: User | None) -> MinutesItem:
    _require_draft(minutes)
    item = MinutesItem(minutes=minutes, position=_next_position(minutes), title=title)
    stamp(item, by)
    item.save()
    return item


def _save_revised(row: Any, revision: int, by: User | None, **fields: Any) -> Any:
    """Optimistic locking: write only if the row is still at `revision`; else EditConflict.

    Saved through the model (not a queryset update) so its history records who changed what.
    """
    with transaction.atomic():
        # The draft's row lock also queues concurrent edits of its rows behind each other.
        _require_draft(row.minutes)
        current = type(row).objects.select_related("minutes").get(pk=row.pk)
        if current.revision == revision:
            for name, value in fields.items():
                setattr(current, name, value)
            current.revision += 1
            stamp(current, by)
            current.save(update_fields=[*fields, "revision"])
            return current
    raise EditConflict(current)


def save_item(
    *, item: MinutesItem, revision: int, notes: str, decisions: str, by: User
) -> MinutesItem:
    """Save an item's notes and decisions only if nobody saved it since `revision` was read."""
    return _save_revised(
        item,
        revision,
        by,
        notes=notes,
        decisions=decisions,
        updated_by=by,
        updated_at=timezone.now(),
    )


@transaction.atomic
def add_action(
    *,
    minutes: Minutes,
    item: MinutesItem | None,
    description: str,
    owner_name: str,
    owner_organisation: str,
    due_on: date | None,
    by: User | None,
) -> Action:
    _require_draft(minutes)
    action = Action(
        minutes=minutes,
        item=item,
        description=description,
        owner_name=owner_name,
        owner_organisation=owner_organisation,
        owner=owner_named(minutes, owner_name),
        due_on=due_on,
    )
    stamp(action, by)
    action.save()
    return action


def save_action(*, action: Action, revision: int, by: User | None, **fields: Any) -> Action:
    """Save an action's fields (or status) unless someone saved it since `revision` was read."""
    if "owner_name" in fields:
        fields["owner"] = owner_named(action.minutes, fields["owner_name"])
    return _save_revised(action, revision, by, **fields)


def owner_named(minutes: Minutes, owner_name: str) -> User | None:
    """The account of the person the minutes name as an action's owner: an attendee of these
    minutes by that name whose e-mail address has an active account (else None, and the
    owner stays a name only)."""
    name = " ".join(owner_name.split()).casefold()
    emails = [
        row.email.lower()
        for row in minutes.attendance.exclude(email="")
        if " ".join(row.name.split()).casefold() == name
    ]
    if len(set(emails)) != 1:
        return None  # nobody, or two people of that name: no guess
    return User.objects.filter(email=emails[0], is_active=True, erased_at=None).first()


class NotAllowed(Exception):
    """The person may not update this action between meetings."""


@transaction.atomic
def update_action(*, action: Action, status: str, comment: str, by: User) -> ActionUpdate:
    """An owner's (or procurement staff's) update of an open action between meetings: kept
    as an ActionUpdate against the row the forum's latest minutes hold, never changing
    approved minutes. Draft minutes that hold the action take the status at once."""
    current = (
        Action.objects.current()
        .filter(Q(pk=action.first_recorded.pk) | Q(origin=action.first_recorded))
        .select_related("minutes", "owner", "origin")
        .first()
    )
    if current is None or not current.may_be_updated_by(by):
        raise NotAllowed
    if not current.minutes.is_approved:
        _require_draft(current.minutes)
        current.status = status
        current.revision += 1
        stamp(current, by)
        current.save(update_fields=["status", "revision"])
    return ActionUpdate.objects.create(
        action=current, origin=current.first_recorded, status=status, comment=comment, by=by
    )


@transaction.atomic
def set_presence(*, row: Attendance, present: bool, by: User | None) -> Attendance:
    _require_draft(row.minutes)
    row.present = present
    stamp(row, by)
    row.save(update_fields=["present"])
    return row


@transaction.atomic
def add_attendee(
    *, minutes: Minutes, name: str, email: str, organisation: str, side: str, by: User | None
) -> Attendance:
    _require_draft(minutes)
    row = Attendance(
        minutes=minutes,
        name=name,
        email=email,
        organisation=organisation,
        side=side,
        role_title=_("Guest"),
        present=True,
    )
    stamp(row, by)
    row.save()
    return row


@transaction.atomic
def approve_minutes(
    *,
    minutes: Minutes,
    by: User,
    absent_mandate_reason: str = "",
    now: datetime | None = None,
) -> Minutes:
    """Approve (and so lock) a draft with its figures as they stand, mark the meeting held and
    queue the PDF for the archive. At a key-supplier meeting where a party's contract-level
    mandate holder was not present, only with a reason, kept with the minutes."""
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.is_approved:
        raise MinutesLocked
    if not minutes.attendance.filter(present=True).exists():
        raise NobodyPresent
    with translation.override(minutes.meeting.forum.language):
        gaps = minutes.mandate_gaps()
        absent = ", ".join(gap.party for gap in gaps)
    reason = absent_mandate_reason.strip()
    if gaps and not reason:
        raise MandateAbsent(gaps)
    minutes.absent_mandate = absent[:1000]
    minutes.absent_mandate_reason = reason if gaps else ""
    # Before the approval: the lock refuses any change to an approved version's items.
    freeze_figures(minutes, by)
    minutes.approved_at = now or timezone.now()
    minutes.approved_by = by
    minutes.approved_by_name = by.get_full_name() or by.email
    minutes.save(
        update_fields=[
            "approved_at",
            "approved_by",
            "approved_by_name",
            "absent_mandate",
            "absent_mandate_reason",
        ]
    )
    Meeting.objects.filter(pk=minutes.meeting_id).update(status=MeetingStatus.HELD)
    enqueue(OutboxKind.MINUTES_PDF, f"minutes-pdf:{minutes.pk}", {"minutes": minutes.pk})
    return minutes


@transaction.atomic
def start_correction(*, minutes: Minutes, reason: str, by: User) -> Minutes:
    """A new draft version copied from an approved one; the approved version stays untouched."""
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if not minutes.is_approved:
        raise ValueError("Only approved minutes are corrected; edit the draft instead.")
    draft = minutes.meeting.minutes_versions.filter(approved_at__isnull=True).first()
    if draft:
        return draft
    latest = minutes.meeting.minutes_versions.order_by("-number")[0]  # minutes is one of them
    correction = Minutes.objects.create(
        meeting=minutes.meeting,
        number=latest.number + 1,
        created_by=by,
        correction_reason=reason,
    )
    new_items: dict[int, MinutesItem] = {}
    for item in latest.items.all():
        old_pk = item.pk
        item.pk = None
        item.minutes = correction
        item.revision = 0
        item.save()
        new_items[old_pk] = item
    for action in latest.actions.all():
        action.pk = None
        action.minutes = correction
        action.item = new_items.get(action.item_id) if action.item_id else None
        action.revision = 0
        action.save()
    for row in latest.attendance.all():
        row.pk = None
        row.minutes = correction
        row.save()
    return correction


def add_comment(*, minutes: Minutes, body: str, by: User) -> MinutesComment:
    """A remark on a version from either side; not part of the locked record."""
    return MinutesComment.objects.create(minutes=minutes, author=by, body=body)


def minutes_pdf_attachment(pdf_id: int) -> tuple[str, bytes, str]:
    """A stored minutes PDF as an e-mail attachment (the outbox's loader for minutes_pdf)."""
    pdf = MinutesPdf.objects.select_related("minutes__meeting__forum").get(pk=pdf_id)
    return pdf.filename, bytes(pdf.content), "application/pdf"


def publish_minutes_pdf(payload: dict[str, Any]) -> MinutesPdf:
    """Outbox handler: render and store the version's PDF once, then queue it to the attendees.

    Runs in the outbox row's transaction: the PDF row, its e-mails and the row's "done" commit
    together, and the one-to-one key refuses a second PDF if a killed task runs again.
    """
    minutes = Minutes.objects.select_related("meeting__forum").get(pk=payload["minutes"])
    pdf = MinutesPdf.objects.filter(minutes=minutes).first()
    if pdf is None:
        content = render_minutes_pdf(minutes)
        pdf = MinutesPdf.objects.create(
            minutes=minutes, content=content, sha256=hashlib.sha256(content).hexdigest()
        )
    meeting = minutes.meeting
    context = {
        "minutes": minutes,
        "meeting": meeting,
        "forum": meeting.forum,
        "link": settings.PORTAL_BASE_URL + minutes.get_absolute_url(),
        "sha256": pdf.sha256,
    }
    local = timezone.localtime(meeting.starts_at)
    recipients = {row.email.lower(): row.name for row in minutes.attendance.all() if row.email}
    messages = []
    for email, language in languages_for(recipients).items():
        with translation.override(language):
            subject = _("Approved minutes: %(forum)s, %(when)s (version %(number)s)") % {
                "forum": meeting.forum.name,
                "when": f"{local:%Y-%m-%d}",
                "number": minutes.number,
            }
            body = render_to_string(
                "meetings/email/minutes.txt", {**context, "name": recipients[email]}
            )
        messages.append(
            email_message(
                f"minutes-mail:{minutes.pk}:{email}",
                to=email,
                subject=subject,
                body=body,
                minutes_pdf=pdf.pk,
            )
        )
    enqueue_many(messages)
    return pdf


# Agenda proposals


class ProposalsClosed(Exception):
    """The meeting takes no proposals (it started, its minutes started, or it was cancelled),
    or the proposal was decided already."""


@transaction.atomic
def propose_agenda_item(
    *, meeting: Meeting, title: str, description: str, by: User, now: datetime | None = None
) -> AgendaProposal:
    """Propose an item for a coming meeting's agenda; the forum's chair is told by e-mail."""
    meeting = Meeting.objects.select_for_update().select_related("forum__chair").get(pk=meeting.pk)
    if not meeting.takes_proposals(now):
        raise ProposalsClosed
    proposal = AgendaProposal(
        meeting=meeting,
        title=title,
        description=description,
        proposed_by=by,
        supplier_id=by.supplier_id if by.is_supplier_contact else None,
    )
    stamp(proposal, by)
    proposal.save()
    chair = meeting.forum.chair
    with speaking_to(chair.email):
        message = _proposal_email(
            proposal,
            key=f"agenda-proposal:{proposal.pk}",
            to=chair.email,
            subject=_("Agenda item proposed: %(title)s"),
            template="meetings/email/agenda_proposal.txt",
            name=str(chair),
        )
    enqueue_many([message])
    return proposal


@transaction.atomic
def decide_agenda_proposal(
    *, proposal: AgendaProposal, accept: bool, reason: str, by: User
) -> AgendaProposal:
    """The chair's decision on a proposal: accepted, it is on the agenda (and an item of the
    draft minutes if they have started); declined, with the reason. The proposer is told."""
    proposal = (
        AgendaProposal.objects.select_for_update(of=("self",))
        .select_related("meeting__forum", "proposed_by", "supplier")
        .get(pk=proposal.pk)
    )
    meeting = proposal.meeting
    if proposal.status != ProposalStatus.PROPOSED or meeting.status != MeetingStatus.PLANNED:
        raise ProposalsClosed
    draft = meeting.minutes_versions.filter(approved_at__isnull=True).first()
    if meeting.minutes_versions.exists() and draft is None:
        raise ProposalsClosed  # approved: a correction, not a proposal, changes them now
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.reason = "" if accept else reason
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    stamp(proposal, by)
    proposal.save()
    if accept and draft is not None:
        _require_draft(draft)
        with translation.override(meeting.forum.language):
            item = _proposed_item(draft, proposal, _next_position(draft))
        stamp(item, by)
        item.save()
    proposer = proposal.proposed_by
    with speaking_to(proposer.email):
        message = _proposal_email(
            proposal,
            key=f"agenda-decision:{proposal.pk}",
            to=proposer.email,
            subject=(
                _("Agenda item accepted: %(title)s")
                if accept
                else _("Agenda item declined: %(title)s")
            ),
            template="meetings/email/agenda_decision.txt",
            name=str(proposer),
        )
    enqueue_many([message])
    return proposal


def _proposal_email(
    proposal: AgendaProposal, *, key: str, to: str, subject: str, template: str, name: str
) -> Any:
    meeting = proposal.meeting
    context = {
        "proposal": proposal,
        "meeting": meeting,
        "forum": meeting.forum,
        "name": name,
        "link": f"{settings.PORTAL_BASE_URL}{meeting.get_absolute_url()}#proposals",
    }
    return email_message(
        key,
        to=to,
        subject=subject % {"title": proposal.title},
        body=render_to_string(template, context),
    )


# Reminders to action owners


def queue_action_reminders(*, today: date | None = None) -> int:
    """Remind each owner of an open action ACTION_REMINDER_DAYS before its due date, once,
    and when it is overdue: the day after, then every seven days. Each step's outbox key
    (action-reminder:…, action-overdue:…) makes a rerun harmless. Returns the e-mails queued."""
    today = today or timezone.localdate()
    lead = timedelta(days=settings.ACTION_REMINDER_DAYS)
    actions = (
        Action.objects.current()
        .open_now()
        .filter(
            owner__isnull=False,
            owner__is_active=True,
            due_on__isnull=False,
            due_on__lte=today + lead,
        )
        .select_related("owner", "minutes__meeting__forum")
    )
    messages = []
    for action in actions:
        owner = action.owner
        assert owner is not None and action.due_on is not None  # filtered above
        origin = action.origin_id or action.pk
        if action.due_on >= today:
            key = f"action-reminder:{origin}:{action.due_on}:{owner.pk}"
            template = "meetings/email/action_reminder.txt"
        else:
            step = (today - action.due_on - timedelta(days=1)).days // 7
            key = f"action-overdue:{origin}:{action.due_on}:{step}:{owner.pk}"
            template = "meetings/email/action_overdue.txt"
        context = {
            "action": action,
            "name": owner.get_full_name() or owner.email,
            "forum": action.minutes.meeting.forum,
            "days_late": (today - action.due_on).days,
            "link": settings.PORTAL_BASE_URL + action.get_absolute_url(),
        }
        with translation.override(owner.language):
            subject = (
                _("Action due %(due)s: %(action)s")
                if action.due_on >= today
                else _("Action overdue since %(due)s: %(action)s")
            ) % {"due": f"{action.due_on:%Y-%m-%d}", "action": one_line(action)}
            body = render_to_string(template, context)
        messages.append(email_message(key, to=owner.email, subject=subject, body=body))
    with transaction.atomic():
        enqueue_many(messages)
    return len(messages)
