"""Timers on every level: an issue is due at its level when the level's response time has run
(settable per contract and level by procurement staff); past it, the hourly timer flags it as
late once per arrival at a level and tells the level above (at the top, the city's business
role holder). The flags show on the issue, the agendas and the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import EventKind
from escalations.services import escalate, flag_overdue_issues, raise_issue
from governance.models import GovernanceLevel, Level, OutboxMessage, User
from suppliers.models import Contract, ContractStatus
from tests.factories import make_issue, make_quarterly_meeting

pytestmark = pytest.mark.django_db


def _raise(contract, by, level=Level.CONTRACT, **fields):
    fields.setdefault("title", "Licence costs exceed the frame")
    return raise_issue(
        contracts=[contract],
        owner_name="Ola Drift",
        owner_organisation=contract.supplier.name,
        level=level,
        by=by,
        **fields,
    )


def _late_mail(issue):
    return {
        message.payload["to"][0]: message.payload["subject"]
        for message in OutboxMessage.objects.filter(key__startswith=f"issue-late:{issue.pk}:")
    }


def test_a_late_contract_level_issue_is_flagged_once_and_the_business_level_told(
    contract_a, procurement, settings
):
    settings.ISSUE_RESPONSE_DAYS = {"business": 30, "contract": 14, "operational": 5}
    # The city's business-level holder reads Swedish; the supplier's has no account.
    User.objects.filter(email="buyer.business@example.org").update(language="sv")
    issue = _raise(contract_a, procurement)
    today = timezone.localdate()
    assert issue.due_on == today + timedelta(days=14)

    assert flag_overdue_issues(today=today + timedelta(days=14)) == 0  # due today: not late
    assert _late_mail(issue) == {}
    assert flag_overdue_issues(today=today + timedelta(days=15)) == 1
    assert flag_overdue_issues(today=today + timedelta(days=16)) == 0  # the hourly rerun

    issue.refresh_from_db()
    assert issue.is_flagged
    event = issue.events.get(kind=EventKind.FLAGGED)
    assert event.by is None and event.to_level == Level.CONTRACT
    assert "the business level is told" in event.reason
    assert _late_mail(issue) == {
        "buyer.business@example.org": "Försenat på kontraktsnivå: Licence costs exceed the frame",
        "supplier.business@example.org": (
            "Late at the contract level: Licence costs exceed the frame"
        ),
    }
    # The contract level itself hears of it as before (its own key).
    told_at_level = {
        message.payload["to"][0]
        for message in OutboxMessage.objects.filter(
            key__startswith=f"issue:{issue.pk}:event:{event.pk}:"
        )
    }
    assert told_at_level == {"buyer.contract@example.org", "supplier.contract@example.org"}


def test_at_the_business_level_the_citys_business_holder_is_told(contract_a, procurement):
    issue = _raise(contract_a, procurement, level=Level.BUSINESS)
    later = issue.due_on + timedelta(days=1)

    assert flag_overdue_issues(today=later) == 1

    assert set(_late_mail(issue)) == {"buyer.business@example.org"}
    # Told once: the level's own notice leaves out whoever got the late notice.
    event = issue.events.get(kind=EventKind.FLAGGED)
    told_at_level = {
        message.payload["to"][0]
        for message in OutboxMessage.objects.filter(
            key__startswith=f"issue:{issue.pk}:event:{event.pk}:"
        )
    }
    assert told_at_level == {"supplier.business@example.org"}


def test_an_operational_issue_late_tells_the_contract_level_and_a_move_restarts_the_timer(
    contract_a, procurement, settings
):
    settings.ISSUE_RESPONSE_DAYS = {"business": 30, "contract": 14, "operational": 5}
    issue = _raise(contract_a, procurement, level=Level.OPERATIONAL)
    today = timezone.localdate()
    assert flag_overdue_issues(today=today + timedelta(days=6)) == 1
    assert set(_late_mail(issue)) == {"buyer.contract@example.org", "supplier.contract@example.org"}

    escalate(issue=issue, reason="Late: the contract level takes it.", by=procurement)
    issue.refresh_from_db()
    assert not issue.is_flagged
    assert issue.due_on == today + timedelta(days=14)  # the contract level's own response time
    assert flag_overdue_issues(today=today + timedelta(days=6)) == 0
    assert flag_overdue_issues(today=today + timedelta(days=15)) == 1  # late at this level too
    assert issue.events.filter(kind=EventKind.FLAGGED).count() == 2
    assert "buyer.business@example.org" in _late_mail(issue)


def test_a_changed_response_time_changes_when_an_issue_is_late(
    contract_a, procurement, client_for, settings
):
    settings.ISSUE_RESPONSE_DAYS = {"business": 30, "contract": 14, "operational": 5}
    issue = _raise(contract_a, procurement)
    agreed = _raise(
        contract_a,
        procurement,
        title="Agreed date",
        due_on=timezone.localdate() + timedelta(days=20),
    )
    today = timezone.localdate()
    assert flag_overdue_issues(today=today + timedelta(days=10)) == 0

    url = reverse("governance:response_time_edit", args=[contract_a.pk, Level.CONTRACT])
    response = client_for(procurement).post(url, {"response_days": "7"})
    assert response.status_code == 302

    level = GovernanceLevel.objects.get(contract=contract_a, level=Level.CONTRACT)
    assert level.response_days == 7
    issue.refresh_from_db()
    agreed.refresh_from_db()
    assert issue.due_on == today + timedelta(days=7)
    assert issue.history.first().history_user == procurement  # who moved its due date
    assert agreed.due_on == today + timedelta(days=20)  # a date a person gave stays
    assert flag_overdue_issues(today=today + timedelta(days=10)) == 1
    issue.refresh_from_db()
    assert issue.is_flagged

    # Emptied: the city's default again.
    client_for(procurement).post(url, {"response_days": ""})
    level.refresh_from_db()
    assert level.response_days is None and level.response_time == 14
    # A new issue at the contract level is due by the default.
    assert _raise(contract_a, procurement, title="New").due_on == today + timedelta(days=14)


def test_the_governance_model_shows_and_changes_the_response_time(
    contract_a, procurement, client_for, settings
):
    settings.ISSUE_RESPONSE_DAYS = {"business": 30, "contract": 14, "operational": 5}
    client = client_for(procurement)
    page = client.get(contract_a.get_absolute_url()).content.decode()
    assert "Response time:" in page and "14 days" in page and "(the city's default)" in page

    url = reverse("governance:response_time_edit", args=[contract_a.pk, Level.OPERATIONAL])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'name="response_days"' in form and "(5 days)" in form
    answer = client.post(url, {"response_days": "3"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer["HX-Retarget"] == "#level-operational"
    assert "3 days" in answer.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("soon", "Give the response time as a whole number of days, such as 14."),
        ("2.5", "Give the response time as a whole number of days, such as 14."),
        ("0", "The response time is at least one day."),
        ("-3", "The response time is at least one day."),
        ("400", "The response time is at most 365 days."),
        ("99999999999999999999", "The response time is at most 365 days."),
    ],
)
def test_bad_response_time_is_refused_with_a_clear_message(
    contract_a, procurement, client_for, typed, message
):
    url = reverse("governance:response_time_edit", args=[contract_a.pk, Level.CONTRACT])
    client = client_for(procurement)

    page = client.post(url, {"response_days": typed})
    assert page.status_code == 400
    content = page.content.decode()
    assert message in content and f'value="{typed}"' in content  # kept for correcting
    assert 'aria-invalid="true"' in content

    section = client.post(url, {"response_days": typed}, headers={"HX-Request": "true"})
    assert section.status_code == 200 and message in section.content.decode()
    level = GovernanceLevel.objects.get(contract=contract_a, level=Level.CONTRACT)
    assert level.response_days is None


def test_only_procurement_and_administrators_change_a_response_time(
    contract_a, procurement, director, admin_user, contact_a, contact_b, client, client_for
):
    url = reverse("governance:response_time_edit", args=[contract_a.pk, Level.BUSINESS])
    assert client.post(url, {"response_days": "9"}).status_code == 302  # to the sign-in page
    assert client_for(contact_a).post(url, {"response_days": "9"}).status_code == 403
    assert client_for(contact_b).post(url, {"response_days": "9"}).status_code == 404
    assert client_for(director).post(url, {"response_days": "9"}).status_code == 403
    level = GovernanceLevel.objects.get(contract=contract_a, level=Level.BUSINESS)
    assert level.response_days is None
    assert client_for(admin_user).post(url, {"response_days": "9"}).status_code == 302
    level.refresh_from_db()
    assert level.response_days == 9
    assert client_for(procurement).post(url, {"response_days": "10"}).status_code == 302
    nonsense = reverse("governance:response_time_edit", args=[contract_a.pk, "nonsense"])
    assert client_for(procurement).post(nonsense, {"response_days": "9"}).status_code == 404


def test_late_flags_show_on_the_issue_the_agenda_and_the_dashboard(
    contract_a, procurement, director, contact_a, client_for
):
    issue = _raise(contract_a, procurement, title="Licence costs exceed the frame")
    calm = _raise(contract_a, procurement, title="Within its time")
    today = timezone.localdate()
    below = make_issue([contract_a], procurement, title="Restore test missing", due_on=today)
    make_issue([contract_a], procurement, title="Calm below", due_on=today + timedelta(days=99))
    meeting = make_quarterly_meeting(
        [contract_a], procurement, starts_at=timezone.now() + timedelta(days=3)
    )
    assert flag_overdue_issues(today=issue.due_on + timedelta(days=1)) == 3
    calm.flagged_at = None  # only the first stays late (as if the second were given more time)
    calm.save()

    detail = client_for(contact_a).get(issue.get_absolute_url()).content.decode()
    assert "⚑ Late: past its due date" in detail and "still open at the contract level" in detail
    assert "The role holders at the level above were told." in detail

    listing = client_for(contact_a).get(reverse("escalations:issue_list")).content.decode()
    assert listing.count("⚑ Late") == 2

    # The key-supplier agenda: its own late issue, and the late one of the level below that
    # it was told of; not the operational issue still within its time.
    agenda = client_for(contact_a).get(meeting.get_absolute_url()).content.decode()
    assert agenda.count("⚑ Late") == 2
    assert "past its due date at the contract level" in agenda
    assert "past its due date at the operational level" in agenda
    assert below.title in agenda and "Calm below" not in agenda and calm.title in agenda

    dashboard = client_for(director).get(reverse("portal:dashboard")).content.decode()
    # Each level's figure and the supplier's cell at that level: contract and operational.
    assert dashboard.count("1 late ⚑") == 4
    assert "0 late ⚑" in dashboard  # the business level
    assert "level=contract&amp;flagged=1" in dashboard
    assert "level=operational&amp;flagged=1" in dashboard


def test_the_migration_dates_open_issues_from_their_arrival_at_their_level(
    contract_a, procurement, settings
):
    import importlib

    from django.apps import apps

    from escalations.models import Issue, IssueEvent, IssueStatus

    settings.ISSUE_RESPONSE_DAYS = {"business": 30, "contract": 14, "operational": 5}
    migration = importlib.import_module("escalations.migrations.0006_issue_level_timer")
    arrived = timezone.now() - timedelta(days=20)
    moved = make_issue([contract_a], procurement, level=Level.CONTRACT, due_on=None)
    IssueEvent.objects.filter(issue=moved).update(at=arrived - timedelta(days=5))
    escalated = IssueEvent.objects.create(
        issue=moved, kind=EventKind.ESCALATED, from_level=Level.OPERATIONAL, to_level=Level.CONTRACT
    )
    IssueEvent.objects.filter(pk=escalated.pk).update(at=arrived)
    given = make_issue([contract_a], procurement, due_on=timezone.localdate())
    resolved = make_issue([contract_a], procurement, due_on=None, status=IssueStatus.RESOLVED)

    migration.arrivals_and_due_dates(apps, None)

    moved.refresh_from_db()
    assert moved.level_since == arrived
    assert moved.due_on == timezone.localdate(arrived) + timedelta(days=14)
    assert moved.due_by_response_time
    given.refresh_from_db()
    assert given.due_on == timezone.localdate() and not given.due_by_response_time
    assert Issue.objects.get(pk=resolved.pk).due_on is None
    # The timer takes the dated issue from here: 20 days at a level of 14 is late.
    assert flag_overdue_issues() == 1


def test_the_demo_shows_a_late_contract_level_issue(db):
    from io import StringIO

    from django.core.management import call_command

    from escalations.models import Issue

    call_command("seed_demo", force=True, stdout=StringIO())

    issue = Issue.objects.get(title="Licence costs above the agreed frame")
    assert issue.level == Level.CONTRACT and issue.is_flagged
    assert _late_mail(issue)  # the business level is told


def test_an_issue_of_an_ended_contract_alone_is_not_flagged_nor_told(
    contract_a, contract_b, procurement
):
    """The relationship ended: nobody is e-mailed about its open issue any more; a joint issue
    with a contract still running keeps its timer."""
    alone = _raise(contract_a, procurement)
    joint = _raise(contract_a, procurement)
    joint.contracts.add(contract_b)
    Contract.objects.filter(pk=contract_a.pk).update(status=ContractStatus.ENDED)
    late = timezone.localdate() + timedelta(days=30)

    flag_overdue_issues(today=late)

    alone.refresh_from_db()
    joint.refresh_from_db()
    assert alone.flagged_at is None and _late_mail(alone) == {}
    assert joint.flagged_at is not None
