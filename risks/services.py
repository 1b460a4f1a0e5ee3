"""Writes of the risk register: a risk raised and changed by the city's managers, comments
from both sides, a risk put on a coming meeting's agenda, and the owners' review reminders."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from escalations.models import Issue
from governance.history import stamp
from governance.languages import languages_for
from governance.models import User
from governance.outbox import email_message, enqueue_many
from meetings.models import Meeting, MeetingStatus
from meetings.services import ProposalsClosed as ProposalsClosed
from meetings.services import decide_agenda_proposal, propose_agenda_item
from suppliers.models import Contract

from .models import Risk, RiskAgendaItem, RiskComment

FIELDS = (
    "supplier",
    "contract",
    "title",
    "description",
    "likelihood",
    "impact",
    "owner_user",
    "owner_contact",
    "mitigation",
    "review_on",
    "status",
    "shared_with_supplier",
)


class NotShared(Exception):
    """The risk is the city's own: it goes on no meeting the supplier attends."""


def _linkable(risk: Risk, issues: Iterable[Issue]) -> list[Issue]:
    """Only issues of the risk's own supplier are linked (an issue of others is dropped)."""
    ids = [issue.pk for issue in issues]
    return list(
        Issue.objects.filter(pk__in=ids, contracts__supplier_id=risk.supplier_id).distinct()
    )


@transaction.atomic
def create_risk(*, by: User, issues: Iterable[Issue] = (), **fields: Any) -> Risk:
    """Record a risk in the register (checked by Risk.clean), with its linked issues."""
    risk = Risk(created_by=by, **{name: fields[name] for name in FIELDS if name in fields})
    risk.full_clean()
    stamp(risk, by)
    risk.save()
    risk.issues.set(_linkable(risk, issues))
    return risk


@transaction.atomic
def update_risk(
    *, risk: Risk, by: User, issues: Iterable[Issue] | None = None, **fields: Any
) -> Risk:
    """Change a risk; its history records who changed what."""
    for name in FIELDS:
        if name in fields:
            setattr(risk, name, fields[name])
    risk.full_clean()
    stamp(risk, by)
    risk.save()
    if issues is not None:
        risk.issues.set(_linkable(risk, issues))
    return risk


def add_comment(*, risk: Risk, body: str, by: User) -> RiskComment:
    comment = RiskComment(risk=risk, body=body, author=by)
    stamp(comment, by)
    comment.save()
    return comment


def coming_meetings(risk: Risk, now: Any = None) -> list[Meeting]:
    """The next meeting of each forum the risk may go on: planned, still taking proposals,
    with the risk's contract (or one of its supplier's) and no other supplier's."""
    now = now or timezone.now()
    contracts = (
        [risk.contract_id]
        if risk.contract_id
        else list(risk.supplier.contracts.values_list("pk", flat=True))
    )
    meetings = (
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            starts_at__gt=now,
            contracts__in=contracts,
            minutes_versions__isnull=True,
        )
        .exclude(contracts__in=Contract.objects.exclude(supplier_id=risk.supplier_id))
        .select_related("forum")
        .distinct()
        .order_by("starts_at", "pk")
    )
    first: dict[int, Meeting] = {}
    for meeting in meetings:
        first.setdefault(meeting.forum_id, meeting)
    return list(first.values())


@transaction.atomic
def put_on_agenda(*, risk: Risk, meeting: Meeting, by: User) -> RiskAgendaItem:
    """Propose the risk for a coming meeting's agenda; the forum's chair accepts or declines it
    as any proposal (the chair's own is accepted at once). Only a shared risk goes on the
    agenda of a meeting the supplier attends."""
    if not risk.shared_with_supplier:
        raise NotShared
    with translation.override(meeting.forum.language):
        title = Truncator(_("Risk: %(title)s") % {"title": risk.title}).chars(200)
        description = _(
            "Score %(score)s (likelihood %(likelihood)s, impact %(impact)s). %(link)s"
        ) % {
            "score": risk.score,
            "likelihood": risk.likelihood_label,
            "impact": risk.impact_label,
            "link": settings.PORTAL_BASE_URL + risk.get_absolute_url(),
        }
    proposal = propose_agenda_item(meeting=meeting, title=title, description=description, by=by)
    if meeting.forum.chair_id == by.pk:
        proposal = decide_agenda_proposal(proposal=proposal, accept=True, reason="", by=by)
    return RiskAgendaItem.objects.create(risk=risk, proposal=proposal)


def queue_review_reminders(*, today: date | None = None) -> int:
    """E-mail the owner of each risk that is due for review (not closed, its review date
    reached), once per review date: the outbox key names the date, so a rerun, or the next
    day's run, queues nothing new; a new review date is told again. Returns the e-mails queued."""
    today = today or timezone.localdate()
    risks = Risk.objects.due_for_review(today).select_related(
        "supplier", "contract", "owner_user", "owner_contact"
    )
    owners = {risk.pk: (risk.owner_email, risk.owner_name) for risk in risks}
    languages = languages_for({email for email, _name in owners.values() if email})
    messages = []
    for risk in risks:
        email, name = owners[risk.pk]
        if not email:
            continue
        context = {
            "risk": risk,
            "name": name,
            "link": settings.PORTAL_BASE_URL + risk.get_absolute_url(),
        }
        with translation.override(languages[email]):
            subject = _("Risk to review by %(date)s: %(title)s") % {
                "date": f"{risk.review_on:%Y-%m-%d}",
                "title": risk.title,
            }
            body = render_to_string("risks/email/review.txt", context)
        key = f"risk-review:{risk.pk}:{risk.review_on}:{email.lower()}"
        messages.append(email_message(key, to=email, subject=subject, body=body))
    with transaction.atomic():
        enqueue_many(messages)
    return len(messages)
