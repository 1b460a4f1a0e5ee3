"""Writes of the governance model (levels, mandates and role holders) and of who may sign in."""

from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_create_with_history

from . import access_log
from .history import stamp
from .models import (
    CITY_ROLES,
    DEFAULT_MANDATES,
    LEVEL_ORDER,
    AccessEvent,
    AccessEventKind,
    GovernanceLevel,
    OutboxMessage,
    Role,
    RoleHolder,
    User,
    normalise_email,
)


def ensure_governance_levels(*, contract: Any, by: User | None = None) -> None:
    """Give a contract its three governance levels, with the standard mandates, once; the
    contract's history shows them added (by `by`, else the request's user, if any)."""
    existing = set(contract.governance_levels.values_list("level", flat=True))
    bulk_create_with_history(
        [
            GovernanceLevel(contract=contract, level=level, mandate=str(DEFAULT_MANDATES[level]))
            for level in LEVEL_ORDER
            if level not in existing
        ],
        GovernanceLevel,
        default_user=by,
    )


@transaction.atomic
def add_role_holder(
    *,
    governance_level: GovernanceLevel,
    side: str,
    role_title: str,
    name: str,
    email: str,
    phone: str = "",
    by: User,
) -> RoleHolder:
    """Name a person in a role at one level, on the city's or the supplier's side."""
    holder = RoleHolder(
        governance_level=governance_level,
        side=side,
        role_title=role_title,
        name=name,
        email=email.lower(),
        phone=phone,
    )
    stamp(holder, by)
    holder.save()
    return holder


@transaction.atomic
def remove_role_holder(*, holder: RoleHolder, by: User | None) -> None:
    """Remove a role holder, unless that leaves a running contract with a side unmanned."""
    governance_level = holder.governance_level
    contract = governance_level.contract
    if contract.is_running:
        others_on_side = (
            RoleHolder.objects.select_for_update()
            .filter(governance_level=governance_level, side=holder.side)
            .exclude(pk=holder.pk)
        )
        if not others_on_side.exists():
            raise ValidationError(
                _(
                    "%(name)s is the only %(side)s role holder at the %(level)s of a running "
                    "contract. Name a successor before removing them."
                ),
                params={
                    "name": holder.name,
                    "side": holder.get_side_display().lower(),
                    "level": governance_level.get_level_display().lower(),
                },
            )
    stamp(holder, by)
    holder.delete()


@transaction.atomic
def change_mandate(*, governance_level: GovernanceLevel, mandate: str, by: User) -> None:
    """Rewrite what a level may decide; the history keeps the earlier wording."""
    governance_level.mandate = mandate
    stamp(governance_level, by)
    governance_level.save(update_fields=["mandate"])


# Sent inside the transaction when a level's response time changed: the escalations app (a
# floor up) moves the due dates of the open issues there (escalations.apps).
response_time_changed = Signal()


@transaction.atomic
def change_response_time(
    *, governance_level: GovernanceLevel, response_days: int | None, by: User
) -> None:
    """Set how many days an issue has at a level of a contract (None: the city's default);
    the open issues there that run on the response time are due by the new one."""
    governance_level.response_days = response_days
    stamp(governance_level, by)
    governance_level.save(update_fields=["response_days"])
    response_time_changed.send(sender=GovernanceLevel, governance_level=governance_level, by=by)


def deactivate_user(*, user: User, by: User | None) -> None:
    """The person can no longer sign in, and their open sessions end with it: each request
    loads its person through governance.auth.PortalBackend, which refuses an inactive one.
    No e-mail goes to them any more (governance.outbox.send_email). Their records stay."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        access_log.record(AccessEventKind.DEACTIVATED, email=user.email, person=user, by=by)


def reactivate_user(*, user: User, by: User) -> None:
    """The person can sign in again (their roles are not given back: name them again); not
    one whose data was erased, who has no address or password left to sign in with."""
    if not user.is_active and user.erased_at is None:
        user.is_active = True
        user.save(update_fields=["is_active"])
        access_log.record(AccessEventKind.REACTIVATED, email=user.email, person=user, by=by)


def change_role(*, user: User, role: str, by: User) -> None:
    """Gives one of the city's staff another of the city's roles (in the access log). An
    administrator is also the admin's staff and superuser; the other roles are neither. A
    supplier's contact keeps theirs: their role is their supplier (the views refuse)."""
    if role == user.role or user.role not in CITY_ROLES or role not in CITY_ROLES:
        return
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    access_log.record(AccessEventKind.ROLE_CHANGED, email=user.email, person=user, by=by)


def leave_role_holder_slots(*, email: str, contracts: Any, by: User | None) -> int:
    """Take the person with this address off every role-holder slot of these contracts, the
    only holder of a running contract's side included: someone who left holds no role, and
    the governance model then shows it as missing. Returns how many slots they held."""
    address = normalise_email(email)
    holders = [
        holder
        for holder in RoleHolder.objects.filter(governance_level__contract__in=contracts)
        if normalise_email(holder.email) == address
    ]
    for holder in holders:
        stamp(holder, by)
        holder.delete()
    return len(holders)


OUTBOX_KEPT_DAYS = 90


def purge_old_records(*, now: datetime | None = None) -> dict[str, int]:
    """Delete access-log rows (ours and django-axes's) older than ACCESS_LOG_DAYS, outbox rows
    sent (or given up on) more than OUTBOX_KEPT_DAYS ago (what was sent to whom) and, when
    HISTORY_DAYS is set, history rows older than that: personal data is kept no longer than it
    serves. Returns how many of each."""
    now = now or timezone.now()
    access_cutoff = now - timedelta(days=settings.ACCESS_LOG_DAYS)
    access_events, _kinds = AccessEvent.objects.filter(at__lt=access_cutoff).delete()
    # django-axes's own records of sign-ins and failed ones (its lockout counts among them).
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(attempt_time__lt=access_cutoff).delete()
    outbox_cutoff = now - timedelta(days=OUTBOX_KEPT_DAYS)
    outbox_rows, _kinds = OutboxMessage.objects.filter(
        Q(done_at__lt=outbox_cutoff) | Q(failed_at__lt=outbox_cutoff)
    ).delete()
    history_rows = 0
    if settings.HISTORY_DAYS:
        history_cutoff = now - timedelta(days=settings.HISTORY_DAYS)
        for model in history_models():
            deleted, _kinds = model._default_manager.filter(
                history_date__lt=history_cutoff
            ).delete()
            history_rows += deleted
    return {
        "access_events": access_events,
        "outbox_messages": outbox_rows,
        "history_rows": history_rows,
    }


def history_models() -> list[Any]:
    """Every app's simple-history table, found in the app registry (not by importing the apps
    above this one)."""
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]
