"""Writes that bypass model.save() (queryset update and delete, bulk create and update, raw SQL)
bypass simple-history too. Each one in the project has a decision below, and each that changes a
governance record leaves its who, when and what: a history row, or the record's own fields.
Shared page fragments (governance/fragments.py) count on those history rows to know when a
page has changed."""

import ast
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance.models import GovernanceLevel
from meetings.models import (
    Action,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingStatus,
    MinutesItem,
)
from meetings.services import add_action, approve_minutes, reconcile_meetings, start_minutes
from operations.models import FigureImport, ImportStatus, Measurement, Source, TicketCount
from operations.services import import_reason, perform_import, record_measurement
from suppliers.models import Contract, Invitation
from suppliers.services import invite_contact
from tests.factories import make_forum, make_service_level, mark_present
from tests.helpers import squashed

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
APPS = [
    "governance",
    "suppliers",
    "escalations",
    "operations",
    "meetings",
    "relationship",
    "portal",
]
BULK_METHODS = {"update", "delete", "bulk_create", "bulk_update", "raw", "extra", "execute"}

# (file, function, method) -> why it may write around simple-history. A new one fails the
# inventory test below until someone decides.
DECISIONS = {
    ("governance/outbox.py", "enqueue_many", "bulk_create"): "bookkeeping: e-mails and jobs",
    ("governance/outbox.py", "relay_due_messages", "update"): "bookkeeping: outbox leases",
    ("governance/notifications.py", "route", "bulk_create"): (
        "bookkeeping: e-mails held for the recipient's weekly digest"
    ),
    ("portal/digest.py", "send_weekly_digests", "update"): (
        "bookkeeping: held e-mails marked as sent in this week's digest"
    ),
    ("governance/health.py", "check_database", "execute"): "reads: SELECT 1",
    ("governance/fragments.py", "data_version", "execute"): "reads: the newest history rows",
    ("governance/fragments.py", "_prepared_row", "execute"): "reads: the newest history rows",
    ("governance/sessions.py", "save", "delete"): "not a queryset: a session's cached copy",
    # A sign-off link replaced (by a newer one or a change) records when, on its own row.
    ("governance/services.py", "_ask", "update"): "explicit fields: superseded_at",
    ("governance/services.py", "reopen_sign_off", "update"): "explicit fields: superseded_at",
    # Authenticators and recovery codes are credentials, not governance records: their changes
    # are in the access log (set up, new codes, reset), never their secrets.
    ("governance/mfa.py", "new_authenticator", "delete"): "credentials: an unconfirmed key",
    ("governance/mfa.py", "confirm_authenticator", "delete"): "credentials: the replaced app",
    ("governance/mfa.py", "_new_recovery_codes", "delete"): "credentials: old recovery codes",
    ("governance/mfa.py", "_new_recovery_codes", "bulk_create"): "credentials: recovery codes",
    ("governance/exports.py", "purge_expired_exports", "delete"): (
        "bookkeeping: exported files past their keeping time"
    ),
    ("governance/services.py", "purge_old_records", "delete"): (
        "retention: access-log (ours and django-axes's), sent outbox and (HISTORY_DAYS) "
        "history rows past their keeping time"
    ),
    # Erasure on request (portal/erasure.py): the live rows it changes get a history row
    # naming who erased; these writes are the records' copies and bookkeeping around them.
    ("portal/erasure.py", "_revoke_invitations", "update"): (
        "revoked_at and revoked_by, and the pseudonym in place of the erased person's name "
        "and address (invitations have no history)"
    ),
    ("portal/erasure.py", "_rewrite_history", "update"): (
        "erasure: the history rows' copies of the person's name, address and phone number "
        "become the pseudonym; a history row of its own would copy them again"
    ),
    ("portal/erasure.py", "erase_person", "delete"): (
        "erasure: the e-mails held for the erased person's digest (bookkeeping, no history)"
    ),
    ("portal/erasure.py", "_pseudonymise_sign_offs", "update"): (
        "erasure: the sign-offs and sign-off links name the pseudonym, their history rows too"
    ),
    ("portal/erasure.py", "_delete_mail_to", "delete"): (
        "erasure: the e-mails to the erased person (bookkeeping, no history)"
    ),
    ("portal/erasure.py", "_forget_address_in_access_log", "update"): (
        "erasure: the access log keeps its rows, with the pseudonym for the address "
        "(the ERASED event records who did it)"
    ),
    ("portal/erasure.py", "_delete_sign_in_records", "delete"): (
        "bookkeeping: django-axes's sign-in counts and logs for the erased person's address"
    ),
    ("portal/erasure.py", "_delete_authenticators", "delete"): (
        "credentials: the erased person's authenticator and recovery codes"
    ),
    ("portal/management/commands/seed_demo.py", "_past_meetings", "update"): "demo data",
    ("portal/management/commands/seed_demo.py", "_past_quarter", "update"): "demo data",
    ("portal/management/commands/seed_demo.py", "_supplier_user", "update"): "demo data",
    ("suppliers/services.py", "invite_contact", "update"): (
        "the replaced invitation keeps revoked_at and revoked_by"
    ),
    ("suppliers/services.py", "revoke_invitation", "update"): "revoked_at and revoked_by",
    ("suppliers/services.py", "remove_contact", "update"): (
        "the invitations to a person who left keep revoked_at and revoked_by"
    ),
    ("suppliers/services.py", "purge_expired_invitations", "delete"): (
        "housekeeping: never-accepted invitations a month past expiry are not kept"
    ),
    ("meetings/agenda.py", "_add_items", "bulk_create"): (
        "configuration: the standard agenda templates, not a record"
    ),
    ("meetings/ics.py", "_address", "update"): "not a queryset: a calendar address's parameters",
    ("meetings/services.py", "reconcile_meetings", "bulk_create"): (
        "planned by the portal from the forum's rule (whose changes the forum's history keeps); "
        "created_at says when"
    ),
    ("meetings/services.py", "reconcile_meetings", "update"): (
        "cancelled_at, and cancelled_by empty: the portal, as no rule asks for the meeting"
    ),
    ("meetings/services.py", "cancel_meeting", "update"): "cancelled_at and cancelled_by",
    ("meetings/services.py", "take_forum_contracts", "delete"): (
        "a coming meeting's contracts follow its forum's, whose history records the change"
    ),
    ("meetings/services.py", "take_forum_contracts", "bulk_create"): (
        "a coming meeting's contracts follow its forum's, whose history records the change"
    ),
    ("meetings/services.py", "end_contract_meetings", "delete"): (
        "an ended contract leaves its coming joint meetings: the contract's StatusDecision "
        "records who ended it, when and why"
    ),
    ("meetings/services.py", "notify_meeting_changes", "update"): (
        "bookkeeping: the calendar SEQUENCE last e-mailed"
    ),
    ("meetings/services.py", "queue_meeting_reminders", "update"): "bookkeeping: reminder sent",
    ("meetings/services.py", "update_forum", "update"): (
        "follows the forum's change, which the forum's history records"
    ),
    ("meetings/services.py", "approve_minutes", "update"): (
        "the meeting held: the minutes' approved_by and approved_at record it"
    ),
    ("operations/bulk.py", "insert_with_history", "execute"): (
        "reads: the new figures' ids from their sequence, for the figures and history rows "
        "COPY writes"
    ),
    ("operations/bulk.py", "update_with_history", "execute"): (
        "history row: each changed figure gets its '~' row by COPY, with the user, date and "
        "reason simple-history's bulk_update_with_history would give it"
    ),
    ("operations/bulk.py", "_copy", "copy"): (
        "history row: COPY writes the imported figures and a '+' or '~' history row for each "
        "(user, date, reason), as simple-history's bulk helpers would"
    ),
}


class BulkWriteFinder(ast.NodeVisitor):
    """Finds the calls in one file that may write around model.save().

    A call of update() or delete() on a plain name (`holder.delete()`, `context.update(...)`) is
    an instance's or a dict's, so for those only chained receivers count
    (`Model.objects.filter(...).update(...)`); raw SQL counts however it is reached, and so does
    a COPY (psycopg's `cursor.copy(statement)`; a dict's or a QueryDict's copy() takes nothing).
    """

    ALWAYS = {"raw", "extra", "execute", "bulk_create", "bulk_update"}

    def __init__(self, path):
        self.path = path
        self.functions = []
        self.found = set()

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Call(self, node):
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr == "copy" and node.args:
            where = self.functions[-1] if self.functions else "<module>"
            self.found.add((self.path, where, function.attr))
        if isinstance(function, ast.Attribute) and function.attr in BULK_METHODS:
            receiver = function.value
            chained = (
                not isinstance(receiver, ast.Name)
                and not (
                    isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super"
                )
                # A form widget's HTML attributes (`field.widget.attrs.update(...)`): a dict.
                and not (isinstance(receiver, ast.Attribute) and receiver.attr == "attrs")
            )
            if chained or function.attr in self.ALWAYS:
                where = self.functions[-1] if self.functions else "<module>"
                self.found.add((self.path, where, function.attr))
        self.generic_visit(node)


def bulk_writes():
    """(file, function, method) of each such call in the apps; the migrations are schema
    history and run once."""
    found = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            finder = BulkWriteFinder(str(path.relative_to(ROOT)))
            finder.visit(ast.parse(path.read_text(), filename=str(path)))
            found |= finder.found
    return found


def test_every_write_around_the_history_has_a_decision():
    found = bulk_writes()
    assert found - set(DECISIONS) == set(), "decide: history row, explicit fields or bookkeeping"
    assert set(DECISIONS) - found == set(), "no longer in the code: remove from DECISIONS"


def recent(record):
    return abs(record.history_date - timezone.now()) < timedelta(minutes=1)


def assert_recorded(instance, by, history_type="+"):
    """The instance's latest history row is by `by`, just now, and holds its current values."""
    record = instance.history.latest("history_date", "history_id")
    assert record.history_type == history_type
    assert record.history_user == by
    assert recent(record)
    for model_field in type(instance)._meta.concrete_fields:
        assert getattr(record, model_field.attname) == getattr(instance, model_field.attname), (
            f"{type(instance).__name__}.{model_field.name}"
        )
    return record


def test_a_new_contract_s_governance_levels_are_in_its_history(client_for, procurement, supplier_a):
    client_for(procurement).post(
        reverse("suppliers:contract_create"),
        {
            "supplier": supplier_a.pk,
            "reference": "H-1",
            "title": "Hosting",
            "scope": "Servers",
            "start_date": "2026-01-01",
            "notice_period_months": 6,
            "renewal": "express",
            "annual_value_sek": 100,
        },
    )
    contract = Contract.objects.get(reference="H-1")
    levels = GovernanceLevel.objects.filter(contract=contract)
    assert levels.count() == 3
    for level in levels:
        assert_recorded(level, procurement)
    page = client_for(procurement).get(reverse("portal:contract_history", args=[contract.pk]))
    body = page.content.decode()
    for label in ["Business level", "Contract level", "Operational level"]:
        assert f"Mandate, {label}" in body


def held_meeting(forum, days_ago=0):
    starts_at = timezone.now() - timedelta(days=days_ago, hours=2)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


def test_started_minutes_record_who_created_each_item_action_and_attendee(
    client_for, procurement, contract_a
):
    forum = make_forum([contract_a], procurement)
    last_week = start_minutes(meeting=held_meeting(forum, days_ago=7), by=procurement)
    add_action(
        minutes=last_week,
        item=last_week.items.first(),
        description="Patch the firewall",
        owner_name="Ola",
        owner_organisation="Alpha",
        due_on=None,
        by=None,
    )
    approve_minutes(minutes=mark_present(last_week), by=procurement)
    meeting = held_meeting(forum)

    client_for(procurement).post(reverse("meetings:minutes_start", args=[meeting.pk]))

    minutes = meeting.minutes_versions.get()
    rows = [*minutes.items.all(), *minutes.actions.all(), *minutes.attendance.all()]
    assert {type(row) for row in rows} == {MinutesItem, Action, Attendance}
    assert minutes.actions.get().description == "Patch the firewall"  # carried
    for row in rows:
        assert_recorded(row, procurement)


def test_each_edit_of_the_minutes_is_in_the_history(client_for, procurement, contract_a):
    forum = make_forum([contract_a], procurement)
    minutes = start_minutes(meeting=held_meeting(forum), by=procurement)
    item = minutes.items.first()
    client = client_for(procurement)

    client.post(
        reverse("meetings:minutes_item_edit", args=[item.pk]),
        {
            f"item-{item.pk}-notes": "Uptime fine",
            f"item-{item.pk}-decisions": "Keep",
            f"item-{item.pk}-revision": 0,
        },
    )
    item.refresh_from_db()
    assert item.notes == "Uptime fine"
    assert_recorded(item, procurement, "~")

    prefix = f"new-action-{item.pk}"
    client.post(
        reverse("meetings:action_add", args=[item.pk]),
        {
            f"{prefix}-description": "Send the report",
            f"{prefix}-owner_name": "Ola",
            f"{prefix}-owner_organisation": "Alpha",
            f"{prefix}-due_on": "2026-12-01",
        },
    )
    action = minutes.actions.get()
    assert_recorded(action, procurement)

    client.post(
        reverse("meetings:action_edit", args=[action.pk]),
        {
            f"action-{action.pk}-description": "Send the report",
            f"action-{action.pk}-owner_name": "Ola",
            f"action-{action.pk}-owner_organisation": "Alpha",
            f"action-{action.pk}-due_on": "2026-12-01",
            f"action-{action.pk}-status": ActionStatus.DONE,
            f"action-{action.pk}-revision": 0,
        },
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert_recorded(action, procurement, "~")
    assert [record.status for record in action.history.order_by("history_id")] == [
        ActionStatus.OPEN,
        ActionStatus.DONE,
    ]

    row = minutes.attendance.first()
    client.post(reverse("meetings:attendance_toggle", args=[row.pk]), {"present": "on"})
    row.refresh_from_db()
    assert row.present
    assert_recorded(row, procurement, "~")

    client.post(
        reverse("meetings:attendee_add", args=[minutes.pk]),
        {
            "name": "Guest",
            "email": "guest@example.org",
            "organisation": "Alpha",
            "side": "supplier",
        },
    )
    assert_recorded(minutes.attendance.get(name="Guest"), procurement)

    client.post(reverse("meetings:minutes_item_add", args=[minutes.pk]), {"title": "Any other"})
    assert_recorded(minutes.items.get(title="Any other"), procurement)


def test_approval_records_the_figures_it_freezes(client_for, procurement, contract_a):
    forum = make_forum([contract_a], procurement)
    make_service_level(contract_a)
    minutes = mark_present(start_minutes(meeting=held_meeting(forum), by=procurement))

    client_for(procurement).post(reverse("meetings:minutes_approve", args=[minutes.pk]))

    frozen = minutes.items.filter(figures__isnull=False)
    assert frozen.count() == 3  # availability, tickets, questions
    for item in frozen:
        assert_recorded(item, procurement, "~")


def test_cancelled_meetings_say_who_cancelled_them_and_when(client_for, procurement, contract_a):
    forum = make_forum([contract_a], procurement)
    reconcile_meetings()
    first, second = forum.meetings.order_by("starts_at")[:2]

    client_for(procurement).post(reverse("meetings:meeting_cancel", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == MeetingStatus.CANCELLED
    assert first.cancelled_by == procurement
    assert abs(first.cancelled_at - timezone.now()) < timedelta(minutes=1)

    forum.is_active = False
    forum.save()
    reconcile_meetings()
    second.refresh_from_db()
    assert second.status == MeetingStatus.CANCELLED
    assert second.cancelled_by is None  # the portal: no rule asks for it any more
    assert abs(second.cancelled_at - timezone.now()) < timedelta(minutes=1)


def test_a_forum_change_that_moves_its_meetings_is_in_the_forum_s_history(
    client_for, procurement, contract_a
):
    forum = make_forum([contract_a], procurement, duration_minutes=60)
    reconcile_meetings()
    client_for(procurement).post(
        reverse("meetings:forum_edit", args=[forum.pk]),
        {
            "name": forum.name,
            "level": forum.level,
            "cadence": forum.cadence,
            "contracts": [contract_a.pk],
            "chair": procurement.pk,
            "mode": "phone",
            "dial_in": forum.dial_in,
            "weekday": forum.weekday,
            "time_of_day": "09:00",
            "duration_minutes": 90,
            "week_of_month": 2,
            "month_of_quarter": 1,
            "month_of_year": 11,
            "on_holiday": "move",
            "starts_on": "2020-01-01",
            "is_active": "on",
        },
    )
    forum.refresh_from_db()
    assert forum.duration_minutes == 90
    record = assert_recorded(forum, procurement, "~")
    assert record.prev_record.duration_minutes == 60
    coming = forum.meetings.filter(starts_at__gt=timezone.now())
    assert coming.exists()
    assert all(m.ends_at - m.starts_at == timedelta(minutes=90) for m in coming)


def test_revoked_and_replaced_invitations_say_by_whom(client_for, procurement, supplier_a):
    first, _token = invite_contact(
        supplier=supplier_a, name="Ina", email="ina@alpha.example", by=procurement
    )
    client = client_for(procurement)
    client.post(reverse("suppliers:invitation_resend", args=[supplier_a.pk, first.pk]))
    first.refresh_from_db()
    assert first.revoked_by == procurement
    assert abs(first.revoked_at - timezone.now()) < timedelta(minutes=1)

    second = Invitation.objects.pending().get(supplier=supplier_a)
    client.post(reverse("suppliers:invitation_revoke", args=[supplier_a.pk, second.pk]))
    second.refresh_from_db()
    assert second.revoked_by == procurement
    assert second.revoked_at is not None


def test_linking_a_figure_to_its_breach_issue_is_in_its_history(procurement, contact_a, contract_a):
    service_level = make_service_level(contract_a, target="98")
    day = date(2026, 10, 1)
    record_measurement(
        service_level=service_level, period_start=day, value=Decimal("99.0"), by=contact_a
    )
    # The target is raised afterwards; the same value reported again now misses it.
    service_level.target = Decimal("99.5")
    service_level.save()

    recorded = record_measurement(
        service_level=service_level, period_start=day, value=Decimal("99.0"), by=procurement
    )

    assert recorded.raised is not None and not recorded.changed
    measurement = Measurement.objects.get(pk=recorded.measurement.pk)
    assert measurement.breach_issue == recorded.raised
    record = assert_recorded(measurement, procurement, "~")
    assert record.history_change_reason == "Linked to the issue raised for its breach"


def test_a_deleted_service_level_s_figures_leave_their_history(
    client_for, procurement, contact_a, contract_a
):
    service_level = make_service_level(contract_a)
    for month in (9, 10):
        record_measurement(
            service_level=service_level,
            period_start=date(2026, month, 1),
            value=Decimal("99.9"),
            by=contact_a,
        )
    ids = list(Measurement.objects.values_list("pk", flat=True))

    client_for(procurement).post(
        reverse("suppliers:service_level_delete", args=[contract_a.pk, service_level.pk])
    )

    assert not Measurement.objects.exists()
    for pk in ids:
        record = Measurement.history.filter(id=pk).latest("history_date", "history_id")
        assert record.history_type == "-"
        assert record.history_user == procurement


def import_file(client, content, name="figures.csv"):
    """Upload, confirm and import a CSV file as its uploader; the finished import."""
    client.post(
        reverse("operations:import_upload"),
        {"file": SimpleUploadedFile(name, content.encode(), "text/csv")},
    )
    figure_import = FigureImport.objects.latest("pk")
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))
    perform_import({"import_id": figure_import.pk})
    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.DONE, figure_import.error
    return figure_import


def test_imported_and_reimported_measurements_are_in_their_history(
    client_for, procurement, contact_a, contract_a
):
    service_level = make_service_level(contract_a)
    header = "contract,service_level,period,value\n"
    client = client_for(contact_a)
    first = import_file(
        client,
        header + "A-001,Server operations,2026-09,99.9\nA-001,Server operations,2026-10,99.8\n",
    )
    september = Measurement.objects.get(service_level=service_level, period_start=date(2026, 9, 1))
    created = assert_recorded(september, contact_a)
    assert created.history_change_reason == import_reason(first)
    assert created.source == Source.IMPORT

    second = import_file(
        client,
        header + "A-001,Server operations,2026-09,99.7\nA-001,Server operations,2026-10,99.8\n",
        name="corrected.csv",
    )

    september.refresh_from_db()
    changed = assert_recorded(september, contact_a, "~")
    assert changed.history_change_reason == f"Imported from corrected.csv (import {second.pk})"
    assert changed.prev_record == created
    october = Measurement.objects.get(service_level=service_level, period_start=date(2026, 10, 1))
    assert october.history.count() == 1  # unchanged: left alone
    page = client_for(procurement).get(
        reverse("operations:measurement_correct", args=[september.pk])
    )
    body = squashed(page.content.decode())
    assert "99.9 → 99.7" in body
    assert import_reason(first) in body and import_reason(second) in body
    assert body.count(str(contact_a)) >= 2


def test_imported_and_reimported_support_counts_are_in_their_history(
    client_for, admin_user, contact_a, contract_a
):
    header = "contract,period,priority,opened,closed\n"
    client = client_for(contact_a)
    first = import_file(client, header + "A-001,2026-09,P1,3,2\nA-001,2026-09,P2,10,9\n")
    p1 = TicketCount.objects.get(priority="P1")
    assert assert_recorded(p1, contact_a).history_change_reason == import_reason(first)

    second = import_file(client, header + "A-001,2026-09,P1,3,3\nA-001,2026-09,P2,10,9\n")

    p1.refresh_from_db()
    changed = assert_recorded(p1, contact_a, "~")
    assert changed.history_change_reason == import_reason(second)
    assert (changed.prev_record.closed, changed.closed) == (2, 3)
    assert TicketCount.objects.get(priority="P2").history.count() == 1
    page = client_for(admin_user).get(reverse("admin:operations_ticketcount_history", args=[p1.pk]))
    body = page.content.decode()
    assert import_reason(first) in body and import_reason(second) in body
    assert str(contact_a) in body
    assert re.search(r"Closed:</strong>\s*2\s*&nbsp;&rarr;&nbsp;&nbsp;3", body)
