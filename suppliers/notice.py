"""Notice deadlines between the meetings: the city's decision for each term (renew, let it
run, terminate), the snooze, and the e-mail alerts to the contract level's role holders on
the city's side at NOTICE_ALERT_DAYS before the deadline (then weekly after the last one)
until a decision for the term is recorded."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.history import stamp
from governance.languages import languages_for
from governance.models import Level, OutboxMessage, RoleHolder, Side, User
from governance.outbox import email_message, enqueue_many, one_line

from .models import Contract, ContractStatus, NoticeChoice, NoticeDecision, NoticeSnooze
from .services import change_contract_status

WEEK = 7


@dataclass
class Due:
    """A term whose alert stage is reached today (stage: its part of the outbox key)."""

    contract: Contract
    term_end: date
    deadline: date
    stage: str
    began: date


def alert_days() -> list[int]:
    """The days before a notice deadline an alert goes out, the earliest first."""
    return sorted({int(days) for days in settings.NOTICE_ALERT_DAYS}, reverse=True)


def alert_stage(deadline: date, today: date) -> tuple[str, date] | None:
    """The alert a deadline is at today and the day it began: the last threshold passed
    ("90"), after the last threshold the week since it ("30+2"); None before the first
    threshold and after the deadline."""
    days_left = (deadline - today).days
    thresholds = alert_days()
    if not thresholds or days_left < 0 or days_left > thresholds[0]:
        return None
    passed = min(days for days in thresholds if days >= days_left)
    if passed != thresholds[-1]:
        return str(passed), deadline - timedelta(days=passed)
    week = (passed - days_left) // WEEK
    began = deadline - timedelta(days=passed - week * WEEK)
    return (str(passed) if week == 0 else f"{passed}+{week}"), began


def next_alert_day(deadline: date, today: date) -> date:
    """The day after today the next alert is due: the next threshold, after the last one the
    next week, never past the deadline."""
    days_left = (deadline - today).days
    for days in alert_days():
        if days < days_left:
            return deadline - timedelta(days=days)
    stage = alert_stage(deadline, today)
    if stage is None:
        return deadline
    return min(stage[1] + timedelta(days=WEEK), deadline)


def snooze_limit(deadline: date, today: date) -> date:
    """The last day a snooze may run to: the next threshold's day, after the last threshold
    the deadline (the weekly alerts then are the portal's, and may be held back)."""
    days_left = (deadline - today).days
    for days in alert_days():
        if days < days_left:
            return deadline - timedelta(days=days)
    return deadline


def current_decision(contract: Contract, today: date | None = None) -> NoticeDecision | None:
    term_end = contract.current_term_end(today)
    if term_end is None:
        return None
    return contract.notice_decisions.filter(term_end=term_end).first()


def current_snooze(contract: Contract, today: date | None = None) -> NoticeSnooze | None:
    """The snooze holding this term's alerts back today, if any."""
    today = today or timezone.localdate()
    term_end = contract.current_term_end(today)
    if term_end is None:
        return None
    return contract.notice_snoozes.filter(term_end=term_end, until__gt=today).first()


def _open_term(contract: Contract, today: date) -> tuple[date, date]:
    """(term end, notice deadline) of an active contract's term still open to decide on."""
    term_end = contract.current_term_end(today)
    deadline = contract.notice_deadline(today)
    if contract.status != ContractStatus.ACTIVE or term_end is None or deadline is None:
        raise ValidationError(
            _("Only an active contract with an end date has a notice deadline to decide on.")
        )
    if deadline < today:
        raise ValidationError(_("This term's notice deadline has passed."))
    return term_end, deadline


@transaction.atomic
def decide_on_notice(
    *,
    contract: Contract,
    decision: str,
    note: str,
    by: User,
    decided_by: RoleHolder | None = None,
    today: date | None = None,
) -> NoticeDecision:
    """Record the city's decision for the current term, which stops its alerts. Terminate
    gives notice at once, with the business-level role holder who decided and the note as
    the reason (change_contract_status)."""
    today = today or timezone.localdate()
    term_end, _deadline = _open_term(contract, today)
    if contract.notice_decisions.filter(term_end=term_end).exists():
        raise ValidationError(_("A decision for this term is already recorded."))
    if decision == NoticeChoice.TERMINATE:
        try:
            change_contract_status(
                contract=contract,
                status=ContractStatus.TERMINATING,
                by=by,
                decided_by=decided_by,
                reason=note,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = dict(error.error_dict)
                if "reason" in errors:
                    errors["note"] = errors.pop("reason")
                raise ValidationError(errors) from error
            raise
    record = NoticeDecision(
        contract=contract,
        term_end=term_end,
        decision=decision,
        note=note.strip(),
        decided_by=by,
        decided_by_name=by.get_full_name() or by.email,
    )
    stamp(record, by)
    record.save()
    return record


@transaction.atomic
def snooze_notice_alerts(
    *, contract: Contract, until: date, by: User, today: date | None = None
) -> NoticeSnooze:
    """Hold the term's alerts back until `until` (after today, at most the next threshold's
    day or, after the last, the deadline), when the alert comes again."""
    today = today or timezone.localdate()
    term_end, deadline = _open_term(contract, today)
    latest = snooze_limit(deadline, today)
    if until <= today:
        raise ValidationError({"until": _("Choose a day after today.")})
    if until > latest:
        raise ValidationError(
            {
                "until": _("At the latest %(day)s, the next threshold's day or the deadline.")
                % {"day": latest.isoformat()}
            }
        )
    snooze = NoticeSnooze(contract=contract, term_end=term_end, until=until, by=by)
    stamp(snooze, by)
    snooze.save()
    return snooze


def send_notice_alerts(*, today: date | None = None) -> int:
    """Queue the alerts due today: one per threshold (and week after the last) and term, to
    each contract-level role holder of the city; none once the term's decision is recorded,
    none while snoozed, one again on the day a snooze ends. Idempotent by the outbox key
    notice-alert:<contract>:<term end>:<stage>:<e-mail>. Returns how many were queued."""
    today = today or timezone.localdate()
    due: list[Due] = []
    for contract in Contract.objects.filter(
        status=ContractStatus.ACTIVE, end_date__isnull=False
    ).select_related("supplier"):
        deadline = contract.notice_deadline(today)
        term_end = contract.current_term_end(today)
        if deadline is None or term_end is None:
            continue
        stage = alert_stage(deadline, today)
        if stage is not None:
            due.append(Due(contract, term_end, deadline, *stage))
    if not due:
        return 0
    pks = [alert.contract.pk for alert in due]
    decided = set(
        NoticeDecision.objects.filter(contract_id__in=pks).values_list("contract_id", "term_end")
    )
    snoozes: dict[tuple[int, date], NoticeSnooze] = {}
    for snooze in NoticeSnooze.objects.filter(contract_id__in=pks).order_by("at", "pk"):
        snoozes[(snooze.contract_id, snooze.term_end)] = snooze  # the latest wins
    alerts = []
    for alert in due:
        if (alert.contract.pk, alert.term_end) in decided:
            continue
        latest = snoozes.get((alert.contract.pk, alert.term_end))
        if latest is not None:
            if today < latest.until:
                continue
            if latest.until > alert.began:  # it ended within this stage: the alert comes again
                alert.stage = f"{alert.stage}~{latest.pk}"
        alerts.append(alert)
    messages = _alert_emails(alerts, today)
    sent = set(
        OutboxMessage.objects.filter(key__in=[message.key for message in messages]).values_list(
            "key", flat=True
        )
    )
    messages = [message for message in messages if message.key not in sent]
    enqueue_many(messages)  # ignores a key a run at the same moment wrote first
    return len(messages)


def _alert_emails(alerts: list[Due], today: date) -> list[Any]:
    holders = RoleHolder.objects.people_at(
        Level.CONTRACT, [alert.contract for alert in alerts]
    ).select_related("governance_level")
    people: dict[int, dict[str, str]] = {}
    for holder in holders:
        if holder.side == Side.BUYER:
            contract_pk = holder.governance_level.contract_id
            people.setdefault(contract_pk, {}).setdefault(holder.email.lower(), holder.name)
    languages = languages_for({email for found in people.values() for email in found})
    messages = []
    for alert in alerts:
        contract, term_end, deadline = alert.contract, alert.term_end, alert.deadline
        context = {
            "contract": contract,
            "deadline": deadline,
            "term_end": term_end,
            "days": (deadline - today).days,
            "link": settings.PORTAL_BASE_URL + contract.get_absolute_url() + "#notice",
        }
        for email, name in people.get(contract.pk, {}).items():
            with translation.override(languages[email]):
                subject = _("Notice deadline %(deadline)s: %(reference)s %(title)s") % {
                    "deadline": deadline.isoformat(),
                    "reference": contract.reference,
                    "title": contract.title,
                }
                body = render_to_string(
                    "suppliers/email/notice_alert.txt", {**context, "name": name}
                )
            messages.append(
                email_message(
                    f"notice-alert:{contract.pk}:{term_end.isoformat()}:{alert.stage}:{email}",
                    to=email,
                    subject=one_line(subject),
                    body=body,
                )
            )
    return messages
