import logging
import secrets
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Role
from governance.outbox import one_line
from governance.services import ensure_governance_levels

from .models import Contact, ContractStatus, Invitation, hash_token

logger = logging.getLogger(__name__)


@transaction.atomic
def save_contract(contract):
    """Save a contract; a new one gets its three governance levels at once."""
    contract.save()
    ensure_governance_levels(contract)
    return contract


@transaction.atomic
def change_contract_status(contract, new_status):
    """Move a contract to a new status; activation needs every role named on both sides."""
    if new_status not in contract.allowed_transitions():
        raise ValidationError(
            _("A %(current)s contract cannot become %(new)s."),
            params={
                "current": contract.get_status_display().lower(),
                "new": ContractStatus(new_status).label.lower(),
            },
        )
    if new_status == ContractStatus.ACTIVE:
        missing = contract.missing_roles()
        if missing:
            raise ValidationError(
                _("The contract cannot be made active: %(count)s roles are not yet named."),
                params={"count": len(missing)},
            )
    contract.status = new_status
    contract.save(update_fields=["status", "updated_at"])
    return contract


def _invitation_link(token):
    return settings.PORTAL_BASE_URL + reverse("suppliers:accept_invitation", args=[token])


@transaction.atomic
def invite_contact(supplier, *, name, email, invited_by):
    """Create a single-use invitation (revoking any earlier pending one) and return its token.

    Only the token's hash is stored; the token itself travels only in the e-mail.
    """
    email = email.lower()
    now = timezone.now()
    # The earlier invitation records that it was replaced, by whom and when.
    Invitation.objects.pending(now).filter(supplier=supplier, email=email).update(
        revoked_at=now, revoked_by=invited_by
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email,
        name=name,
        token_hash=hash_token(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=Invitation.default_expiry(now),
    )
    return invitation, token


def send_invitation_email(invitation, token):
    """E-mail the invitation link; returns False (and logs) when the mail server fails."""
    context = {
        "invitation": invitation,
        "link": _invitation_link(token),
        "valid_hours": settings.INVITATION_VALID_HOURS,
    }
    try:
        send_mail(
            subject=one_line(
                _("Your invitation to the governance portal (%(supplier)s)")
                % {"supplier": invitation.supplier.name}
            ),
            message=render_to_string("suppliers/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except (SMTPException, OSError):
        logger.exception("Could not send invitation %s", invitation.pk)
        return False
    return True


def find_invitation(token):
    """The invitation a token belongs to, usable or not, or None."""
    return (
        Invitation.objects.select_related("supplier").filter(token_hash=hash_token(token)).first()
    )


@transaction.atomic
def accept_invitation(invitation, *, name, password):
    """Create the supplier contact's account and use up the invitation, exactly once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has already been used, revoked or has expired."))
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("An account with this e-mail address already exists."))
    first_name, _sep, last_name = name.strip().partition(" ")
    user = User.objects.create_user(
        invitation.email,
        password,
        first_name=first_name,
        last_name=last_name,
        role=Role.SUPPLIER_CONTACT,
        supplier=invitation.supplier,
    )
    Contact.objects.update_or_create(
        supplier=invitation.supplier,
        email=invitation.email,
        defaults={"name": name.strip(), "user": user},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def purge_expired_invitations(now=None):
    """Delete never-accepted invitations that expired over 30 days ago; return the count."""
    cutoff = (now or timezone.now()) - timedelta(days=30)
    deleted, _details = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lt=cutoff
    ).delete()
    return deleted
