"""Supplier A's records of every kind, with one text in every field a person writes.

The XSS sweep fills them with an attack string and reads every page; the IDOR sweep fills them
with a marker and checks that supplier B's contact never sees it. USER_TEXT_FIELDS lists the
text fields people write (in forms, the admin or a CSV file); a test fails when a model gains
one that build_world() does not fill.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalChanges

from api.services import create_token
from documents.models import DocumentType
from documents.services import add_version, attach_document
from escalations.services import escalate
from governance import access_log, outbox
from governance.models import (
    AccessEventKind,
    Delivery,
    ExportJob,
    ExportStatus,
    Level,
    OutboxMessage,
    Role,
    RoleHolder,
    Side,
    SignOff,
    SignOffRound,
)
from governance.notifications import save_settings
from meetings.models import (
    ActionStatus,
    AgendaTemplate,
    AgendaTemplateItem,
    Cadence,
    ItemKind,
    Meeting,
    MinutesPdf,
    Mode,
)
from meetings.services import (
    add_action,
    add_attendee,
    add_comment,
    add_item,
    approve_minutes,
    decide_agenda_proposal,
    propose_agenda_item,
    reconcile_meetings,
    save_item,
    start_correction,
    start_minutes,
    update_action,
)
from operations.models import FigureImport, ImportStatus, Source
from operations.services import (
    create_import,
    record_measurement,
    record_question_counts,
    record_ticket_counts,
)
from relationship.models import CityGoal, Expectation, Goal
from relationship.services import answer_pulse
from risks.services import add_comment as add_risk_comment
from risks.services import create_risk, update_risk
from suppliers.models import Contact, NoticeDecision, OutcomeCommitment, StatusDecision, Tier
from suppliers.services import accept_invitation, invite_contact, send_invitation_email
from tests.factories import (
    PASSWORD,
    make_contract,
    make_forum,
    make_issue,
    make_quarterly_meeting,
    make_service_level,
    make_supplier,
    make_user,
    sign_off_link_token,
)

# Breaks out of an attribute value, opens a script element and tries template evaluation; 36
# characters, so it fits every text field (the shortest, a contract reference, takes 40).
ATTACK = '"><script>alert(1)</script>{{7*7}}'
JAVASCRIPT_URL = "javascript:alert(1)"

APPS = [
    "governance",
    "suppliers",
    "escalations",
    "operations",
    "meetings",
    "relationship",
    "documents",
    "risks",
    "portal",
]

# Text fields nobody types: hashes, keys, the outbox's bookkeeping, the stored CSV file (its
# cells reach pages only as checked rows, which the sweep covers), the Swedish organisation
# number (its validator lets only digits and a dash through) and Django's password hash.
NOT_USER_TEXT = {
    ("governance.User", "password"),
    ("governance.OutboxMessage", "key"),
    ("governance.OutboxMessage", "last_error"),
    ("suppliers.Supplier", "organisation_number"),
    ("suppliers.Invitation", "token_hash"),
    ("governance.SignOffLink", "token_hash"),
    ("meetings.MinutesPdf", "sha256"),
    ("operations.FigureImport", "content"),
    ("governance.NotificationSetting", "kind"),
    ("governance.HeldEmail", "key"),
    ("governance.HeldEmail", "kind"),
    ("governance.HeldEmail", "digest_key"),
    # A document's file: our own storage key, its checked type and hash; the name it came
    # with is made safe on upload (no quotes or slashes), so the attack reaches it changed.
    ("documents.DocumentVersion", "stored_as"),
    ("documents.DocumentVersion", "media_type"),
    ("documents.DocumentVersion", "sha256"),
    ("documents.DocumentVersion", "file_name"),
    # An export's bookkeeping: the list and format named in its URL, the language, the file
    # name made from the list's title, our own error text and the query string (filters typed
    # on a page), which no page shows.
    ("governance.ExportJob", "list_name"),
    ("governance.ExportJob", "file_format"),
    ("governance.ExportJob", "language"),
    ("governance.ExportJob", "filename"),
    ("governance.ExportJob", "error"),
    ("governance.ExportJob", "query"),
}


def user_text_fields():
    """(model label, field name) of every free-text field of the project's own models, plus the
    reason of a figure's correction, which simple-history keeps."""
    found = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, HistoricalChanges):
                continue
            for model_field in model._meta.concrete_fields:
                if not isinstance(model_field, models.CharField | models.TextField):
                    continue
                if model_field.choices:
                    continue
                key = (model._meta.label, model_field.name)
                if key not in NOT_USER_TEXT:
                    found.append(key)
    found.append(("operations.HistoricalMeasurement", "history_change_reason"))
    return found


def quoted_email(text, number):
    """A valid e-mail address carrying the text in a quoted local part (RFC 5321 allows it,
    and so does Django's EmailValidator)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}{number}"@a.example.org'


@dataclass
class World:
    text: str
    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def build_world(text, *, render_pdfs=False):
    """Supplier A with a contract and everything hanging off it, every user-written text set to
    `text`; supplier B with a contact of its own. Returns the World (objects by name)."""
    world = World(text)
    users, objects = world.users, world.objects
    now = timezone.now()
    last_month = date(now.year, now.month, 1) - relativedelta(months=1)
    email_numbers = iter(range(1, 10_000))

    def email():
        return quoted_email(text, next(email_numbers))

    chair = make_user(Role.PROCUREMENT, first_name=text, last_name=text)
    users["procurement"] = chair
    users["director"] = make_user(Role.DIRECTOR)
    supplier = make_supplier(text, tier=Tier.KEY, description=text)
    supplier_b = make_supplier(f"Beta {supplier.pk} AB")
    users["contact_b"] = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_b)
    objects["supplier_b"] = supplier_b.pk
    objects["contract_b"] = make_contract(supplier_b).pk

    contract = make_contract(supplier, reference=text, title=text, scope=text, purchased=text)
    objects["governance_level"] = contract.governance_levels.first().pk
    for governance_level in contract.governance_levels.all():
        governance_level.mandate = text
        governance_level.save()
        for side in Side:
            address = email()
            # People the portal knows: the chair on the city's side, a contact on the other.
            person = (
                {"user": chair}
                if side == Side.BUYER
                else {
                    "contact": Contact.objects.create(
                        supplier=supplier, name=text, title=text, email=address, phone=text
                    )
                }
            )
            RoleHolder.objects.create(
                governance_level=governance_level,
                side=side,
                role_title=text,
                name=text,
                email=address,
                phone=text,
                **person,
            )
    objects.update(
        supplier=supplier.pk,
        contract=contract.pk,
        level=Level.OPERATIONAL.value,
        holder=RoleHolder.objects.filter(governance_level__contract=contract).first().pk,
        contact=Contact.objects.create(
            supplier=supplier, name=text, title=text, email=email(), phone=text
        ).pk,
        commitment=OutcomeCommitment.objects.create(
            contract=contract, title=text, description=text, measured_by=text
        ).pk,
        goal=Goal.objects.create(contract=contract, title=text, description=text).pk,
        city_goal=CityGoal.objects.create(title=text, description=text).pk,
    )
    # The business level's decision behind a notice, and the city's for the current term.
    StatusDecision.objects.create(
        contract=contract, status="terminating", decided_by_name=text, reason=text
    )
    NoticeDecision.objects.create(
        contract=contract,
        term_end=contract.current_term_end(),
        decision="renew",
        note=text,
        decided_by=chair,
        decided_by_name=text,
    )

    # The governance model's sign-off: a round both sides signed, made void by a change, and
    # the round it reopened, asked of both sides (a link e-mailed to the supplier's holder).
    void = SignOffRound.objects.create(contract=contract, opened_by=chair, change=text)
    for side in Side:
        SignOff.objects.create(
            round=void, side=side, name=text, email=email(), role_title=text, user=chair
        )
    void.closed_at = now
    void.save()
    objects["sign_off_token"] = sign_off_link_token(contract, by=chair)
    SignOffRound.objects.filter(contract=contract, closed_at=None).update(reopened_by_change=True)

    # Invitations: one pending (its e-mail sent), one accepted: supplier A's contact.
    invitation, token = invite_contact(supplier=supplier, name=text, email=email(), by=chair)
    send_invitation_email(invitation=invitation, token=token)
    accepted, _token = invite_contact(supplier=supplier, name=text, email=email(), by=chair)
    users["contact_a"] = accept_invitation(invitation=accepted, name=text, password=PASSWORD)
    objects.update(invitation=invitation.pk, token=token)

    # Figures of last month: a value below target raises an issue titled with the service's
    # name; a correction keeps its reason; a question category; an uploaded file with rows and
    # errors; a failed import.
    service_level = make_service_level(contract, name=text)
    contact_a = users["contact_a"]
    record_measurement(
        service_level=service_level, period_start=last_month, value=Decimal("98.000"), by=contact_a
    )
    record_ticket_counts(
        contract=contract, period_start=last_month, counts={"P1": (3, 2)}, by=contact_a
    )
    record_question_counts(
        contract=contract, period_start=last_month, counts={text: 7}, by=contact_a
    )
    earlier = last_month - relativedelta(months=1)
    record_measurement(
        service_level=service_level, period_start=earlier, value=Decimal("99.9"), by=contact_a
    )
    measurement = record_measurement(
        service_level=service_level,
        period_start=earlier,
        value=Decimal("99.8"),
        by=chair,
        source=Source.CORRECTION,
        reason=text,
    ).measurement
    upload = _csv(
        [
            ["contract", "period", "category", "questions"],
            [text, f"{last_month:%Y-%m}", text, "3"],
            [f"{text}?", f"{last_month:%Y-%m}", text, "4"],
        ]
    )
    figure_import, _parsed = create_import(
        supplier=supplier, filename=text, text=upload, by=contact_a
    )
    FigureImport.objects.create(
        supplier=supplier,
        filename=text,
        content=upload,
        status=ImportStatus.FAILED,
        error=f"Line 3: Unknown contract “{text}”.",
        uploaded_by=contact_a,
        finished_at=now,
    )
    objects.update(
        service_level=service_level.pk, measurement=measurement.pk, figure_import=figure_import.pk
    )

    # A weekly forum with an agenda of its own; last week's minutes approved and corrected,
    # this morning's a draft with notes, decisions, an added item, an action, a guest and a
    # comment.
    template = AgendaTemplate.objects.create(name=text, level=Level.OPERATIONAL)
    kinds = [
        ItemKind.TOPIC,
        ItemKind.AVAILABILITY,
        ItemKind.SUPPORT_TICKETS,
        ItemKind.SUPPORT_QUESTIONS,
        ItemKind.OPEN_ACTIONS,
        ItemKind.ESCALATIONS,
    ]
    for position, kind in enumerate(kinds, start=1):
        AgendaTemplateItem.objects.create(
            template=template, position=position, title=text, guidance=text, kind=kind
        )
    forum = make_forum(
        [contract],
        chair,
        name=text,
        mode=Mode.VIDEO,
        dial_in=text,
        location=text,
        agenda_template=template,
    )
    reconcile_meetings()
    objects["forum"] = forum.pk
    objects["coming_meeting"] = forum.meetings.filter(starts_at__gt=now).first().pk
    objects["proposal"] = propose_agenda_item(
        meeting=forum.meetings.get(pk=objects["coming_meeting"]),
        title=text[:200],
        description=text,
        by=contact_a,
    ).pk
    declined = propose_agenda_item(
        meeting=forum.meetings.get(pk=objects["coming_meeting"]),
        title=text[:200],
        description=text,
        by=contact_a,
    )
    decide_agenda_proposal(proposal=declined, accept=False, reason=text, by=chair)

    held_at = now - timedelta(days=9)
    held = Meeting.objects.create(
        forum=forum, starts_at=held_at, ends_at=held_at + timedelta(hours=1)
    )
    first = start_minutes(meeting=held, by=chair)
    topic = first.items.get(kind=ItemKind.TOPIC)
    save_item(item=topic, revision=0, notes=text, decisions=f"{text}\n{text}", by=chair)
    add_item(minutes=first, title=text, by=chair)
    add_action(
        minutes=first,
        item=topic,
        description=text,
        owner_name=text,
        owner_organisation=text,
        due_on=timezone.localdate() - timedelta(days=3),
        by=chair,
    )
    add_attendee(
        minutes=first, name=text, email=email(), organisation=text, side=Side.SUPPLIER, by=chair
    )
    add_comment(minutes=first, by=contact_a, body=text)
    approve_minutes(minutes=first, by=chair)
    correction = start_correction(minutes=first, by=chair, reason=text)
    approved = approve_minutes(minutes=correction, by=chair)
    objects.update(approved_meeting=held.pk, approved_minutes=approved.pk)
    # A key-supplier meeting approved without the mandate holders: the reason and the
    # supplier's name reach its minutes and the dashboard.
    key_forum = make_forum(
        [contract], chair, name=text, level=Level.CONTRACT, cadence=Cadence.QUARTERLY
    )
    key_meeting = Meeting.objects.create(
        forum=key_forum, starts_at=held_at, ends_at=held_at + timedelta(hours=1)
    )
    key_minutes = start_minutes(meeting=key_meeting, by=chair)
    key_minutes.attendance.filter(email=chair.email).update(present=True)
    approve_minutes(minutes=key_minutes, by=chair, absent_mandate_reason=text)
    objects["key_minutes"] = key_minutes.pk
    # Between the meetings the chair notes where last week's action stands.
    update_action(action=approved.actions.first(), status=ActionStatus.OPEN, comment=text, by=chair)

    today = Meeting.objects.create(
        forum=forum, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    draft = start_minutes(meeting=today, by=chair)
    item = draft.items.get(kind=ItemKind.TOPIC)
    item = save_item(item=item, revision=0, notes=text, decisions=text, by=chair)
    add_comment(minutes=draft, by=contact_a, body=text)
    objects.update(
        meeting=today.pk,
        minutes=draft.pk,
        item=item.pk,
        action=draft.actions.first().pk,  # carried from last week, with its texts
        attendance=draft.attendance.filter(side=Side.SUPPLIER).first().pk,
    )

    # The relationship: an expectation agreed at last week's meeting, a quarterly meeting whose
    # forum's link is a javascript: URL, and its pulse with comments from both sides.
    objects["expectation"] = Expectation.objects.create(
        contract=contract,
        meeting=held,
        agreed_on=timezone.localdate() - timedelta(days=9),
        requirement=text,
        calibration=text,
        recorded_by=chair,
    ).pk
    quarterly_forum = make_forum(
        [contract],
        chair,
        name=text,
        level=Level.CONTRACT,
        cadence=Cadence.QUARTERLY,
        mode=Mode.VIDEO,
        dial_in=JAVASCRIPT_URL,
    )
    quarterly = make_quarterly_meeting([contract], chair, forum=quarterly_forum)
    for person in (chair, contact_a):
        answer_pulse(meeting=quarterly, by=person, trust=4, dialogue=3, delivery=2, comment=text)
    objects["quarterly_meeting"] = quarterly.pk

    # An issue raised by the figures above, and one a person raised and escalated with a reason.
    issue = make_issue(
        [contract],
        chair,
        title=text,
        description=text,
        owner_name=text,
        owner_organisation=text,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    escalate(issue=issue, by=chair, reason=text)
    objects.update(issue=issue.pk, move="de_escalate")

    # The risk register: a risk shared with the supplier (its contact owns it, it is linked to
    # the issue, both sides commented), and one the city keeps to itself.
    owner = Contact.objects.filter(supplier=supplier, user__isnull=True).first()
    risk = create_risk(
        by=chair,
        supplier=supplier,
        contract=contract,
        title=text,
        description=text,
        likelihood=4,
        impact=5,
        owner_contact=owner,
        mitigation=text,
        review_on=timezone.localdate() - timedelta(days=1),
        shared_with_supplier=True,
        issues=[issue],
    )
    update_risk(risk=risk, by=chair, likelihood=3)
    add_risk_comment(risk=risk, body=text, by=contact_a)
    add_risk_comment(risk=risk, body=text, by=chair)
    create_risk(
        by=chair,
        supplier=supplier,
        title=text,
        description=text,
        likelihood=2,
        impact=2,
        owner_user=chair,
        mitigation=text,
        review_on=timezone.localdate() + timedelta(days=30),
    )
    objects["risk"] = risk.pk
    # A password reset link that is no good (the page says so): a good one is used once and
    # moves on to a link of the session's.
    # A failed sign-in under an address that is the attack: the access log shows it.
    access_log.record(AccessEventKind.SIGN_IN_FAILED, email=text)
    objects.update(reset_uid="MA", reset_token="no-such-token", person=users["contact_b"].pk)

    # Supplier A's contact's API token, named with the text.
    objects["api_token"] = create_token(user=contact_a, name=text, days=30)[0].pk

    # An e-mail supplier A's contact asked to get in their weekly digest.
    save_settings(user=contact_a, deliveries={"issue": Delivery.DIGEST})
    outbox.enqueue_many(
        [
            outbox.email_message(
                f"issue:world:{contact_a.pk}", to=contact_a.email, subject=text, body=text
            )
        ]
    )

    # Documents on the contract, a meeting and the issue: the city's, and a report of A's.
    for record in (contract, Meeting.objects.get(pk=objects["meeting"]), issue):
        attach_document(
            record=record,
            title=text,
            document_type=DocumentType.ANNEX,
            content=b"%PDF-1.7\n%%EOF\n",
            file_name=f"{text}.pdf",
            by=chair,
        )
    report = attach_document(
        record=contract,
        title=text,
        document_type=DocumentType.REPORT,
        content=b"%PDF-1.7\n%%EOF\n",
        file_name=f"{text}.pdf",
        by=contact_a,
    )
    add_version(document=report, content=b"%PDF-1.4\n%%EOF\n", file_name="v2.pdf", by=contact_a)
    objects.update(document=report.pk, attachment_kind="contract", version_number=1)
    # A large export supplier A's contact asked for, made (its page and file are theirs alone).
    objects.update(export_list="issues", export_format="csv")
    objects["export_job"] = ExportJob.objects.create(
        requested_by=contact_a,
        list_name="issues",
        file_format="csv",
        query=urlencode({"q": text}),
        status=ExportStatus.DONE,
        filename="issues.csv",
        content=f"\ufeffIssue\r\n{text}\r\n".encode(),
        expires_at=now + timedelta(hours=1),
    ).pk

    if render_pdfs:
        perform_outbox()
    else:
        for minutes in (first, approved):
            MinutesPdf.objects.create(minutes=minutes, content=b"%PDF-1.7 stub", sha256="0" * 64)
    return world


def perform_outbox():
    """Carry out every promised job and e-mail, as the worker would (a PDF job promises more
    e-mails, so repeat until nothing is left)."""
    while True:
        due = list(OutboxMessage.objects.filter(done_at=None, failed_at=None))
        if not due:
            return
        for message in due:
            assert outbox.perform(message.pk), f"{message.key}: {message.last_error}"


# url name -> {url kwarg: World.objects key}. Every URL that takes an argument has a row; the
# IDOR sweep fails on one that does not.
ROUTES = {
    "portal:supplier_detail": {"pk": "supplier"},
    "suppliers:edit": {"pk": "supplier"},
    "suppliers:contact_add": {"pk": "supplier"},
    "suppliers:contact_delete": {"pk": "supplier", "contact_pk": "contact"},
    "suppliers:invitation_create": {"pk": "supplier"},
    "suppliers:invitation_resend": {"pk": "supplier", "invitation_pk": "invitation"},
    "suppliers:invitation_revoke": {"pk": "supplier", "invitation_pk": "invitation"},
    "suppliers:accept_invitation": {"token": "token"},
    "governance:sign_off_link": {"token": "sign_off_token"},
    "governance:sign_off_request": {"pk": "contract"},
    "governance:sign_off_confirm": {"pk": "contract"},
    "password_reset_confirm": {"uidb64": "reset_uid", "token": "reset_token"},
    "people_deactivate": {"pk": "person"},
    "portal:personal_data": {"pk": "person"},
    "portal:personal_data_json": {"pk": "person"},
    "portal:person_erase": {"pk": "person"},
    "people_reactivate": {"pk": "person"},
    "people_reset_second_factor": {"pk": "person"},
    "people_change_role": {"pk": "person"},
    "suppliers:person_reinvite": {"pk": "person"},
    "portal:contract_detail": {"pk": "contract"},
    "suppliers:contract_edit": {"pk": "contract"},
    "suppliers:contract_status": {"pk": "contract"},
    "suppliers:notice_decide": {"pk": "contract"},
    "suppliers:notice_snooze": {"pk": "contract"},
    "portal:contract_history": {"pk": "contract"},
    "suppliers:commitment_add": {"pk": "contract"},
    "suppliers:commitment_delete": {"pk": "contract", "commitment_pk": "commitment"},
    "suppliers:service_level_add": {"pk": "contract"},
    "suppliers:service_level_delete": {"pk": "contract", "service_level_pk": "service_level"},
    "relationship:city_goal_edit": {"pk": "city_goal"},
    "relationship:city_goal_retire": {"pk": "city_goal"},
    "relationship:city_goal_reinstate": {"pk": "city_goal"},
    "relationship:goal_add": {"pk": "contract"},
    "relationship:goal_edit": {"pk": "contract", "goal_pk": "goal"},
    "relationship:goal_status": {"pk": "contract", "goal_pk": "goal"},
    "governance:role_holder_add": {"pk": "contract", "level": "level"},
    "governance:role_holder_remove": {"pk": "contract", "level": "level", "holder_pk": "holder"},
    "governance:mandate_edit": {"pk": "contract", "level": "level"},
    "governance:response_time_edit": {"pk": "contract", "level": "level"},
    "meetings:forum_detail": {"pk": "forum"},
    "meetings:forum_edit": {"pk": "forum"},
    "portal:meeting_detail": {"pk": "meeting"},
    "meetings:meeting_cancel": {"pk": "coming_meeting"},
    "meetings:agenda_proposals": {"pk": "coming_meeting"},
    "meetings:agenda_proposal_add": {"pk": "coming_meeting"},
    "meetings:agenda_proposal_decide": {"pk": "proposal"},
    "meetings:meeting_calendar": {"pk": "meeting"},
    "meetings:minutes_start": {"pk": "meeting"},
    "meetings:minutes_detail": {"pk": "minutes"},
    "meetings:minutes_item_add": {"pk": "minutes"},
    "meetings:attendee_add": {"pk": "minutes"},
    "meetings:minutes_approve": {"pk": "minutes"},
    "meetings:minutes_correct": {"pk": "approved_minutes"},
    "meetings:comment_add": {"pk": "minutes"},
    "meetings:minutes_pdf": {"pk": "approved_minutes"},
    "meetings:minutes_item_edit": {"pk": "item"},
    "meetings:action_add": {"pk": "item"},
    "meetings:action_edit": {"pk": "action"},
    "meetings:action_detail": {"pk": "action"},
    "meetings:action_update": {"pk": "action"},
    "meetings:attendance_toggle": {"pk": "attendance"},
    "relationship:expectation_list": {"pk": "contract"},
    "relationship:expectation_add": {"pk": "contract"},
    "relationship:expectation_edit": {"pk": "expectation"},
    "relationship:pulse_answer": {"pk": "quarterly_meeting"},
    "escalations:issue_detail": {"pk": "issue"},
    "escalations:issue_move": {"pk": "issue", "move": "move"},
    "escalations:issue_comment": {"pk": "issue"},
    "operations:contract_figures": {"pk": "contract"},
    "operations:report": {"pk": "contract"},
    "operations:import_detail": {"pk": "figure_import"},
    "operations:import_confirm": {"pk": "figure_import"},
    "operations:measurement_correct": {"pk": "measurement"},
    "documents:attachments": {"kind": "attachment_kind", "object_id": "contract"},
    "documents:document": {"pk": "document"},
    "documents:download": {"pk": "document", "number": "version_number"},
    "export": {"name": "export_list", "file_format": "export_format"},
    "export_job": {"pk": "export_job"},
    "export_download": {"pk": "export_job"},
    "risks:detail": {"pk": "risk"},
    "risks:edit": {"pk": "risk"},
    "risks:comment_add": {"pk": "risk"},
    "risks:agenda_add": {"pk": "risk"},
    "api:token_revoke": {"pk": "api_token"},
}


def route_kwargs(world, url_name):
    return {kwarg: world.objects[key] for kwarg, key in ROUTES[url_name].items()}
