"""Between meetings: an action's owner updates it (history kept, approved minutes untouched, the
next minutes start from it); reminders before the due date and when overdue, once per step;
each person's e-mail settings and weekly digest."""

from datetime import timedelta
from importlib import import_module

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    Delivery,
    GovernanceLevel,
    HeldEmail,
    Level,
    OutboxMessage,
    Role,
    RoleHolder,
    Side,
)
from governance.notifications import save_settings
from meetings.models import Action, ActionStatus, Meeting
from meetings.services import (
    add_action,
    approve_minutes,
    queue_action_reminders,
    reconcile_meetings,
    start_minutes,
)
from portal import dashboard
from portal.digest import send_weekly_digests
from portal.erasure import erase_person
from suppliers.models import ContractStatus
from tests.factories import make_forum, make_issue, make_user, mark_present

pytestmark = pytest.mark.django_db

OWNER_EMAIL = "supplier.operational@example.org"  # supplier A's operational role holder


@pytest.fixture
def owner(supplier_a):
    return make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email=OWNER_EMAIL)


def held_meeting(forum, days_ago):
    starts_at = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


@pytest.fixture
def forum(contract_a, procurement):
    return make_forum([contract_a], procurement)


@pytest.fixture
def action(forum, procurement, owner):
    """An open action owned by supplier A's operational role holder, in approved minutes."""
    minutes = start_minutes(meeting=held_meeting(forum, 7), by=procurement)
    action = add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Send the root-cause analysis",
        owner_name="Supplier person",  # as the attendance (the role holder) names them
        owner_organisation="Alpha Drift AB",
        due_on=timezone.localdate() + timedelta(days=10),
        by=procurement,
    )
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    return action


def update(client, user, action, **data):
    client.force_login(user)
    return client.post(reverse("meetings:action_update", args=[action.pk]), data)


def test_the_minutes_naming_an_attendee_with_an_account_make_them_the_owner(action, owner):
    assert action.owner == owner
    assert action.owner_name == "Supplier person"  # the record's snapshot stays


def test_owner_updates_an_action_between_meetings_and_the_next_minutes_start_from_it(
    client, action, owner, forum, procurement
):
    response = update(client, owner, action, status="done", comment="Sent to the city on Friday")
    assert response.status_code == 302

    page = client.get(reverse("meetings:action_detail", args=[action.pk])).content.decode()
    assert "Sent to the city on Friday" in page
    assert f"Updated by {owner}" in page
    listed = client.get(reverse("meetings:action_list") + "?status=done&mine=1").content.decode()
    assert "Send the root-cause analysis" in listed
    # The approved minutes still say what was agreed at the meeting.
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert action.minutes.is_approved

    coming = held_meeting(forum, 0)
    agenda = client.get(coming.get_absolute_url()).content.decode()
    assert "Done</strong> (updated since the minutes)" in agenda
    next_minutes = start_minutes(meeting=coming, by=procurement)
    carried = next_minutes.actions.get()
    assert carried.origin == action
    assert carried.status == ActionStatus.DONE
    assert carried.owner == owner


def test_an_update_reaches_draft_minutes_already_started(client, action, owner, forum, procurement):
    next_minutes = start_minutes(meeting=held_meeting(forum, 0), by=procurement)
    assert update(client, owner, action, status="done", comment="").status_code == 302
    assert next_minutes.actions.get().status == ActionStatus.DONE


def test_a_contact_of_the_same_supplier_may_update_another_suppliers_may_not(
    client, action, supplier_a, contact_b, director, procurement
):
    colleague = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a)
    assert update(client, colleague, action, status="open", comment="On it").status_code == 302
    assert update(client, contact_b, action, status="done", comment="x").status_code == 404
    assert update(client, director, action, status="done", comment="x").status_code == 403
    assert action.all_updates.count() == 1
    assert update(client, procurement, action, status="open", comment="Ok").status_code == 302


def test_htmx_gets_the_section_back_saved_or_with_its_errors(client, action, owner):
    client.force_login(owner)
    url = reverse("meetings:action_update", args=[action.pk])
    refused = client.post(url, {"status": "dropped", "comment": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 200  # htmx swaps only a 2xx answer
    assert "Say why the action is dropped." in refused.content.decode()
    assert "<html" not in refused.content.decode()
    saved = client.post(
        url,
        {"status": "dropped", "comment": "Replaced by the new contract"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Your update is saved" in saved
    assert "Replaced by the new contract" in saved
    assert saved.lstrip().startswith('<div id="action-section">')


def test_dropping_without_a_reason_is_refused_and_the_text_kept(client, action, owner):
    response = update(client, owner, action, status="dropped", comment="")
    assert response.status_code == 400
    assert "Say why the action is dropped." in response.content.decode()
    response = update(client, owner, action, status="nonsense", comment="Keep this text")
    assert response.status_code == 400
    assert "Keep this text" in response.content.decode()
    assert not action.all_updates.exists()


def reminders():
    return sorted(
        OutboxMessage.objects.filter(key__startswith="action-").values_list("key", flat=True)
    )


def test_owner_is_reminded_before_the_due_date_and_when_overdue_once_per_step(action, owner):
    due = action.due_on
    assert queue_action_reminders(today=due - timedelta(days=4)) == 0
    queue_action_reminders(today=due - timedelta(days=3))
    queue_action_reminders(today=due - timedelta(days=1))  # the same step: nothing new
    assert reminders() == [f"action-reminder:{action.pk}:{due}:{owner.pk}"]
    message = OutboxMessage.objects.get(key__startswith="action-reminder:")
    assert message.payload["to"] == [OWNER_EMAIL]
    assert "Send the root-cause analysis" in message.payload["body"]

    queue_action_reminders(today=due + timedelta(days=1))
    queue_action_reminders(today=due + timedelta(days=6))
    assert len(reminders()) == 2  # overdue: once
    queue_action_reminders(today=due + timedelta(days=8))
    queue_action_reminders(today=due + timedelta(days=9))
    assert reminders() == [
        f"action-overdue:{action.pk}:{due}:0:{owner.pk}",
        f"action-overdue:{action.pk}:{due}:1:{owner.pk}",
        f"action-reminder:{action.pk}:{due}:{owner.pk}",
    ]


def test_an_action_its_owner_closed_is_not_reminded(client, action, owner):
    update(client, owner, action, status="done", comment="Done")
    assert queue_action_reminders(today=action.due_on + timedelta(days=1)) == 0


def test_a_switched_off_kind_is_not_sent(action, owner):
    save_settings(user=owner, deliveries={"action-reminder": Delivery.OFF})
    queue_action_reminders(today=action.due_on)
    assert reminders() == []
    assert not HeldEmail.objects.exists()


def test_a_digest_kind_comes_in_the_weekly_digest_not_at_once(action, owner):
    save_settings(user=owner, deliveries={"action-reminder": Delivery.DIGEST})
    queue_action_reminders(today=action.due_on)
    queue_action_reminders(today=action.due_on)  # a rerun holds it once
    assert reminders() == []
    held = HeldEmail.objects.get()
    assert held.user == owner

    assert send_weekly_digests() >= 1
    digest = OutboxMessage.objects.get(key__startswith=f"digest:{owner.pk}:")
    assert held.subject in digest.payload["body"]
    held.refresh_from_db()
    assert held.digest_key == digest.key
    assert send_weekly_digests() == 0  # this week's digests are queued already


def test_the_digest_holds_the_persons_things_and_only_theirs(
    action, owner, contract_a, contract_b, supplier_b, contact_b, procurement
):
    mine = make_issue([contract_a], procurement, title="Alpha storage outage")
    theirs = make_issue([contract_b], procurement, title="Beta login failures")
    # Supplier B's contact holds B's operational role; fill_governance gave the same address
    # to both contracts' holders, so supplier A's contact holds a role at B's level too:
    # visibility must still keep B's issue from them.
    RoleHolder.objects.create(
        governance_level=GovernanceLevel.objects.get(contract=contract_b, level=Level.OPERATIONAL),
        side=Side.SUPPLIER,
        role_title="Service manager",
        name="Bea",
        email=contact_b.email,
    )
    send_weekly_digests()

    to_owner = OutboxMessage.objects.get(key__startswith=f"digest:{owner.pk}:").payload["body"]
    assert "Send the root-cause analysis" in to_owner
    assert mine.title in to_owner
    assert theirs.title not in to_owner
    to_b = OutboxMessage.objects.get(key__startswith=f"digest:{contact_b.pk}:").payload["body"]
    assert theirs.title in to_b
    assert mine.title not in to_b
    assert "Send the root-cause analysis" not in to_b
    assert contract_a.reference not in to_b


def test_meeting_invitations_cannot_be_switched_off(client, owner):
    client.force_login(owner)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "Reminders of your actions before their due date" in page
    assert "Meeting invitations, changes and cancellations" not in page


def test_settings_page_saves_and_refuses_a_digest_that_is_off(client, owner):
    client.force_login(owner)
    url = reverse("notification_settings")
    response = client.post(url, {"digest": "off", "action-reminder": "digest"})
    assert response.status_code == 400
    assert "The weekly digest is switched off" in response.content.decode()
    assert not owner.notification_settings.exists()

    form = {"digest": "at_once", "action-reminder": "digest", "issue": "off"}
    assert client.post(url, form).status_code == 302
    assert dict(owner.notification_settings.values_list("kind", "delivery")) == {
        "digest": "at_once",
        "action-reminder": "digest",
        "issue": "off",
        **{
            kind: "at_once"
            for kind in (
                "minutes-mail",
                "action-overdue",
                "issue-late",
                "notice-alert",
                "agenda-proposal",
                "agenda-decision",
                "risk-review",
            )
        },
    }


def test_an_overdue_action_its_owner_closed_leaves_the_dashboard_at_the_next_look(
    client, forum, procurement, owner
):
    minutes = start_minutes(meeting=held_meeting(forum, 14), by=procurement)
    action = add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Replace the backup tapes",
        owner_name="Supplier person",
        owner_organisation="Alpha Drift AB",
        due_on=timezone.localdate() - timedelta(days=3),
        by=procurement,
    )
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    assert dashboard.dashboard_figures()["overdue_actions"]["count"] == 1

    update(client, owner, action, status="done", comment="Replaced on Monday")
    assert dashboard.dashboard_figures()["overdue_actions"]["count"] == 0


def test_open_actions_of_approved_minutes_get_their_owners_account_by_migration(
    forum, procurement, supplier_a
):
    migration = import_module("meetings.migrations.0023_owners_of_open_actions")
    minutes = start_minutes(meeting=held_meeting(forum, 7), by=procurement)
    action = add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Send the root-cause analysis",
        owner_name="Supplier person",
        owner_organisation="Alpha Drift AB",
        due_on=None,
        by=procurement,
    )
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    assert action.owner is None  # no account yet when the minutes were written
    owner = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email=OWNER_EMAIL)

    with connection.cursor() as cursor:
        # As a migration's own transaction would be: no foreign-key checks still waiting.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as schema_editor:
        migration.name_the_owners(apps, schema_editor)

    action.refresh_from_db()
    assert action.owner == owner
    assert action.owner_name == "Supplier person"
    # The lock is back: the approved row refuses any other change.
    with pytest.raises(DatabaseError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status=ActionStatus.DONE)


def test_erasing_a_person_deletes_the_emails_held_for_their_digest(action, owner, admin_user):
    save_settings(user=owner, deliveries={"action-reminder": Delivery.DIGEST})
    queue_action_reminders(today=action.due_on)
    assert HeldEmail.objects.filter(user=owner).exists()

    erase_person(person=owner, by=admin_user)

    assert not HeldEmail.objects.filter(user=owner).exists()


def test_the_digest_tells_the_notice_deadlines_and_meetings_of_the_persons_contracts(
    owner, contract_a, contract_b, contact_b, forum, procurement
):
    today = timezone.localdate()
    for contract in (contract_a, contract_b):
        contract.status = ContractStatus.ACTIVE
        contract.end_date = today + relativedelta(months=contract.notice_period_months, days=20)
        contract.save()
    RoleHolder.objects.create(
        governance_level=GovernanceLevel.objects.get(contract=contract_b, level=Level.OPERATIONAL),
        side=Side.SUPPLIER,
        role_title="Service manager",
        name="Bea",
        email=contact_b.email,
    )
    reconcile_meetings()  # the forum's coming Monday meetings (contract A only)
    send_weekly_digests()

    to_owner = OutboxMessage.objects.get(key__startswith=f"digest:{owner.pk}:").payload["body"]
    assert f"{contract_a.reference} {contract_a.title}" in to_owner
    assert contract_b.reference not in to_owner
    assert forum.name in to_owner  # their meeting of the week
    to_b = OutboxMessage.objects.get(key__startswith=f"digest:{contact_b.pk}:").payload["body"]
    assert f"{contract_b.reference} {contract_b.title}" in to_b
    assert contract_a.reference not in to_b
    assert forum.name not in to_b


def test_the_persons_data_shows_their_updates_settings_and_held_emails(
    client, action, owner, procurement
):
    save_settings(user=owner, deliveries={"action-reminder": Delivery.DIGEST})
    queue_action_reminders(today=action.due_on)
    update(client, owner, action, status="open", comment="Waiting for the vendor's logs")

    client.force_login(procurement)
    page = client.get(reverse("portal:personal_data", args=[owner.pk])).content.decode()
    assert "Waiting for the vendor&#x27;s logs" in page
    assert "Action due" in page  # the held reminder's subject
    assert "Reminders of your actions before their due date" in page  # the setting, by name
