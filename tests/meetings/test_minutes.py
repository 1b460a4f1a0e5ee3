"""Minutes: the agenda, the editor with optimistic locking, approval locked in the database,
corrections as new versions, comments, and what each role may do with them."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Level, OutboxMessage
from meetings.models import (
    Action,
    ActionStatus,
    AgendaTemplate,
    ItemKind,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesItem,
)
from meetings.services import (
    EditConflict,
    MinutesLocked,
    NobodyPresent,
    add_action,
    approve_minutes,
    save_item,
    start_correction,
    start_minutes,
)
from tests.factories import make_forum, mark_present

pytestmark = pytest.mark.django_db


def make_meeting(forum, days_ago=0):
    starts_at = timezone.now() - timedelta(days=days_ago, hours=1)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


@pytest.fixture
def forum(contract_a, procurement):
    return make_forum([contract_a], procurement)


@pytest.fixture
def minutes(forum, procurement):
    return start_minutes(meeting=make_meeting(forum), by=procurement)


def item_data(item, notes, decisions="", revision=0):
    prefix = f"item-{item.pk}"
    return {
        f"{prefix}-notes": notes,
        f"{prefix}-decisions": decisions,
        f"{prefix}-revision": revision,
    }


def test_weekly_minutes_start_from_the_operational_standing_items(minutes):
    titles = list(minutes.items.values_list("title", flat=True))
    assert titles == [
        "Availability against target",
        "Support tickets",
        "Questions to support",
        "Open actions",
        "Escalations",
    ]


def test_quarterly_minutes_start_from_the_key_supplier_items(contract_a, procurement):
    forum = make_forum([contract_a], procurement, level=Level.CONTRACT, cadence="quarterly")
    minutes = start_minutes(meeting=make_meeting(forum), by=procurement)
    titles = list(minutes.items.values_list("title", flat=True))
    assert titles[:4] == [
        "Important issues",
        "Experiences",
        "Coming changes",
        "Ownership and resources",
    ]


def test_a_forum_can_use_another_template(contract_a, procurement):
    template = AgendaTemplate.objects.create(name="Incident review", level=Level.OPERATIONAL)
    template.items.create(position=1, title="Major incidents of the week")
    forum = make_forum([contract_a], procurement, agenda_template=template)
    minutes = start_minutes(meeting=make_meeting(forum), by=procurement)
    assert list(minutes.items.values_list("title", flat=True)) == ["Major incidents of the week"]


def test_attendance_starts_with_the_chair_and_the_role_holders(minutes, procurement):
    rows = list(minutes.attendance.all())
    assert procurement.email in [row.email for row in rows]
    assert {row.side for row in rows} == {"buyer", "supplier"}
    assert "Alpha Drift AB" in [row.organisation for row in rows]
    assert not any(row.present for row in rows)


def test_open_actions_of_the_last_meeting_are_carried_onto_the_next_agenda(
    forum, procurement, client_for
):
    earlier = start_minutes(meeting=make_meeting(forum, days_ago=7), by=procurement)
    item = earlier.items.first()
    open_action = add_action(
        minutes=earlier,
        item=item,
        description="Send the root-cause analysis",
        owner_name="Ola Drift",
        owner_organisation="Alpha Drift AB",
        due_on=date(2026, 12, 1),
        by=None,
    )
    done = add_action(
        minutes=earlier,
        item=item,
        description="Done already",
        owner_name="X",
        owner_organisation="Y",
        due_on=None,
        by=None,
    )
    Action.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    approve_minutes(minutes=mark_present(earlier), by=procurement)
    meeting = make_meeting(forum)

    page = client_for(procurement).get(meeting.get_absolute_url())
    assert "Send the root-cause analysis" in page.content.decode()
    assert "Done already" not in page.content.decode()

    minutes = start_minutes(meeting=meeting, by=procurement)
    carried = minutes.actions.get()
    assert carried.description == "Send the root-cause analysis"
    assert carried.origin == open_action
    assert carried.item.kind == ItemKind.OPEN_ACTIONS


def test_an_action_carried_twice_keeps_pointing_at_where_it_was_first_recorded(forum, procurement):
    first = start_minutes(meeting=make_meeting(forum, days_ago=14), by=procurement)
    original = add_action(
        minutes=first,
        item=first.items.first(),
        description="Renew certificates",
        owner_name="A",
        owner_organisation="B",
        due_on=None,
        by=None,
    )
    second = start_minutes(meeting=make_meeting(forum, days_ago=7), by=procurement)
    third = start_minutes(meeting=make_meeting(forum), by=procurement)
    assert second.actions.get().origin == original
    assert third.actions.get().origin == original


def test_minutes_cannot_be_started_weeks_ahead(forum, procurement, client_for):
    starts_at = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    response = client_for(procurement).post(
        reverse("meetings:minutes_start", args=[meeting.pk]), follow=True
    )
    assert "from 24 hours before the meeting starts" in response.content.decode()
    assert not meeting.minutes_versions.exists()


def test_minutes_can_be_started_24_hours_before_the_start_as_the_page_says(
    forum, procurement, client_for
):
    """The rule is 24 hours before the start, not the calendar day before: at 08:00 the
    evening meeting of tomorrow is still more than 24 hours away."""
    starts_at = timezone.now() + timedelta(hours=24, minutes=5)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    page = client_for(procurement).get(meeting.get_absolute_url()).content.decode()
    assert "The minutes can be started from 24 hours before the meeting starts." in page
    assert "Start the minutes" not in page
    assert not meeting.can_start_minutes()
    assert meeting.can_start_minutes(now=starts_at - timedelta(hours=24))
    assert not meeting.can_start_minutes(now=starts_at - timedelta(hours=24, seconds=1))


def test_starting_twice_opens_the_same_draft(forum, procurement):
    meeting = make_meeting(forum)
    assert start_minutes(meeting=meeting, by=procurement) == start_minutes(
        meeting=meeting, by=procurement
    )
    assert meeting.minutes_versions.count() == 1


def test_item_saves_through_htmx_and_escapes_what_was_written(minutes, procurement, client_for):
    item = minutes.items.first()
    response = client_for(procurement).post(
        reverse("meetings:minutes_item_edit", args=[item.pk]),
        item_data(item, "Uptime 99.2 % <script>alert(1)</script>", "Keep the target"),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<html" not in body  # the partial only
    item.refresh_from_db()
    assert item.decisions == "Keep the target"
    assert item.revision == 1


def test_second_editor_gets_a_conflict_and_keeps_their_text(
    minutes, procurement, admin_user, client_for
):
    item = minutes.items.first()
    url = reverse("meetings:minutes_item_edit", args=[item.pk])
    # Both opened the item at revision 0; the first save wins.
    client_for(admin_user).post(url, item_data(item, "First editor's notes"))
    response = client_for(procurement).post(
        url, item_data(item, "Second editor's notes"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "while you were editing" in body
    assert "First editor&#x27;s notes" in body  # theirs, shown
    assert "Second editor&#x27;s notes" in body  # mine, kept in the form
    item.refresh_from_db()
    assert item.notes == "First editor's notes"
    # Saving again from the conflict form (it now carries revision 1) is a conscious overwrite.
    client_for(procurement).post(url, item_data(item, "Merged notes", revision=1))
    item.refresh_from_db()
    assert item.notes == "Merged notes"


def test_stale_revision_is_refused_by_the_service(minutes, procurement):
    item = minutes.items.first()
    save_item(item=item, revision=0, notes="one", decisions="", by=procurement)
    with pytest.raises(EditConflict) as conflict:
        save_item(item=item, revision=0, notes="two", decisions="", by=procurement)
    assert conflict.value.current.notes == "one"


def test_action_needs_an_owner_and_says_so(minutes, procurement, client_for):
    item = minutes.items.first()
    prefix = f"new-action-{item.pk}"
    response = client_for(procurement).post(
        reverse("meetings:action_add", args=[item.pk]),
        {f"{prefix}-description": "Check the backups", f"{prefix}-due_on": "2026-13-45"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in body
    assert "Enter a valid date" in body
    assert "Check the backups" in body  # nothing typed is lost
    assert not Action.objects.exists()


def test_action_status_change_with_a_stale_revision_is_a_conflict(minutes, procurement, client_for):
    action = add_action(
        minutes=minutes,
        item=minutes.items.first(),
        description="Patch",
        owner_name="A",
        owner_organisation="B",
        due_on=None,
        by=None,
    )
    url = reverse("meetings:action_edit", args=[action.pk])
    data = {
        f"action-{action.pk}-description": "Patch",
        f"action-{action.pk}-owner_name": "A",
        f"action-{action.pk}-owner_organisation": "B",
        f"action-{action.pk}-status": "done",
        f"action-{action.pk}-revision": 0,
    }
    client = client_for(procurement)
    assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 200
    data[f"action-{action.pk}-status"] = "dropped"
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "Someone else changed this action" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_attendance_is_recorded_and_guests_added(minutes, procurement, client_for):
    client = client_for(procurement)
    row = minutes.attendance.first()
    client.post(reverse("meetings:attendance_toggle", args=[row.pk]), {"present": "on"})
    row.refresh_from_db()
    assert row.present
    client.post(
        reverse("meetings:attendee_add", args=[minutes.pk]),
        {"name": "Guest Expert", "email": "", "organisation": "Alpha Drift AB", "side": "supplier"},
    )
    assert minutes.attendance.filter(name="Guest Expert", present=True).exists()


def test_approval_locks_the_minutes_in_the_database(minutes, procurement):
    item = minutes.items.first()
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    for statement, params in [
        ("UPDATE meetings_minutesitem SET notes = %s WHERE id = %s", ["changed", item.pk]),
        ("DELETE FROM meetings_attendance WHERE minutes_id = %s", [minutes.pk]),
        ("UPDATE meetings_minutes SET approved_at = NULL WHERE id = %s", [minutes.pk]),
        ("DELETE FROM meetings_minutes WHERE id = %s", [minutes.pk]),
        (
            "INSERT INTO meetings_minutesitem (minutes_id, position, title, guidance, kind, "
            "notes, decisions, revision) VALUES (%s, 99, 'x', '', 'topic', '', '', 0)",
            [minutes.pk],
        ),
    ]:
        with (
            pytest.raises(IntegrityError, match="approved minutes are locked"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    with pytest.raises(MinutesLocked):
        save_item(item=item, revision=0, notes="x", decisions="", by=procurement)


def test_approving_marks_the_meeting_held_and_queues_the_pdf(minutes, procurement, client_for):
    mark_present(minutes)
    response = client_for(procurement).post(
        reverse("meetings:minutes_approve", args=[minutes.pk]), follow=True
    )
    assert "Minutes approved and locked" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.approved_by == procurement
    assert minutes.meeting.status == MeetingStatus.HELD
    assert OutboxMessage.objects.filter(key=f"minutes-pdf:{minutes.pk}").exists()


def test_editing_approved_minutes_tells_the_user_instead_of_failing(
    minutes, procurement, client_for
):
    item = minutes.items.first()
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    response = client_for(procurement).post(
        reverse("meetings:minutes_item_edit", args=[item.pk]),
        item_data(item, "A late paragraph <about> the outage"),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "approved while you were writing" in body
    assert "A late paragraph &lt;about&gt; the outage" in body  # given back, not lost
    assert "Save item" not in body
    item.refresh_from_db()
    assert item.notes == ""


def test_a_correction_is_a_new_version_and_the_approved_one_stays(minutes, procurement, client_for):
    item = minutes.items.first()
    save_item(item=item, revision=0, notes="Uptime 92 %", decisions="", by=procurement)
    add_action(
        minutes=minutes,
        item=item,
        description="Explain",
        owner_name="A",
        owner_organisation="B",
        due_on=None,
        by=None,
    )
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    client = client_for(procurement)

    refused = client.post(reverse("meetings:minutes_correct", args=[minutes.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()

    client.post(
        reverse("meetings:minutes_correct", args=[minutes.pk]),
        {"reason": "The uptime was 99.2 %, not 92 %."},
    )
    correction = Minutes.objects.get(meeting=minutes.meeting, number=2)
    assert not correction.is_approved
    assert correction.items.get(position=item.position).notes == "Uptime 92 %"
    assert correction.actions.count() == 1
    assert correction.attendance.count() == minutes.attendance.count()
    new_item = correction.items.get(position=item.position)
    save_item(item=new_item, revision=0, notes="Uptime 99.2 %", decisions="", by=procurement)
    approve_minutes(minutes=correction, by=procurement)

    assert MinutesItem.objects.get(pk=item.pk).notes == "Uptime 92 %"
    page = client.get(minutes.meeting.get_absolute_url()).content.decode()
    assert "Minutes, version 2" in page
    assert "Uptime 99.2 %" in page
    old_page = client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).content.decode()
    assert "Uptime 92 %" in old_page
    assert start_correction(minutes=correction, by=procurement, reason="again").number == 3


def test_supplier_contact_reads_and_comments_but_cannot_edit(minutes, contact_a, client_for):
    client = client_for(contact_a)
    page = client.get(minutes.meeting.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert "Availability against target" in body
    assert "Save item" not in body and "Approve and lock" not in body
    response = client.post(
        reverse("meetings:comment_add", args=[minutes.pk]),
        {"body": "Our figure for week 47 is 99.6 %."},
        HTTP_HX_REQUEST="true",
    )
    assert "Our figure for week 47 is 99.6 %." in response.content.decode()
    item = minutes.items.first()
    assert (
        client.post(
            reverse("meetings:minutes_item_edit", args=[item.pk]), item_data(item, "x")
        ).status_code
        == 403
    )


def test_another_suppliers_contact_sees_nothing_of_the_minutes(minutes, contact_b, client_for):
    client = client_for(contact_b)
    assert client.get(reverse("meetings:minutes_detail", args=[minutes.pk])).status_code == 404
    response = client.post(reverse("meetings:comment_add", args=[minutes.pk]), {"body": "hi"})
    assert response.status_code == 404
    assert not minutes.comments.exists()


def test_minutes_page_queries_do_not_grow_with_items_and_actions(forum, procurement, client_for):
    def page_queries(minutes):
        client = client_for(procurement)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(minutes.meeting.get_absolute_url()).status_code == 200
        return len(captured)

    small = start_minutes(meeting=make_meeting(forum, days_ago=7), by=procurement)
    large = start_minutes(meeting=make_meeting(forum), by=procurement)
    for number in range(15):
        item = large.items.first()
        add_action(
            minutes=large,
            item=item,
            description=f"Action {number}",
            owner_name="A",
            owner_organisation="B",
            due_on=None,
            by=None,
        )
        large.items.create(position=10 + number, title=f"Extra {number}")
    assert page_queries(large) == page_queries(small)


def test_adding_to_approved_minutes_is_refused_with_a_message(minutes, procurement, client_for):
    approve_minutes(minutes=mark_present(minutes), by=procurement)
    client = client_for(procurement)
    item = minutes.items.first()
    prefix = f"new-action-{item.pk}"
    for url, data in [
        (reverse("meetings:minutes_item_add", args=[minutes.pk]), {"title": "Late item"}),
        (
            reverse("meetings:attendee_add", args=[minutes.pk]),
            {"name": "Late", "email": "", "organisation": "City", "side": "buyer"},
        ),
        (
            reverse("meetings:action_add", args=[item.pk]),
            {
                f"{prefix}-description": "Late action",
                f"{prefix}-owner_name": "A",
                f"{prefix}-owner_organisation": "B",
            },
        ),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "approved and locked" in response.content.decode()
    assert minutes.items.count() == 5
    assert not minutes.attendance.filter(name="Late").exists()
    assert not minutes.actions.exists()


def test_minutes_with_nobody_present_are_not_approved(minutes, procurement, client_for):
    """Nobody marked present: the approval is refused and the minutes stay an editable draft,
    the meeting not held, no PDF queued."""
    item = minutes.items.first()
    save_item(item=item, revision=0, notes="Uptime 99.2 %", decisions="", by=procurement)
    with pytest.raises(NobodyPresent):
        approve_minutes(minutes=minutes, by=procurement)
    client = client_for(procurement)
    url = reverse("meetings:minutes_approve", args=[minutes.pk])

    response = client.post(url, follow=True)
    assert "Mark who was present before approving. The minutes are still a draft." in (
        response.content.decode()
    )
    refused = client.post(url, HTTP_HX_REQUEST="true")
    assert refused.status_code == 409
    assert refused["HX-Retarget"] == "#messages"
    assert "Mark who was present before approving." in refused.content.decode()

    minutes.refresh_from_db()
    assert not minutes.is_approved
    assert minutes.meeting.status != MeetingStatus.HELD
    assert minutes.items.get(pk=item.pk).notes == "Uptime 99.2 %"
    assert not OutboxMessage.objects.filter(key=f"minutes-pdf:{minutes.pk}").exists()

    mark_present(minutes)
    client.post(url)
    minutes.refresh_from_db()
    assert minutes.is_approved
