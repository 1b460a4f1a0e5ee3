"""The weekly digest: one e-mail a week per person (Monday morning, beat) of what is theirs.

Their open actions, the open issues they raised or that sit at a level where they hold a role,
the notice deadlines of their contracts within DIGEST_NOTICE_DAYS, their meetings of the coming
week, and the e-mails they asked to get here instead of at once (governance.HeldEmail). Every
read starts from visible_to(person): a supplier's contact is never told another supplier's
things. It reads several apps, so it lives on the top floor.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from escalations.models import Issue, IssueStatus
from governance.models import HeldEmail, OutboxMessage, RoleHolder, User
from governance.notifications import DIGEST
from governance.outbox import email_message, enqueue_many
from meetings.models import Action, Meeting, MeetingStatus
from suppliers.models import Contract


@dataclass
class Digest:
    actions: list[Action] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    deadlines: list[tuple[date, Contract]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    held: list[HeldEmail] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.actions, self.issues, self.deadlines, self.meetings, self.held))


def digest_key(user: User, today: date) -> str:
    year, week, _weekday = today.isocalendar()
    return f"{DIGEST}:{user.pk}:{year}-W{week:02d}"


def digest_for(user: User, *, now: datetime | None = None) -> Digest:
    """What is the person's this week, as far as they may see it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    roles = list(
        RoleHolder.objects.filter(email=user.email).values_list(
            "governance_level__level", "governance_level__contract_id"
        )
    )
    at_their_levels = Q(created_by=user)
    for level, contract_id in roles:
        at_their_levels |= Q(level=level, contracts=contract_id)
    horizon = today + timedelta(days=settings.DIGEST_NOTICE_DAYS)
    contracts = (
        Contract.objects.visible_to(user)
        .running()
        .filter(pk__in=[contract_id for _level, contract_id in roles])
        .with_supplier()
    )
    deadlines = sorted(
        (
            (deadline, contract)
            for contract in contracts
            if (deadline := contract.notice_deadline(today)) and today <= deadline <= horizon
        ),
        key=lambda pair: (pair[0], pair[1].reference),
    )
    invited = Q(forum__chair=user) | Q(
        contracts__governance_levels__level=F("forum__level"),
        contracts__governance_levels__role_holders__email=user.email,
    )
    return Digest(
        actions=list(
            Action.objects.visible_to(user)
            .current()
            .open_now()
            .filter(owner=user)
            .select_related("minutes__meeting__forum")
            .order_by(F("due_on").asc(nulls_last=True), "pk")
        ),
        issues=list(
            Issue.objects.visible_to(user)
            .filter(status=IssueStatus.OPEN)
            .filter(at_their_levels)
            .order_by(F("due_on").asc(nulls_last=True), "pk")
        ),
        deadlines=deadlines,
        meetings=list(
            Meeting.objects.visible_to(user)
            .filter(status=MeetingStatus.PLANNED, starts_at__gte=now)
            .filter(starts_at__lt=now + timedelta(days=7))
            .filter(invited)
            .select_related("forum")
            .distinct()
            .order_by("starts_at")
        ),
        held=list(HeldEmail.objects.filter(user=user, digest_key="")),
    )


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """Queue this week's digest for each active person who has something in it; a person
    whose digest of this week is queued already is skipped (a rerun sends nothing twice).
    Returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = User.objects.filter(is_active=True, erased_at=None).select_related("supplier")
    queued = 0
    for user in people:
        key = digest_key(user, today)
        if OutboxMessage.objects.filter(key=key).exists():
            continue
        with transaction.atomic():
            digest = digest_for(user, now=now)
            if not digest:
                continue
            with translation.override(user.language):
                subject = _("Your week in the governance portal, week %(week)s") % {
                    "week": today.isocalendar()[1]
                }
                body = render_to_string("portal/email/digest.txt", _context(user, digest, today))
            enqueue_many([email_message(key, to=user.email, subject=subject, body=body)])
            HeldEmail.objects.filter(pk__in=[held.pk for held in digest.held]).update(
                digest_key=key
            )
            queued += 1
    return queued


def _context(user: User, digest: Digest, today: date) -> dict[str, Any]:
    base = settings.PORTAL_BASE_URL
    return {
        "name": user.get_full_name() or user.email,
        "digest": digest,
        "today": today,
        "horizon_days": settings.DIGEST_NOTICE_DAYS,
        "actions_link": base + reverse("meetings:action_list") + "?mine=1",
        "settings_link": base + reverse("notification_settings"),
        "base": base,
    }
