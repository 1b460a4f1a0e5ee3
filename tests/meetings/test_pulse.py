"""The relationship pulse after quarterly key-supplier meetings: who answers, once each,
what each party sees, and the figures the dashboard reads."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role, Side
from meetings.models import Forum, Meeting, MeetingStatus
from portal.demo.relationship import seed_relationship
from relationship.models import Expectation, Goal, PulseResponse
from relationship.pulse import latest_pulse_by_supplier, meeting_results
from relationship.services import answer_pulse
from suppliers.models import Contract
from tests.factories import (
    make_contract,
    make_forum,
    make_quarterly_meeting,
    make_supplier,
    make_user,
)
from tests.helpers import assert_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def answer(meeting, user, trust, dialogue, delivery, comment=""):
    return answer_pulse(
        meeting=meeting, by=user, trust=trust, dialogue=dialogue, delivery=delivery, comment=comment
    )


def scores(trust=4, dialogue=3, delivery=5, comment="Fine quarter."):
    return {"trust": trust, "dialogue": dialogue, "delivery": delivery, "comment": comment}


@pytest.fixture
def meeting_a(contract_a, procurement):
    """Supplier A's quarterly meeting, started yesterday."""
    return make_quarterly_meeting([contract_a], procurement)


@pytest.fixture
def joint_meeting(contract_a, contract_b, procurement):
    return make_quarterly_meeting([contract_a, contract_b], procurement)


def test_a_supplier_contact_answers_once_and_can_change_it(client_for, meeting_a, contact_a):
    client = client_for(contact_a)
    url = reverse("relationship:pulse_answer", args=[meeting_a.pk])
    page = client.get(meeting_a.get_absolute_url()).content.decode()
    assert "Send my pulse" in page
    assert "1 poor" in page and "5 excellent" in page
    response = client.post(url, scores(comment="First view"))
    assert response["Location"] == meeting_a.get_absolute_url() + "#pulse"
    response = client.post(url, scores(trust=2, comment="Second view"), **HTMX)
    assert response.status_code == 200
    assert_section(response, "pulse")
    response_row = PulseResponse.objects.get()
    assert (response_row.side, response_row.supplier_id) == (Side.SUPPLIER, contact_a.supplier_id)
    assert (response_row.trust, response_row.comment) == (2, "Second view")
    page = client.get(meeting_a.get_absolute_url()).content.decode()
    assert "Change my answer" in page
    assert 'id="id_trust_1" checked' in page  # the second choice: 2


@pytest.mark.parametrize("who", ["procurement", "director", "admin_user"])
def test_the_citys_people_answer_as_the_city(request, client_for, meeting_a, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        reverse("relationship:pulse_answer", args=[meeting_a.pk]), scores()
    )
    assert response.status_code == 302
    row = PulseResponse.objects.get(respondent=user)
    assert (row.side, row.supplier_id) == (Side.BUYER, None)


def test_another_suppliers_contact_gets_404(client_for, meeting_a, contact_b):
    client = client_for(contact_b)
    assert client.get(meeting_a.get_absolute_url()).status_code == 404
    url = reverse("relationship:pulse_answer", args=[meeting_a.pk])
    assert client.post(url, scores()).status_code == 404
    assert not PulseResponse.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, meeting_a):
    response = client.post(reverse("relationship:pulse_answer", args=[meeting_a.pk]), scores())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not PulseResponse.objects.exists()


def test_weekly_meetings_have_no_pulse(client_for, contract_a, procurement, contact_a):
    forum = make_forum([contract_a], procurement)
    starts_at = timezone.now() - timedelta(days=1)
    weekly = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    client = client_for(contact_a)
    page = client.get(weekly.get_absolute_url()).content.decode()
    assert "Relationship pulse" not in page
    response = client.post(
        reverse("relationship:pulse_answer", args=[weekly.pk]), scores(), follow=True
    )
    assert "Only quarterly key-supplier meetings have a pulse." in response.content.decode()
    assert not PulseResponse.objects.exists()


def test_the_pulse_opens_when_the_quarterly_meeting_has_started(
    client_for, contract_a, procurement, contact_a
):
    soon = make_quarterly_meeting(
        [contract_a], procurement, starts_at=timezone.now() + timedelta(hours=1)
    )
    cancelled = make_quarterly_meeting(
        [contract_a],
        procurement,
        forum=soon.forum,
        starts_at=timezone.now() - timedelta(days=90),
        status=MeetingStatus.CANCELLED,
    )
    client = client_for(contact_a)
    page = client.get(soon.get_absolute_url()).content.decode()
    assert "The pulse opens when the meeting has started." in page
    assert "Send my pulse" not in page
    assert (
        "No pulse: the meeting was cancelled."
        in client.get(cancelled.get_absolute_url()).content.decode()
    )
    for meeting in (soon, cancelled):
        response = client.post(
            reverse("relationship:pulse_answer", args=[meeting.pk]), scores(), follow=True
        )
        assert "The pulse opens when the meeting has started" in response.content.decode()
    assert not PulseResponse.objects.exists()


def _sides(results):
    return [
        (side["label"], side["responses"], side.get("trust"), side.get("withheld", False))
        for side in results["sides"]
    ]


def test_each_party_sees_the_city_and_its_own_side_from_three_answers(
    client_for, joint_meeting, procurement, director, contact_a, contact_b
):
    answer(joint_meeting, procurement, 4, 4, 2)
    answer(joint_meeting, director, 3, 5, 3)
    answer(joint_meeting, contact_a, 5, 4, 4)
    answer(joint_meeting, contact_b, 2, 2, 2)
    # The city's people: their own side, and each supplier's number of answers only (one
    # answer is one named person's scores).
    assert _sides(meeting_results(joint_meeting, procurement)) == [
        ("City", 2, 3.5, False),
        ("Alpha Drift AB", 1, None, True),
        ("Beta Applikationer AB", 1, None, True),
    ]
    # A supplier: its own side, the city's (withheld below three), never a competitor's.
    assert _sides(meeting_results(joint_meeting, contact_a)) == [
        ("City", 2, None, True),
        ("Alpha Drift AB", 1, 5, False),
    ]
    section = client_for(contact_a).get(joint_meeting.get_absolute_url(), HTTP_HX_REQUEST="true")
    pulse = section.content.decode().split('id="pulse"')[1]
    assert "Beta Applikationer AB" not in pulse
    assert "2.0" not in pulse  # neither Beta's scores nor anything from them
    assert "Fewer than three answers" in pulse

    answer(joint_meeting, make_user(Role.PROCUREMENT), 5, 3, 4)
    answer(joint_meeting, make_user(Role.SUPPLIER_CONTACT, supplier=contact_b.supplier), 3, 3, 3)
    answer(joint_meeting, make_user(Role.SUPPLIER_CONTACT, supplier=contact_b.supplier), 4, 4, 4)
    assert _sides(meeting_results(joint_meeting, contact_a))[0] == ("City", 3, 4.0, False)
    assert _sides(meeting_results(joint_meeting, procurement))[2] == (
        "Beta Applikationer AB",
        3,
        3.0,
        False,
    )


def test_comments_the_city_reads_all_a_supplier_only_its_own_side(
    client_for, joint_meeting, procurement, director, contact_a, contact_b
):
    second_a = make_user(Role.SUPPLIER_CONTACT, supplier=contact_a.supplier)
    answer(joint_meeting, procurement, 3, 3, 3, "City candid note")
    answer(joint_meeting, contact_a, 4, 4, 4, "Alpha view")
    answer(joint_meeting, second_a, 4, 4, 4, "Alpha colleague view")
    answer(joint_meeting, contact_b, 2, 2, 2, "Beta view")
    url = joint_meeting.get_absolute_url()
    for user in (procurement, director):
        page = client_for(user).get(url).content.decode()
        for comment in ("City candid note", "Alpha view", "Alpha colleague view", "Beta view"):
            assert comment in page
    page = client_for(contact_a).get(url).content.decode()
    assert "Alpha view" in page and "Alpha colleague view" in page
    assert "City candid note" not in page
    assert "Beta view" not in page
    page = client_for(contact_b).get(url).content.decode()
    assert "Beta view" in page
    assert "Alpha view" not in page and "City candid note" not in page


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_scores_are_explained_and_nothing_typed_is_lost(client_for, meeting_a, contact_a, htmx):
    headers = HTMX if htmx else {}
    client = client_for(contact_a)
    url = reverse("relationship:pulse_answer", args=[meeting_a.pk])
    for bad in ("0", "6", "good", "", "\x00", str(10**30)):
        response = client.post(
            url, {**scores(trust=bad, dialogue=4, comment="My words stay")}, **headers
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Choose a score from 1 (poor) to 5 (excellent)." in page
        assert "My words stay" in page
        assert 'id="id_dialogue_3" checked' in page
    response = client.post(url, {}, **headers)
    assert response.content.decode().count("Choose a score from 1 (poor)") == 3
    response = client.post(url, scores(comment="Nul\x00 comment"), **headers)
    assert "Null characters are not allowed." in response.content.decode()
    response = client.post(url, scores(comment="x" * 2001), **headers)
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert not PulseResponse.objects.exists()


def test_latest_pulse_by_supplier(
    contract_a, contract_b, procurement, director, contact_a, contact_b
):
    now = timezone.now()
    forum = make_quarterly_meeting([contract_a, contract_b], procurement).forum
    Meeting.objects.all().delete()
    earlier = Meeting.objects.create(
        forum=forum,
        starts_at=now - timedelta(days=100),
        ends_at=now - timedelta(days=100, hours=-2),
    )
    latest = Meeting.objects.create(
        forum=forum, starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=10, hours=-2)
    )
    answer(earlier, procurement, 2, 2, 2)
    answer(earlier, contact_a, 4, 4, 4)
    answer(latest, procurement, 4, 3, 5)
    answer(latest, director, 2, 3, 3)
    answer(latest, contact_a, 3, 3, 4)
    answer(latest, contact_b, 1, 1, 1)  # counts for B, never for A
    result = latest_pulse_by_supplier()
    alpha = result[contract_a.supplier_id]
    assert alpha["meeting_id"] == latest.pk
    assert alpha["date"] == timezone.localtime(latest.starts_at).date()
    # A's one answer is not counted in a figure the city sees: the city's two are.
    assert (alpha["trust"], alpha["dialogue"], alpha["delivery"], alpha["responses"]) == (
        3,
        3,
        4,
        2,
    )
    assert alpha["sides"]["city"] == {"trust": 3, "dialogue": 3, "delivery": 4, "responses": 2}
    assert alpha["sides"]["supplier"] == {"responses": 1, "withheld": True}
    assert alpha["previous"]["meeting_id"] == earlier.pk
    assert (alpha["previous"]["trust"], alpha["previous"]["responses"]) == (2, 1)
    beta = result[contract_b.supplier_id]
    assert (beta["trust"], beta["responses"]) == (3, 2)
    assert beta["previous"]["sides"]["supplier"] is None  # B did not answer then
    assert beta["previous"]["responses"] == 1
    # Seen from a day before the latest meeting, the earlier one is the latest.
    then = latest_pulse_by_supplier(today=timezone.localdate() - timedelta(days=11))
    assert then[contract_a.supplier_id]["meeting_id"] == earlier.pk
    assert then[contract_a.supplier_id]["previous"] is None


def test_latest_pulse_leaves_out_weekly_cancelled_and_unanswered(
    contract_a, procurement, contact_a
):
    weekly_forum = make_forum([contract_a], procurement)
    starts_at = timezone.now() - timedelta(days=2)
    weekly = Meeting.objects.create(
        forum=weekly_forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    PulseResponse.objects.create(
        meeting=weekly,
        respondent=contact_a,
        side=Side.SUPPLIER,
        supplier=contact_a.supplier,
        trust=1,
        dialogue=1,
        delivery=1,
    )
    cancelled = make_quarterly_meeting([contract_a], procurement, status=MeetingStatus.CANCELLED)
    answer(cancelled, procurement, 1, 1, 1)
    make_quarterly_meeting([contract_a], procurement)  # held, nobody answered
    assert latest_pulse_by_supplier() == {}


def test_latest_and_previous_pulse_among_many_older_quarters(
    supplier_a, supplier_b, procurement, contact_a, contact_b
):
    """Two years of quarters in a forum where A has three contracts and B one: each supplier
    gets its two latest meetings that the city or itself answered, each meeting once."""
    contracts = [make_contract(supplier_a) for _ in range(3)] + [make_contract(supplier_b)]
    forum = make_quarterly_meeting(contracts, procurement).forum
    Meeting.objects.all().delete()
    now = timezone.now()
    quarters = [
        Meeting.objects.create(
            forum=forum,
            starts_at=now - timedelta(days=91 * number + 5),
            ends_at=now - timedelta(days=91 * number + 5, hours=-2),
        )
        for number in range(8)
    ]  # newest first
    for number, meeting in enumerate(quarters[2:], start=2):
        answer(meeting, procurement, 1 + number % 5, 3, 3)
        answer(meeting, contact_a, 2, 2, 2)
    colleagues_b = [make_user(Role.SUPPLIER_CONTACT, supplier=supplier_b) for _ in range(2)]
    colleagues_a = [make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a) for _ in range(2)]
    for person in (contact_b, *colleagues_b):
        answer(quarters[0], person, 5, 5, 5)  # only B answered the latest quarter
    # A's one answer there is one person's: not a figure the city sees.
    answer(quarters[0], contact_a, 1, 1, 1)
    for person in (contact_a, *colleagues_a):
        answer(quarters[1], person, 4, 4, 4)  # only A the one before

    result = latest_pulse_by_supplier()
    alpha, beta = result[supplier_a.pk], result[supplier_b.pk]
    assert alpha["meeting_id"] == quarters[1].pk
    assert (alpha["trust"], alpha["responses"], alpha["sides"]["city"]) == (4, 3, None)
    assert alpha["previous"]["meeting_id"] == quarters[2].pk
    # The city's answer; A's single one is withheld.
    assert (alpha["previous"]["trust"], alpha["previous"]["responses"]) == (3, 1)
    assert beta["meeting_id"] == quarters[0].pk
    assert (beta["trust"], beta["sides"]["city"]) == (5, None)
    assert beta["previous"]["meeting_id"] == quarters[2].pk  # the city's answer counts for B
    assert (beta["previous"]["trust"], beta["previous"]["sides"]["supplier"]) == (3, None)


def _pulse_data(size, procurement):
    """`size` suppliers, each with a contract, a contact and `size` answered quarters."""
    forum = None
    for number in range(size):
        supplier = make_supplier()
        contract = make_contract(supplier)
        contact = make_user(Role.SUPPLIER_CONTACT, supplier=supplier)
        forum = make_forum(
            [contract],
            procurement,
            cadence="quarterly",
            level="contract",
            name=f"Quarterly {supplier.pk}",
        )
        for quarter in range(size):
            starts_at = timezone.now() - timedelta(days=90 * quarter + number + 1)
            meeting = Meeting.objects.create(
                forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
            )
            answer(meeting, procurement, 3, 4, 5, "note")
            answer(meeting, contact, 4, 4, 4)
    return forum


def test_latest_pulse_by_supplier_takes_a_fixed_number_of_queries(procurement):
    _pulse_data(2, procurement)
    with CaptureQueriesContext(connection) as small:
        assert len(latest_pulse_by_supplier()) == 2
    _pulse_data(5, procurement)
    with CaptureQueriesContext(connection) as large:
        assert len(latest_pulse_by_supplier()) == 7
    assert len(small) == len(large) == 2


def test_pulse_history_page(client_for, procurement, director, contact_a, contact_b, meeting_a):
    answer(meeting_a, procurement, 4, 4, 4)
    answer(meeting_a, contact_a, 2, 3, 5)
    url = reverse("relationship:pulse_list")
    supplier_a = contact_a.supplier
    page = client_for(contact_a).get(url).content.decode()
    assert supplier_a.name in page
    assert meeting_a.forum.name in page
    assert "2.0" in page and "5.0" in page
    assert client_for(contact_a).get(url, {"supplier": supplier_a.pk}).status_code == 200
    assert client_for(contact_b).get(url, {"supplier": supplier_a.pk}).status_code == 404
    page = client_for(contact_b).get(url).content.decode()
    assert meeting_a.forum.name not in page
    page = client_for(director).get(url).content.decode()
    assert "Choose a supplier" in page
    assert client_for(director).get(url, {"supplier": supplier_a.pk}).status_code == 200
    for odd in ("abc", "-1", str(10**30), "\x00", "999999"):
        assert client_for(director).get(url, {"supplier": odd}).status_code == 404


def test_pulse_history_takes_a_fixed_number_of_queries(client_for, director, procurement):
    url = reverse("relationship:pulse_list")
    forum = _pulse_data(2, procurement)
    supplier_id = forum.contracts.get().supplier_id
    client = client_for(director)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"supplier": supplier_id})
    forum = _pulse_data(6, procurement)
    supplier_id = forum.contracts.get().supplier_id
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"supplier": supplier_id})
    assert response.content.decode().count("note") == 0  # comments stay on the meeting page
    assert len(small) == len(large)


def test_demo_relationship_data_is_seeded_once(procurement):
    call_command("seed_demo", force=True, stdout=StringIO())
    quarterly = Forum.objects.get(cadence="quarterly")
    held = make_quarterly_meeting([], procurement, forum=quarterly)
    references = list(Contract.objects.values_list("reference", flat=True))
    for _ in range(2):
        seed_relationship(references, stdout=StringIO())
    contracts = Contract.objects.count()
    assert Goal.objects.count() == 3 * contracts
    assert Expectation.objects.count() == 2
    responses = PulseResponse.objects.filter(meeting=held)
    assert responses.filter(side=Side.BUYER).count() == 2
    assert responses.filter(side=Side.SUPPLIER).count() == 2  # one login per key supplier
    assert set(latest_pulse_by_supplier()) == set(
        quarterly.contracts.values_list("supplier_id", flat=True)
    )
