"""Erasure on a person's request (GDPR article 17): the places portal.personal_data lists lose
the person's name, address and phone number. The account stays, with what they wrote (comments,
pulse answers, issues), shown as "Former contact, <supplier>" or "Former employee"; their contact
rows and role-holder slots go, so the governance model shows a role missing, not a made-up
person. Approved minutes are public records under the Archives Act: their attendance and
actions (locked rows and the archived PDF) keep the names they were approved with."""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from escalations.models import Issue
from governance import access_log
from governance.history import stamp
from governance.models import (
    AccessEvent,
    AccessEventKind,
    ExportJob,
    HeldEmail,
    OutboxMessage,
    RoleHolder,
    SignOff,
    SignOffLink,
    SignOffRound,
    User,
    erased_email,
    erased_name,
    normalise_email,
)
from governance.services import deactivate_user, leave_role_holder_slots
from meetings.models import Action, Attendance, Minutes
from suppliers.models import Contact, Contract, Invitation

# The length of the shortest name field the pseudonym is written into.
NAME_LENGTH = 120


def _same_address(rows: Any, address: str) -> list[Any]:
    # As portal.personal_data: narrowed in the database, compared exactly in Python.
    return [row for row in rows if normalise_email(row.email) == address]


@transaction.atomic
def erase_person(*, person: User, by: User) -> None:
    """Erase what the portal holds about one person, in one transaction; refused (a
    ValidationError) for one's own data and, unless by an administrator, an administrator's."""
    if person.pk == by.pk:
        raise ValidationError(_("You cannot erase your own personal data."))
    if person.is_administrator and not by.is_administrator:
        raise ValidationError(_("Only an administrator can erase an administrator's data."))
    person = (
        User.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=person.pk)
    )
    if person.erased_at is not None:
        return
    address = normalise_email(person.email)
    near = {"email__icontains": address.partition("@")[0]}
    draft = {"minutes__approved_at__isnull": True}
    contacts = {
        *_same_address(Contact.objects.filter(**near), address),
        *Contact.objects.filter(user=person),
    }
    contact_ids = [contact.pk for contact in contacts]
    holder_ids = [row.pk for row in _same_address(RoleHolder.objects.filter(**near), address)]
    attendance = _same_address(Attendance.objects.filter(**near, **draft), address)
    invitation_ids = [row.pk for row in _same_address(Invitation.objects.filter(**near), address)]
    # The names the person went by, for the texts that name an owner without an address.
    names = {person.get_full_name(), *(row.name for row in [*contacts, *attendance])}
    names |= set(RoleHolder.objects.filter(pk__in=holder_ids).values_list("name", flat=True))
    names |= set(Invitation.objects.filter(pk__in=invitation_ids).values_list("name", flat=True))
    names.discard("")

    deactivate_user(user=person, by=by)
    person.erased_at = timezone.now()
    pseudonym = erased_email(person)
    display = str(erased_name(person))[:NAME_LENGTH]

    # The roles first (a sign-off they were part of reopens), then the contact rows.
    leave_role_holder_slots(email=address, contracts=Contract.objects.all(), by=by)
    _pseudonymise_sign_offs(person, address, contact_ids, names, name=display, email=pseudonym)
    for contact in contacts:
        stamp(contact, by)
        contact.delete()
    for row in attendance:
        row.name, row.email = display, pseudonym
        stamp(row, by)
        row.save(update_fields=["name", "email"])
    owned_rows: list[Action | Issue] = [
        *Action.objects.filter(owner_name__in=names, **draft),
        *Issue.objects.filter(owner_name__in=names),
    ]
    for owned in owned_rows:
        owned.owner_name = display
        stamp(owned, by)
        owned.save(update_fields=["owner_name"])
    _revoke_invitations(invitation_ids, name=display, email=pseudonym, by=by)
    _rewrite_history(
        address,
        contact_ids=contact_ids,
        holder_ids=holder_ids,
        names=names,
        name=display,
        email=pseudonym,
    )
    _delete_mail_to(address)
    HeldEmail.objects.filter(user=person).delete()  # e-mails waiting for their digest
    # Exported files kept for download may name the person (a role holder, an owner): any of
    # them, whoever asked, is made again from the erased records on the next export.
    ExportJob.objects.all().delete()
    _forget_address_in_access_log(person, address, email=pseudonym)
    _delete_authenticators(person)
    _delete_sign_in_records(address)

    person.email = pseudonym
    person.first_name = person.last_name = ""
    person.set_unusable_password()  # and so every open session's hash no longer matches
    person.save(update_fields=["email", "first_name", "last_name", "password", "erased_at"])
    access_log.record(AccessEventKind.ERASED, email=pseudonym, person=person, by=by)
    # Pages shared between readers are kept per version of their records' history, which a
    # renamed account does not move (a comment's author): none may show the old name.
    transaction.on_commit(cache.clear)


def _pseudonymise_sign_offs(
    person: User,
    address: str,
    contact_ids: list[int],
    names: set[str],
    *,
    name: str,
    email: str,
) -> None:
    """A governance model's sign-off stays a record of when a side confirmed it, by the
    pseudonym; so do the links e-mailed for it, and what a change that reopened one says."""
    SignOff.objects.filter(
        Q(user=person) | Q(contact_id__in=contact_ids) | Q(email=address)
    ).update(name=name, email=email)
    SignOffLink.objects.filter(email=address).update(name=name, email=email)
    for old in names:
        for sign_off_round in SignOffRound.objects.filter(change__contains=old):
            sign_off_round.change = sign_off_round.change.replace(old, name)
            sign_off_round.save(update_fields=["change"])


def _revoke_invitations(ids: list[int], *, name: str, email: str, by: User) -> None:
    """Pending ones can no longer be accepted; every one keeps who sent it and when."""
    now = timezone.now()
    Invitation.objects.pending(now).filter(pk__in=ids).update(revoked_at=now, revoked_by=by)
    Invitation.objects.filter(pk__in=ids).update(name=name, email=email)


def _rewrite_history(
    address: str,
    *,
    contact_ids: list[int],
    holder_ids: list[int],
    names: set[str],
    name: str,
    email: str,
) -> None:
    """The history rows that copied the person's name, address or phone number say the
    pseudonym instead; those of approved minutes' rows are part of that record and stay."""
    local = address.partition("@")[0]
    for model, ids in ((Contact, contact_ids), (RoleHolder, holder_ids)):
        rows = model.history.filter(Q(id__in=ids) | Q(email__icontains=local))
        found = [
            row.history_id for row in rows if row.id in ids or normalise_email(row.email) == address
        ]
        model.history.filter(history_id__in=found).update(name=name, email=email, phone="")
    approved = Minutes.objects.filter(approved_at__isnull=False).values("pk")
    attendance = Attendance.history.filter(email__icontains=local).exclude(minutes_id__in=approved)
    Attendance.history.filter(
        history_id__in=[row.history_id for row in _same_address(attendance, address)]
    ).update(name=name, email=email)
    Action.history.filter(owner_name__in=names).exclude(minutes_id__in=approved).update(
        owner_name=name
    )
    Issue.history.filter(owner_name__in=names).update(owner_name=name)


def _delete_mail_to(address: str) -> None:
    """The e-mails to the person, sent or waiting: what was sent to whom, and their text."""
    mails = OutboxMessage.objects.filter(kind="email").only("payload")
    OutboxMessage.objects.filter(
        pk__in=[
            mail.pk
            for mail in mails
            if address in {normalise_email(to) for to in mail.payload.get("to", [])}
        ]
    ).delete()


def _forget_address_in_access_log(person: User, address: str, *, email: str) -> None:
    """The rows stay (the portal's security record), no longer naming the person."""
    local = address.partition("@")[0]
    rows = AccessEvent.objects.filter(Q(person=person) | Q(email__icontains=local))
    AccessEvent.objects.filter(
        pk__in=[
            row.pk
            for row in rows.only("pk", "email", "person")
            if row.person_id == person.pk or normalise_email(row.email) == address
        ]
    ).update(email=email)


def _delete_sign_in_records(address: str) -> None:
    """django-axes's counts and logs of sign-ins, kept by the address (normalised as
    governance.security.sign_in_name gives it); the access log keeps the events."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=address).delete()


def _delete_authenticators(person: User) -> None:
    """Credentials, not records: the authenticator app's key and the recovery codes."""
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
