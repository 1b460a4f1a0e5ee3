"""Writes of the register: suppliers, their contacts, contracts with what they commit to, and
invitations. Keyword-only; `by` is the person acting (the history names them)."""

import logging
import secrets
from datetime import datetime, timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access_log
from governance.history import stamp
from governance.languages import current_language, speaking_to
from governance.models import AccessEventKind, Role, RoleHolder, User, normalise_email
from governance.outbox import one_line
from governance.selectors import sign_off_state
from governance.services import (
    deactivate_user,
    ensure_governance_levels,
    leave_role_holder_slots,
    leave_roles,
)

from .models import (
    DECIDED_STATUSES,
    Contact,
    Contract,
    ContractStatus,
    Invitation,
    OutcomeCommitment,
    ServiceLevel,
    StatusDecision,
    Supplier,
    hash_token,
)
from .signals import contract_ending

logger = logging.getLogger(__name__)


def _save(row: models.Model, by: User | None, **fields: Any) -> None:
    """Set the fields and save, the history naming `by` (also outside a request)."""
    for name, value in fields.items():
        setattr(row, name, value)
    stamp(row, by)
    row.save()


@transaction.atomic
def create_supplier(*, by: User, **fields: Any) -> Supplier:
    """Add a supplier to the register."""
    supplier = Supplier()
    _save(supplier, by, **fields)
    return supplier


@transaction.atomic
def update_supplier(*, supplier: Supplier, by: User, **fields: Any) -> Supplier:
    _save(supplier, by, **fields)
    return supplier


@transaction.atomic
def add_contact(*, supplier: Supplier, by: User, **fields: Any) -> Contact:
    """Name a person at the supplier (without an account until they accept an invitation)."""
    contact = Contact(supplier=supplier)
    _save(contact, by, **fields)
    return contact


@transaction.atomic
def remove_contact(*, contact: Contact, by: User) -> None:
    """A person leaves a supplier: their account (if any) can no longer sign in and their open
    sessions end, invitations to them are revoked, and they leave every role-holder slot of
    the supplier's contracts, and so every invitation, reminder and minutes e-mail to come."""
    now = timezone.now()
    email = normalise_email(contact.email)
    if contact.user is not None:
        deactivate_user(user=contact.user, by=by)
    Invitation.objects.pending(now).filter(supplier=contact.supplier, email=email).update(
        revoked_at=now, revoked_by=by
    )
    leave_roles(holders=contact.role_holders.select_related("governance_level"), by=by)
    leave_role_holder_slots(email=email, contracts=contact.supplier.contracts.all(), by=by)
    stamp(contact, by)
    contact.delete()


@transaction.atomic
def create_contract(*, by: User | None, **fields: Any) -> Contract:
    """Register a contract as a draft with its three governance levels."""
    contract = Contract()
    _save(contract, by, **fields)
    ensure_governance_levels(contract=contract, by=by)
    return contract


@transaction.atomic
def update_contract(*, contract: Contract, by: User, **fields: Any) -> Contract:
    _save(contract, by, **fields)
    ensure_governance_levels(contract=contract, by=by)
    return contract


@transaction.atomic
def change_contract_status(
    *,
    contract: Contract,
    status: str,
    by: User | None,
    decided_by: RoleHolder | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Contract:
    """Move a contract to a new status; activation needs every role named on both sides.

    Giving notice and ending need the business-level role holder on the city's side who
    decided, and the reason (recorded as a StatusDecision). Ending also cancels the contract's
    coming meetings (through the contract_ending signal); a supplier left without a contract
    loses its contacts' access after the grace period (end_access_after_last_contract)."""
    now = now or timezone.now()
    if status not in contract.allowed_transitions():
        raise ValidationError(
            _("A %(current)s contract cannot become %(new)s."),
            params={
                "current": contract.get_status_display().lower(),
                "new": ContractStatus(status).label.lower(),
            },
        )
    if status == ContractStatus.ACTIVE:
        missing = contract.missing_roles()
        if missing:
            raise ValidationError(
                _("The contract cannot be made active: %(count)s roles are not yet named."),
                params={"count": len(missing)},
            )
        # Both sides' business level signed off the model as it now is (a change reopens it).
        refusal = sign_off_state(contract).refusal()
        if refusal:
            raise ValidationError(refusal)
    reason = reason.strip()
    if status in DECIDED_STATUSES:
        errors = {}
        if decided_by is None or not contract.business_deciders().filter(pk=decided_by.pk).exists():
            errors["decided_by"] = _(
                "Choose who decided: a business-level role holder on the city's side."
            )
        if not reason:
            errors["reason"] = _("Give the reason for the decision.")
        if errors:
            raise ValidationError(errors)
    if status == ContractStatus.ENDED:
        contract_ending.send(sender=Contract, contract=contract, by=by, now=now)
    contract.status = status
    stamp(contract, by)
    contract.save(update_fields=["status", "updated_at"])
    if status in DECIDED_STATUSES:
        assert decided_by is not None  # checked above
        decision = StatusDecision(
            contract=contract,
            status=status,
            decided_by=decided_by,
            decided_by_name=decided_by.name,
            reason=reason,
            recorded_by=by,
            recorded_at=now,
        )
        stamp(decision, by)
        decision.save()
    return contract


@transaction.atomic
def add_commitment(*, contract: Contract, by: User, **fields: Any) -> OutcomeCommitment:
    """Record an outcome the supplier commits to (what, not how)."""
    commitment = OutcomeCommitment(contract=contract)
    _save(commitment, by, **fields)
    return commitment


@transaction.atomic
def remove_commitment(*, commitment: OutcomeCommitment, by: User) -> None:
    stamp(commitment, by)
    commitment.delete()


@transaction.atomic
def add_service_level(*, contract: Contract, by: User, **fields: Any) -> ServiceLevel:
    """Record a measurable service level of the contract."""
    service_level = ServiceLevel(contract=contract)
    _save(service_level, by, **fields)
    return service_level


@transaction.atomic
def remove_service_level(*, service_level: ServiceLevel, by: User) -> None:
    stamp(service_level, by)
    service_level.delete()


def _invitation_link(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("suppliers:accept_invitation", args=[token])


@transaction.atomic
def invite_contact(
    *, supplier: Supplier, name: str, email: str, by: User
) -> tuple[Invitation, str]:
    """Create a single-use invitation (revoking any earlier pending one) and return its token.

    Only the token's hash is stored; the token itself travels only in the e-mail.
    """
    email = email.lower()
    now = timezone.now()
    # The earlier invitation records that it was replaced, by whom and when.
    Invitation.objects.pending(now).filter(supplier=supplier, email=email).update(
        revoked_at=now, revoked_by=by
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email,
        name=name,
        token_hash=hash_token(token),
        invited_by=by,
        created_at=now,
        expires_at=Invitation.default_expiry(now),
    )
    return invitation, token


def revoke_invitation(*, supplier: Supplier, invitation_id: int, by: User) -> None:
    """Revoke a pending invitation; the row keeps who did it and when."""
    Invitation.objects.pending().filter(supplier=supplier, pk=invitation_id).update(
        revoked_at=timezone.now(), revoked_by=by
    )


def send_invitation_email(*, invitation: Invitation, token: str) -> bool:
    """E-mail the invitation link; returns False (and logs) when the mail server fails."""
    context = {
        "invitation": invitation,
        "link": _invitation_link(token),
        "privacy_link": settings.PORTAL_BASE_URL + reverse("portal:privacy"),
        "valid_hours": settings.INVITATION_VALID_HOURS,
    }
    # In the invited person's language: an account's own (invited again), else the portal's.
    with speaking_to(invitation.email):
        subject = one_line(
            _("Your invitation to the governance portal (%(supplier)s)")
            % {"supplier": invitation.supplier.name}
        )
        message = render_to_string("suppliers/email/invitation.txt", context)
    try:
        send_mail(
            subject=subject, message=message, from_email=None, recipient_list=[invitation.email]
        )
    except (SMTPException, OSError):
        logger.exception("Could not send invitation %s", invitation.pk)
        return False
    return True


def find_invitation(token: str) -> Invitation | None:
    """The invitation a token belongs to, usable or not, or None."""
    return (
        Invitation.objects.select_related("supplier").filter(token_hash=hash_token(token)).first()
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the supplier contact's account and use up the invitation, exactly once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has already been used, revoked or has expired."))
    people = get_user_model()
    first_name, _sep, last_name = name.strip().partition(" ")
    user = people.objects.filter(email=normalise_email(invitation.email)).first()
    if user is None:
        user = people.objects.create_user(
            invitation.email,
            password,
            first_name=first_name,
            last_name=last_name,
            role=Role.SUPPLIER_CONTACT,
            supplier=invitation.supplier,
            language=current_language(),  # the language they accepted in
        )
    elif _returning(user, invitation):
        # A contact who left and was invited again: the same account, active again, with the
        # password they chose now (their records were kept with it).
        user.set_password(password)
        user.first_name, user.last_name, user.is_active = first_name, last_name, True
        user.save(update_fields=["password", "first_name", "last_name", "is_active"])
        access_log.record(
            AccessEventKind.REACTIVATED, email=user.email, person=user, by=invitation.invited_by
        )
    else:
        raise ValidationError(_("An account with this e-mail address already exists."))
    Contact.objects.update_or_create(
        supplier=invitation.supplier,
        email=invitation.email,
        defaults={"name": name.strip(), "user": user},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def _returning(user: Any, invitation: Invitation) -> bool:
    """Whether the account is this supplier's own deactivated contact's."""
    return (
        not user.is_active
        and user.role == Role.SUPPLIER_CONTACT
        and user.supplier_id == invitation.supplier_id
    )


def reinvite_contact(*, person: Any, by: User) -> bool:
    """A new invitation for a supplier's contact whose account was deactivated (they left and
    came back, or their supplier's contracts had ended): accepting it activates the same
    account again. Returns whether the e-mail went out."""
    invitation, token = invite_contact(
        supplier=person.supplier, name=person.get_full_name(), email=person.email, by=by
    )
    access_log.record(AccessEventKind.REINVITED, email=person.email, person=person, by=by)
    return send_invitation_email(invitation=invitation, token=token)


def purge_expired_invitations(*, now: datetime | None = None) -> int:
    """Delete never-accepted invitations that expired over 30 days ago; return the count."""
    cutoff = (now or timezone.now()) - timedelta(days=30)
    deleted, _details = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=cutoff
    ).delete()
    return deleted


def end_access_after_last_contract(*, now: datetime | None = None) -> int:
    """Deactivate the accounts of a supplier's contacts SUPPLIER_ACCESS_GRACE_DAYS after its
    last contract ended. A supplier with a contract that has not ended keeps them, as does one
    with no contract yet (being set up). Returns how many accounts were deactivated."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SUPPLIER_ACCESS_GRACE_DAYS)
    with_access = (
        get_user_model()
        .objects.filter(is_active=True, role=Role.SUPPLIER_CONTACT)
        .values_list("supplier_id", flat=True)
        .distinct()
    )
    deactivated = 0
    for supplier in Supplier.objects.filter(pk__in=with_access):
        contracts = list(supplier.contracts.all())
        if not contracts or any(c.status != ContractStatus.ENDED for c in contracts):
            continue
        ended_at = _last_ended_at(contracts)
        if ended_at is None or ended_at > cutoff:
            continue
        for user in get_user_model().objects.filter(supplier=supplier, is_active=True):
            deactivate_user(user=user, by=None)
            deactivated += 1
    return deactivated


def _last_ended_at(contracts: list[Contract]) -> datetime | None:
    """When the last of these (ended) contracts ended: the history row that first recorded it
    ended, or, without one, the day after its end date."""
    recorded = dict(
        Contract.history.filter(
            id__in=[contract.pk for contract in contracts], status=ContractStatus.ENDED
        )
        .values("id")
        .annotate(at=models.Min("history_date"))
        .values_list("id", "at")
    )
    times = []
    for contract in contracts:
        if contract.pk in recorded:
            times.append(recorded[contract.pk])
        elif contract.end_date is not None:
            day_after = contract.end_date + timedelta(days=1)
            times.append(timezone.make_aware(datetime.combine(day_after, datetime.min.time())))
        else:
            return None  # when it ended is not known: keep the access
    return max(times)
