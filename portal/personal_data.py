"""Everything the portal holds about one person, for their right of access (GDPR article 15):
their account, where their address appears (contacts, role-holder slots, meeting attendance,
invitations, e-mails sent or held for their digest, their e-mail settings), what they wrote
(comments, pulse answers, issues raised, updates of actions, risks owned, documents uploaded)
and the access log. One structure, shown as a page and given as JSON."""

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentVersion
from escalations.models import Issue
from governance import notifications
from governance.models import (
    AccessEvent,
    HeldEmail,
    NotificationSetting,
    OutboxMessage,
    RoleHolder,
    User,
    normalise_email,
)
from meetings.models import ActionUpdate, Attendance, MinutesComment
from relationship.models import PulseResponse
from risks.models import Risk, RiskComment
from suppliers.models import Contact, Invitation

# The page's labels for the JSON's keys (the JSON keeps its keys, for programs to read).
LABELS = {
    "name": _("Name"),
    "email": _("E-mail"),
    "role": _("Role"),
    "supplier": _("Supplier"),
    "active": _("Active"),
    "joined": _("Joined"),
    "last_sign_in": _("Last sign-in"),
    "title": _("Title"),
    "phone": _("Phone"),
    "contract": _("Contract"),
    "level": _("Level"),
    "side": _("Side"),
    "meeting": _("Meeting"),
    "minutes_version": _("Minutes version"),
    "organisation": _("Organisation"),
    "present": _("Present"),
    "sent": _("Sent"),
    "accepted": _("Accepted"),
    "subject": _("Subject"),
    "queued": _("Queued"),
    "minutes": _("Minutes"),
    "written": _("Written"),
    "text": _("Text"),
    "trust": _("Trust"),
    "dialogue": _("Dialogue"),
    "delivery": _("Delivery"),
    "comment": _("Comment"),
    "raised": _("Raised"),
    "file": _("File"),
    "uploaded": _("Uploaded"),
    "when": _("When"),
    "what": _("What"),
    "from": _("From"),
    "action": _("Action"),
    "risk": _("Risk"),
    "status": _("Status"),
    "held": _("Held"),
    "in_digest": _("Sent in the digest"),
    "kind": _("Kind of e-mail"),
    "comes": _("How it comes"),
}


def labelled(row: dict[str, Any]) -> list[tuple[str, Any]]:
    """A row's (label, value) pairs in the reader's language."""
    return [(str(LABELS.get(key, key)), value) for key, value in row.items()]


def _same_address(rows: Any, address: str) -> list[Any]:
    # Addresses typed by hand are compared in their one normalised form (never case-blind).
    return [row for row in rows if normalise_email(row.email) == address]


def personal_data(person: User) -> dict[str, Any]:
    """Sections of (heading, rows), each row a dict of plain values."""
    address = normalise_email(person.email)
    local = address.partition("@")[0]
    near = {"email__icontains": local}  # narrows in the database; the exact test is in Python
    contacts = _same_address(Contact.objects.filter(**near).select_related("supplier"), address)
    slots = _same_address(
        RoleHolder.objects.filter(**near).select_related("governance_level__contract"), address
    )
    attendance = _same_address(
        Attendance.objects.filter(**near).select_related("minutes__meeting__forum"), address
    )
    invitations = _same_address(
        Invitation.objects.filter(**near).select_related("supplier"), address
    )
    # Read in Python: SQLite (the demo) has no JSON containment; sent mail is kept 90 days.
    mails = [
        message
        for message in OutboxMessage.objects.filter(kind="email").only(
            "payload", "created_at", "kind"
        )
        if address in {normalise_email(to) for to in message.payload.get("to", [])}
    ]
    return {
        "made_at": timezone.now().isoformat(),
        "account": {
            "name": person.get_full_name(),
            "email": person.email,
            "role": person.get_role_display(),
            "supplier": person.supplier.name if person.supplier is not None else None,
            "active": person.is_active,
            "joined": person.date_joined.isoformat(),
            "last_sign_in": person.last_login.isoformat() if person.last_login else None,
        },
        "contacts": [
            {"supplier": c.supplier.name, "name": c.name, "title": c.title, "phone": c.phone}
            for c in contacts
        ],
        "role_holder_slots": [
            {
                "contract": str(slot.governance_level.contract),
                "level": slot.governance_level.get_level_display(),
                "side": slot.get_side_display(),
                "role": slot.role_title,
                "name": slot.name,
                "phone": slot.phone,
            }
            for slot in slots
        ],
        "meeting_attendance": [
            {
                "meeting": str(row.minutes.meeting),
                "minutes_version": row.minutes.number,
                "name": row.name,
                "organisation": row.organisation,
                "present": row.present,
            }
            for row in attendance
        ],
        "invitations": [
            {
                "supplier": invitation.supplier.name,
                "name": invitation.name,
                "sent": invitation.created_at.isoformat(),
                "accepted": bool(invitation.accepted_at),
            }
            for invitation in invitations
        ],
        "emails_held": [
            {
                "subject": held.subject,
                "held": held.created_at.isoformat(),
                "in_digest": bool(held.digest_key),
            }
            for held in HeldEmail.objects.filter(user=person)
        ],
        "email_settings": [
            {"kind": notifications.label_of(setting.kind), "comes": setting.get_delivery_display()}
            for setting in NotificationSetting.objects.filter(user=person)
        ],
        "action_updates": [
            {
                "action": update.action.description,
                "status": update.get_status_display(),
                "comment": update.comment,
                "when": update.at.isoformat(),
            }
            for update in ActionUpdate.objects.filter(by=person).select_related("action")
        ],
        "emails_sent": [
            {
                "subject": message.payload.get("subject", ""),
                "queued": message.created_at.isoformat(),
            }
            for message in mails
        ],
        "comments": [
            {
                "minutes": str(comment.minutes),
                "written": comment.created_at.isoformat(),
                "text": comment.body,
            }
            for comment in MinutesComment.objects.filter(author=person).select_related(
                "minutes__meeting__forum"
            )
        ],
        "pulse_answers": [
            {
                "meeting": str(answer.meeting),
                "trust": answer.trust,
                "dialogue": answer.dialogue,
                "delivery": answer.delivery,
                "comment": answer.comment,
            }
            for answer in PulseResponse.objects.filter(respondent=person).select_related(
                "meeting__forum"
            )
        ],
        "risk_comments": [
            {
                "risk": comment.risk.title,
                "written": comment.created_at.isoformat(),
                "text": comment.body,
            }
            for comment in RiskComment.objects.filter(author=person).select_related("risk")
        ],
        "risks_owned": [
            {"title": risk.title, "supplier": risk.supplier.name}
            for risk in Risk.objects.filter(
                Q(owner_user=person) | Q(owner_contact__in=[contact.pk for contact in contacts])
            ).select_related("supplier")
        ],
        "issues_raised": [
            {"title": issue.title, "raised": issue.created_at.isoformat()}
            for issue in Issue.objects.filter(created_by=person)
        ],
        "documents_uploaded": [
            {
                "title": version.document.title,
                "file": version.file_name,
                "uploaded": version.uploaded_at.isoformat(),
            }
            for version in DocumentVersion.objects.filter(uploaded_by=person).select_related(
                "document"
            )
        ],
        "access_log": [
            {"when": event.at.isoformat(), "what": event.get_kind_display(), "from": event.address}
            for event in AccessEvent.objects.filter(person=person)
        ],
    }
