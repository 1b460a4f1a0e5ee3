"""Writes of the governance model (levels, mandates and role holders) and of who may sign in."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_create_with_history

from . import access_log
from .history import stamp
from .languages import speaking_to
from .models import (
    CITY_ROLES,
    DEFAULT_MANDATES,
    LEVEL_ORDER,
    AccessEvent,
    AccessEventKind,
    GovernanceLevel,
    HeldEmail,
    Level,
    OutboxMessage,
    Role,
    RoleHolder,
    Side,
    SignOff,
    SignOffLink,
    SignOffRound,
    User,
    normalise_email,
    person_name,
)
from .outbox import email_message, enqueue_many, one_line


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


class Change:
    """What changed in a governance model, said in whichever language reads it (the page's,
    or each e-mail's recipient's)."""

    def __init__(self, text: Any, **params: Any) -> None:
        self.text = text
        self.params = params

    def __str__(self) -> str:
        return str(self.text) % {name: str(value) for name, value in self.params.items()}


@transaction.atomic
def add_role_holder(
    *,
    governance_level: GovernanceLevel,
    role_title: str,
    user: User | None = None,
    contact: Any = None,
    phone: str = "",
    by: User | None,
) -> RoleHolder:
    """Name a person in a role at one level: one of the city's active staff (`user`) on the
    city's side, or one of the contract's supplier's contacts (`contact`) on the supplier's.
    A model already signed off is reopened."""
    if (user is None) == (contact is None):
        raise ValidationError(_("Choose one person from the list."))
    if user is not None and not (user.is_active and user.role in CITY_ROLES):
        raise ValidationError(_("Only an active member of the city's staff holds a city role."))
    if contact is not None and contact.supplier_id != governance_level.contract.supplier_id:
        raise ValidationError(_("Only the contract's own supplier's contacts hold its roles."))
    holder = RoleHolder(
        governance_level=governance_level,
        side=Side.BUYER if user is not None else Side.SUPPLIER,
        role_title=role_title,
        user=user,
        contact=contact,
        name=person_name(user) if user is not None else contact.name,
        email=normalise_email(user.email if user is not None else contact.email),
        phone=phone or ("" if contact is None else contact.phone),
    )
    stamp(holder, by)
    holder.save()
    reopen_sign_off(
        contract=governance_level.contract,
        change=Change(
            gettext_lazy("%(level)s: %(name)s named as %(role)s"),
            level=Level(governance_level.level).label,
            name=holder.name,
            role=role_title,
        ),
        by=by,
    )
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
    leave_roles(holders=[holder], by=by)


@transaction.atomic
def change_mandate(*, governance_level: GovernanceLevel, mandate: str, by: User) -> None:
    """Rewrite what a level may decide; the history keeps the earlier wording. A model already
    signed off is reopened when the wording changed."""
    # As saved (a bound form has set the instance's field already).
    before = GovernanceLevel.objects.values_list("mandate", flat=True).get(pk=governance_level.pk)
    if before == mandate:
        return
    governance_level.mandate = mandate
    stamp(governance_level, by)
    governance_level.save(update_fields=["mandate"])
    reopen_sign_off(
        contract=governance_level.contract,
        change=Change(
            gettext_lazy("%(level)s: the mandate was rewritten"),
            level=Level(governance_level.level).label,
        ),
        by=by,
    )


@transaction.atomic
def leave_roles(*, holders: Iterable[RoleHolder], by: User | None) -> int:
    """Take these role holders off their roles; each contract whose model was signed off is
    reopened. The one way a role holder goes (removed, or the person left)."""
    holders = list(holders)
    left: dict[int, list[RoleHolder]] = {}
    for holder in holders:
        left.setdefault(holder.governance_level.contract_id, []).append(holder)
        stamp(holder, by)
        holder.delete()
    for changed in left.values():
        reopen_sign_off(
            contract=changed[0].governance_level.contract,
            change=Change(
                gettext_lazy("%(level)s: %(name)s no longer holds the role %(role)s"),
                level=Level(changed[0].governance_level.level).label,
                name=changed[0].name,
                role=changed[0].role_title,
            ),
            by=by,
        )
    return len(holders)


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
    # One of the city's staff who leaves leaves their roles (a supplier's contact holds theirs
    # as the contact, who leaves when removed from the supplier).
    leave_roles(
        holders=RoleHolder.objects.filter(user=user).select_related("governance_level"), by=by
    )


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
        for holder in RoleHolder.objects.filter(
            governance_level__contract__in=contracts
        ).select_related("governance_level")
        if normalise_email(holder.email) == address
    ]
    return leave_roles(holders=holders, by=by)


def keep_holders_in_step(*, person: Any) -> None:
    """A person's new name or address on the roles they hold (a User or a suppliers.Contact)."""
    if isinstance(person, User):
        holders = RoleHolder.objects.filter(user=person)
        name, email = person_name(person), person.email
    else:
        holders = RoleHolder.objects.filter(contact=person)
        name, email = person.name, person.email
    email = normalise_email(email)
    for holder in holders.exclude(name=name[:120], email=email):
        holder.name, holder.email = name[:120], email
        holder.save(update_fields=["name", "email"])


# Sign-off of the governance model ------------------------------------------------------------


def business_holders(contract: Any) -> list[RoleHolder]:
    """Who signs off a contract's governance model: its business-level role holders."""
    return list(
        RoleHolder.objects.people_at(Level.BUSINESS, [contract])
        .select_related("user", "contact__user", "governance_level")
        .order_by("side", "name", "pk")
    )


def _open_round(contract: Any, *, lock: bool = False) -> SignOffRound | None:
    rounds = SignOffRound.objects.filter(contract=contract, closed_at__isnull=True)
    if lock:
        rounds = rounds.select_for_update()
    return rounds.first()


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ask(
    sign_off_round: SignOffRound,
    holders: list[RoleHolder],
    *,
    by: User | None,
    change: Change | None = None,
) -> int:
    """E-mail each holder the request (or the news that a change reopened the sign-off): a
    link to the contract's page for one with an account, a single-use link for one without
    (each earlier link of theirs replaced). Returns how many were written to."""
    now = timezone.now()
    contract = sign_off_round.contract
    messages = []
    for holder in holders:
        if not holder.is_linked:
            continue  # a name typed before people were linked: named again, they can sign
        if holder.account is not None:
            link = settings.PORTAL_BASE_URL + contract.get_absolute_url() + "#sign-off"
            key = f"signoff:{sign_off_round.pk}:{holder.pk}:{secrets.token_hex(8)}"
            single_use = False
        else:
            SignOffLink.objects.filter(
                round__contract=contract,
                email=holder.email,
                used_at__isnull=True,
                superseded_at__isnull=True,
            ).update(superseded_at=now)
            token = secrets.token_urlsafe(32)
            sign_off_link = SignOffLink.objects.create(
                round=sign_off_round,
                holder=holder,
                side=holder.side,
                name=holder.name,
                email=holder.email,
                token_hash=hash_link_token(token),
                sent_by=by,
                created_at=now,
                expires_at=now + timedelta(hours=settings.SIGN_OFF_LINK_VALID_HOURS),
            )
            link = settings.PORTAL_BASE_URL + reverse("governance:sign_off_link", args=[token])
            key = f"signoff:link:{sign_off_link.pk}"
            single_use = True
        context = {
            "holder": holder,
            "contract": contract,
            "link": link,
            "single_use": single_use,
            "valid_hours": settings.SIGN_OFF_LINK_VALID_HOURS,
            "asked_by": by,
        }
        with speaking_to(holder.email):
            context["change"] = str(change) if change is not None else ""
            subject = one_line(
                (
                    _("The governance model of %(reference)s changed: sign it off again")
                    if change is not None
                    else _("Sign off the governance model of %(reference)s")
                )
                % {"reference": contract.reference}
            )
            body = render_to_string("governance/email/sign_off_request.txt", context)
        messages.append(email_message(key, to=holder.email, subject=subject, body=body))
    enqueue_many(messages)
    return len(messages)


@transaction.atomic
def request_sign_off(*, contract: Any, by: User | None) -> int:
    """Ask both sides' business-level role holders to sign off the governance model (again,
    for a side that has not yet: a new link replaces the old). Returns how many were asked."""
    missing = contract.missing_roles()
    if missing:
        raise ValidationError(
            _("Name every role first: %(count)s roles are not yet named."),
            params={"count": len(missing)},
        )
    sign_off_round = _open_round(contract, lock=True)
    if sign_off_round is None:
        sign_off_round = SignOffRound(contract=contract, opened_by=by)
        stamp(sign_off_round, by)
        sign_off_round.save()
    signed = set(sign_off_round.signatures.values_list("side", flat=True))
    if signed == set(Side):
        raise ValidationError(_("Both sides have already signed off this governance model."))
    asked = _ask(
        sign_off_round, [h for h in business_holders(contract) if h.side not in signed], by=by
    )
    if not asked:
        raise ValidationError(
            _(
                "Nobody at the business level can sign off yet: name the business-level role "
                "holders again from the list of people."
            )
        )
    return asked


@transaction.atomic
def sign_off(*, holder: RoleHolder, by: User | None, link: SignOffLink | None = None) -> SignOff:
    """Record that a business-level role holder confirmed the roles and mandates for their
    side: signed in as `by`, or through their e-mailed `link` (used up by it)."""
    governance_level = holder.governance_level
    if governance_level.level != Level.BUSINESS:
        raise ValidationError(_("Only the business level's role holders sign off the model."))
    sign_off_round = _open_round(governance_level.contract_id, lock=True)
    if sign_off_round is None:
        raise ValidationError(_("Nobody has asked for the sign-off of this governance model."))
    if link is not None and (link.round_id != sign_off_round.pk or not link_is_usable(link)):
        raise ValidationError(_("This link can no longer be used."))
    earlier = sign_off_round.signatures.filter(side=holder.side).first()
    if earlier is not None:
        raise ValidationError(
            _("%(name)s has already signed off for this side."), params={"name": earlier.name}
        )
    signature = SignOff(
        round=sign_off_round,
        side=holder.side,
        user=by,
        contact=holder.contact,
        name=holder.name,
        email=holder.email,
        role_title=holder.role_title,
        by_link=link is not None,
    )
    stamp(signature, by)
    signature.save()
    if link is not None:
        link.used_at = signature.signed_at
        link.save(update_fields=["used_at"])
    return signature


def link_is_usable(link: SignOffLink, now: datetime | None = None) -> bool:
    return (
        link.used_at is None
        and link.superseded_at is None
        and link.expires_at > (now or timezone.now())
        and link.holder_id is not None
    )


def find_sign_off_link(token: str) -> SignOffLink | None:
    """The link a token belongs to, usable or not, or None."""
    return (
        SignOffLink.objects.select_related("round__contract__supplier", "holder__governance_level")
        .filter(token_hash=hash_link_token(token))
        .first()
    )


@transaction.atomic
def sign_off_by_link(*, link: SignOffLink) -> SignOff:
    """Sign off through an e-mailed link, exactly once."""
    link = SignOffLink.objects.select_for_update().get(pk=link.pk)
    if not link_is_usable(link) or link.holder is None:
        raise ValidationError(_("This link can no longer be used."))
    return sign_off(holder=link.holder, by=None, link=link)


@transaction.atomic
def reopen_sign_off(*, contract: Any, change: Change, by: User | None) -> bool:
    """The one rule for a change to a role holder or a mandate: once either side has signed
    off, both sign-offs are void, the links out are replaced, and both sides' business-level
    role holders are told by e-mail and asked again. Returns whether it was reopened."""
    sign_off_round = _open_round(contract, lock=True)
    if sign_off_round is None or not sign_off_round.signatures.exists():
        return False
    now = timezone.now()
    sign_off_round.closed_at = now
    sign_off_round.closed_by = by
    sign_off_round.change = str(change)[:300]
    stamp(sign_off_round, by)
    sign_off_round.save(update_fields=["closed_at", "closed_by", "change"])
    SignOffLink.objects.filter(
        round=sign_off_round, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now)
    reopened = SignOffRound(
        contract=sign_off_round.contract, opened_by=by, opened_at=now, reopened_by_change=True
    )
    stamp(reopened, by)
    reopened.save()
    _ask(reopened, business_holders(sign_off_round.contract), by=by, change=change)
    return True


OUTBOX_KEPT_DAYS = 90


def purge_old_records(*, now: datetime | None = None) -> dict[str, int]:
    """Delete access-log rows (ours and django-axes's) older than ACCESS_LOG_DAYS, outbox rows
    sent (or given up on) more than OUTBOX_KEPT_DAYS ago (what was sent to whom), e-mails held
    for a digest that carried them as long ago and, when
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
    # E-mails a person chose to get in their digest, once a digest carried them: the digest
    # itself is an outbox row, kept as long.
    held_emails, _kinds = (
        HeldEmail.objects.exclude(digest_key="").filter(created_at__lt=outbox_cutoff).delete()
    )
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
        "held_emails": held_emails,
        "history_rows": history_rows,
    }


def history_models() -> list[Any]:
    """Every app's simple-history table, found in the app registry (not by importing the apps
    above this one)."""
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]
