"""The expectations log: calibrations of requirements agreed along the way, per contract,
shown on the contract page, its own log page and the meeting where they were agreed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from relationship.models import Expectation
from tests.factories import make_forum, make_quarterly_meeting
from tests.helpers import assert_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def record(contract, by, requirement="Availability 99.7 %", **fields):
    fields.setdefault("agreed_on", date(2026, 10, 13))
    fields.setdefault("calibration", "Announced maintenance does not count.")
    return Expectation.objects.create(
        contract=contract, recorded_by=by, requirement=requirement, **fields
    )


@pytest.fixture
def joint_meeting(contract_a, contract_b, procurement):
    """A quarterly meeting held yesterday with both suppliers."""
    return make_quarterly_meeting([contract_a, contract_b], procurement)


def test_procurement_records_a_calibration_with_htmx(
    client_for, contract_a, procurement, joint_meeting
):
    response = client_for(procurement).post(
        reverse("relationship:expectation_add", args=[contract_a.pk]),
        {
            "agreed_on": "2026-11-23",
            "requirement": "Priority 1 within 4 hours",
            "calibration": "The clock starts at the service desk.",
            "meeting": joint_meeting.pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert_section(response, "expectations")
    assert "Priority 1 within 4 hours" in response.content.decode()
    expectation = Expectation.objects.get()
    assert expectation.contract == contract_a
    assert expectation.recorded_by == procurement
    assert expectation.meeting == joint_meeting
    assert expectation.history.get().history_user == procurement


def test_without_js_recording_returns_to_the_contract_or_a_safe_next(
    client_for, contract_a, procurement
):
    client = client_for(procurement)
    url = reverse("relationship:expectation_add", args=[contract_a.pk])
    data = {"agreed_on": "2026-11-23", "requirement": "R", "calibration": "C"}
    response = client.post(url, data)
    assert response["Location"] == contract_a.get_absolute_url() + "#expectations"
    response = client.post(url, {**data, "next": "https://evil.example/"})
    assert response["Location"] == contract_a.get_absolute_url() + "#expectations"
    response = client.post(url, {**data, "next": "/meetings/1/"})
    assert response["Location"] == "/meetings/1/"
    assert Expectation.objects.count() == 3


def test_the_log_is_newest_first_on_the_contract_page_and_its_own_page(
    client_for, contract_a, procurement, contact_a
):
    record(contract_a, procurement, "Older calibration", agreed_on=date(2026, 1, 1))
    record(contract_a, procurement, "Newer calibration", agreed_on=date(2026, 6, 1))
    for url in (
        contract_a.get_absolute_url(),
        reverse("relationship:expectation_list", args=[contract_a.pk]),
    ):
        page = client_for(contact_a).get(url).content.decode()
        assert page.index("Newer calibration") < page.index("Older calibration")


def test_the_contract_page_shows_the_latest_and_links_to_the_whole_log(
    client_for, contract_a, procurement
):
    for day in range(1, 13):
        record(contract_a, procurement, f"Calibration {day:02d}", agreed_on=date(2026, 1, day))
    page = client_for(procurement).get(contract_a.get_absolute_url()).content.decode()
    assert "Calibration 12" in page
    assert "Calibration 01" not in page
    assert "Older calibrations in the whole log" in page
    log = client_for(procurement).get(
        reverse("relationship:expectation_list", args=[contract_a.pk])
    )
    assert "Calibration 01" in log.content.decode()


def test_meeting_page_shows_what_was_agreed_there_to_each_party(
    client_for, contract_a, contract_b, procurement, contact_a, contact_b, joint_meeting
):
    record(contract_a, procurement, "Alpha calibration", meeting=joint_meeting)
    record(contract_b, procurement, "Beta calibration", meeting=joint_meeting)
    record(contract_a, procurement, "Agreed elsewhere")
    url = joint_meeting.get_absolute_url()
    page = client_for(procurement).get(url).content.decode()
    assert "Agreed at this meeting" in page
    assert "Alpha calibration" in page and "Beta calibration" in page
    assert "Agreed elsewhere" not in page
    page = client_for(contact_a).get(url).content.decode()
    assert "Alpha calibration" in page
    assert "Beta calibration" not in page
    page = client_for(contact_b).get(url).content.decode()
    assert "Beta calibration" in page
    assert "Alpha calibration" not in page


def test_another_suppliers_contact_gets_404(client_for, contract_a, procurement, contact_b):
    expectation = record(contract_a, procurement, "Alpha only")
    client = client_for(contact_b)
    assert (
        client.get(reverse("relationship:expectation_list", args=[contract_a.pk])).status_code
        == 404
    )
    edit = reverse("relationship:expectation_edit", args=[expectation.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"requirement": "X"}).status_code == 404
    add = reverse("relationship:expectation_add", args=[contract_a.pk])
    assert client.post(add, {"requirement": "X"}).status_code == 404
    assert Expectation.objects.get().requirement == "Alpha only"


@pytest.mark.parametrize("who", ["director", "contact_a"])
def test_only_procurement_records_and_edits(request, client_for, contract_a, procurement, who):
    expectation = record(contract_a, procurement, "Unchanged")
    client = client_for(request.getfixturevalue(who))
    assert (
        client.get(reverse("relationship:expectation_list", args=[contract_a.pk])).status_code
        == 200
    )
    add = reverse("relationship:expectation_add", args=[contract_a.pk])
    assert client.get(add).status_code == 403
    data = {"agreed_on": "2026-11-23", "requirement": "R", "calibration": "C"}
    assert client.post(add, data).status_code == 403
    edit = reverse("relationship:expectation_edit", args=[expectation.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, data).status_code == 403
    assert Expectation.objects.get().requirement == "Unchanged"
    page = client.get(contract_a.get_absolute_url()).content.decode()
    assert "Record a calibration" not in page


def test_edit_keeps_the_history(client_for, contract_a, procurement, admin_user):
    expectation = record(contract_a, procurement, "First wording")
    response = client_for(admin_user).post(
        reverse("relationship:expectation_edit", args=[expectation.pk]),
        {"agreed_on": "2026-10-13", "requirement": "Second wording", "calibration": "C"},
    )
    assert response.status_code == 302
    expectation.refresh_from_db()
    assert expectation.requirement == "Second wording"
    assert expectation.recorded_by == procurement
    records = list(expectation.history.order_by("history_date"))
    assert [r.requirement for r in records] == ["First wording", "Second wording"]
    assert records[-1].history_user == admin_user


def test_meeting_choices_are_the_contracts_started_meetings_newest_first(
    client_for, contract_a, contract_b, procurement
):
    forum = make_forum([contract_a], procurement)
    now = timezone.now()
    older = Meeting.objects.create(
        forum=forum, starts_at=now - timedelta(days=14), ends_at=now - timedelta(days=14, hours=-1)
    )
    newer = Meeting.objects.create(
        forum=forum, starts_at=now - timedelta(days=7), ends_at=now - timedelta(days=7, hours=-1)
    )
    coming = Meeting.objects.create(
        forum=forum, starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=1)
    )
    cancelled = Meeting.objects.create(
        forum=forum,
        starts_at=now - timedelta(days=21),
        ends_at=now - timedelta(days=21, hours=-1),
        status=MeetingStatus.CANCELLED,
    )
    other = make_quarterly_meeting([contract_b], procurement)
    client = client_for(procurement)
    url = reverse("relationship:expectation_add", args=[contract_a.pk])
    form = client.get(url, {"meeting": newer.pk}).context["form"]
    assert list(form.fields["meeting"].queryset) == [newer, older]
    assert form["meeting"].value() == str(newer.pk)
    for meeting in (coming, cancelled, other):
        response = client.post(
            url,
            {
                "agreed_on": "2026-11-23",
                "requirement": "R",
                "calibration": "C",
                "meeting": meeting.pk,
            },
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Expectation.objects.exists()


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_input_is_explained_and_nothing_typed_is_lost(
    client_for, contract_a, procurement, htmx
):
    headers = HTMX if htmx else {}
    url = reverse("relationship:expectation_add", args=[contract_a.pk])
    client = client_for(procurement)
    response = client.post(
        url,
        {
            "agreed_on": "next week",
            "requirement": "R" * 301,
            "calibration": "Nul\x00 but kept words",
            "meeting": "abc",
        },
        **headers,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page
    assert "Ensure this value has at most 300 characters" in page
    assert "Null characters are not allowed." in page
    assert "Select a valid choice" in page
    assert "next week" in page
    assert "R" * 301 in page
    assert "but kept words" in page
    for meeting in (str(10**30), "-1", "1.5"):
        response = client.post(
            url,
            {"agreed_on": "2026-01-01", "requirement": "R", "calibration": "C", "meeting": meeting},
            **headers,
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    response = client.post(url, {}, **headers)
    assert response.content.decode().count("This field is required.") == 3
    response = client.post(
        url, {"agreed_on": "2026-01-01", "requirement": "R", "calibration": "C" * 4001}, **headers
    )
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    assert not Expectation.objects.exists()


def test_odd_log_page_numbers_answer_politely(client_for, contract_a, contact_a):
    url = reverse("relationship:expectation_list", args=[contract_a.pk])
    for page in ("-1", "last", "\x00", str(10**30)):
        assert client_for(contact_a).get(url, {"page": page}).status_code == 200
