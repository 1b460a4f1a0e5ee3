"""The key-supplier meeting is for those with the mandate: approving its minutes checks that
each party's contract-level role holder was present, or records why the city went ahead."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Level, Role, RoleHolder, Side
from meetings.models import Cadence, Meeting, MeetingStatus, Minutes
from meetings.pdf import render_minutes_pdf
from meetings.services import MandateAbsent, approve_minutes, start_correction, start_minutes
from tests.factories import fill_governance, make_contract, make_forum, make_supplier, make_user
from tests.meetings.test_minutes_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(procurement):
    """A joint key-supplier forum of two suppliers, each with its own contract-level holder."""
    alpha = fill_governance(make_contract(make_supplier("Alpha Drift AB")))
    beta = fill_governance(make_contract(make_supplier("Beta Applikationer AB")))
    for contract, address in ((alpha, "kim@alpha.example"), (beta, "bo@beta.example")):
        RoleHolder.objects.filter(
            governance_level__contract=contract,
            governance_level__level=Level.CONTRACT,
            side=Side.SUPPLIER,
        ).update(email=address, name=address.split("@")[0].title())
    forum = make_forum(
        [alpha, beta],
        procurement,
        name="Key-supplier meeting",
        level=Level.CONTRACT,
        cadence=Cadence.QUARTERLY,
    )
    starts_at = timezone.now() - timedelta(hours=2)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    minutes = start_minutes(meeting=meeting, by=procurement)
    return minutes


def present(minutes, *emails):
    minutes.attendance.filter(email__in=emails).update(present=True)


CITY = "buyer.contract@example.org"


def test_approval_is_refused_while_a_suppliers_mandate_holder_was_absent(parties, procurement):
    present(parties, procurement.email, CITY, "kim@alpha.example")

    with pytest.raises(MandateAbsent) as refused:
        approve_minutes(minutes=parties, by=procurement)

    assert [gap.party for gap in refused.value.gaps] == ["Beta Applikationer AB"]
    assert refused.value.gaps[0].holders == ["Bo"]
    parties.refresh_from_db()
    assert not parties.is_approved
    assert parties.meeting.status == MeetingStatus.PLANNED


def test_the_chair_alone_does_not_carry_the_citys_mandate(parties, procurement):
    present(parties, procurement.email, "kim@alpha.example", "bo@beta.example")

    with pytest.raises(MandateAbsent) as refused:
        approve_minutes(minutes=parties, by=procurement)

    assert [gap.party for gap in refused.value.gaps] == ["City"]


def test_a_reason_lets_the_minutes_through_and_is_kept_with_them(parties, procurement, client):
    present(parties, procurement.email, CITY, "kim@alpha.example")

    approve_minutes(
        minutes=parties, by=procurement, absent_mandate_reason="Bo was ill; decisions wait."
    )

    parties.refresh_from_db()
    assert parties.is_approved
    assert parties.absent_mandate == "Beta Applikationer AB"
    assert parties.absent_mandate_reason == "Bo was ill; decisions wait."
    assert Meeting.objects.get(pk=parties.meeting_id).status == MeetingStatus.HELD

    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Key-supplier meetings held without the mandate" in page
    assert "Bo was ill; decisions wait." in page
    assert reverse("meetings:minutes_detail", args=[parties.pk]) in page


def test_with_every_mandate_holder_present_no_reason_is_asked(parties, procurement):
    present(parties, procurement.email, CITY, "kim@alpha.example", "bo@beta.example")

    approve_minutes(minutes=parties, by=procurement, absent_mandate_reason="not needed")

    parties.refresh_from_db()
    assert parties.is_approved
    assert parties.absent_mandate == ""
    assert parties.absent_mandate_reason == ""


def test_a_weekly_operational_meeting_needs_no_contract_level_mandate(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    starts_at = timezone.now() - timedelta(hours=2)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    minutes = start_minutes(meeting=meeting, by=procurement)
    present(minutes, procurement.email)

    approve_minutes(minutes=minutes, by=procurement)

    assert Minutes.objects.get(pk=minutes.pk).is_approved


def test_the_page_names_who_is_missing_and_asks_for_the_reason(parties, procurement, client):
    present(parties, procurement.email, CITY, "kim@alpha.example")
    client.force_login(procurement)
    url = reverse("meetings:minutes_detail", args=[parties.pk])

    page = client.get(url).content.decode()
    assert "Nobody with the contract-level mandate is marked present for:" in page
    assert "Beta Applikationer AB" in page and "(Bo)" in page
    assert 'name="absent_mandate_reason"' in page and 'form="approve-minutes"' in page

    refused = client.post(reverse("meetings:minutes_approve", args=[parties.pk]), follow=True)
    assert "Nobody with the contract-level mandate was marked present for: Beta" in (
        refused.content.decode()
    )
    assert not Minutes.objects.get(pk=parties.pk).is_approved

    client.post(
        reverse("meetings:minutes_approve", args=[parties.pk]),
        {"absent_mandate_reason": "Bo was ill; decisions wait."},
    )
    record = client.get(url).content.decode()
    assert "Approved without a contract-level mandate holder present for:" in record
    assert "Bo was ill; decisions wait." in record


def test_the_notice_follows_presence_as_it_is_marked(parties, procurement, client):
    """htmx asks for the notice again after each tick (HX-Trigger attendance-changed)."""
    client.force_login(procurement)
    row = parties.attendance.get(email="bo@beta.example")
    present(parties, procurement.email, CITY, "kim@alpha.example")

    ticked = client.post(
        reverse("meetings:attendance_toggle", args=[row.pk]),
        {"present": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert ticked["HX-Trigger"] == "attendance-changed"
    notice = client.get(
        reverse("meetings:minutes_detail", args=[parties.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="mandate",
    ).content.decode()
    assert notice.strip() == ""  # every party's mandate holder is now present


def test_a_too_long_reason_is_refused_and_the_minutes_stay_a_draft(parties, procurement, client):
    present(parties, procurement.email, CITY, "kim@alpha.example")
    client.force_login(procurement)

    response = client.post(
        reverse("meetings:minutes_approve", args=[parties.pk]),
        {"absent_mandate_reason": "x" * 5000},
        follow=True,
    )

    assert "The reason is 5000 characters long" in response.content.decode()
    assert not Minutes.objects.get(pk=parties.pk).is_approved


def test_a_correction_with_the_holder_present_takes_the_meeting_off_the_dashboard(
    parties, procurement, client
):
    present(parties, procurement.email, CITY, "kim@alpha.example")
    approve_minutes(minutes=parties, by=procurement, absent_mandate_reason="Bo was ill.")
    correction = start_correction(minutes=parties, reason="Bo joined by phone", by=procurement)
    correction.attendance.filter(email="bo@beta.example").update(present=True)
    approve_minutes(minutes=correction, by=procurement)

    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Bo was ill." not in page
    assert "Every key-supplier meeting of the last 12 months was held with both sides" in page


def test_the_pdf_minutes_say_who_was_missing_and_why(parties, procurement, tmp_path):
    present(parties, procurement.email, CITY, "kim@alpha.example")
    approve_minutes(minutes=parties, by=procurement, absent_mandate_reason="Bo was ill.")

    text = pdf_text(render_minutes_pdf(Minutes.objects.get(pk=parties.pk)), tmp_path)
    assert "mandate holder present for: Beta Applikationer AB" in " ".join(text.split())
    assert "Reason: Bo was ill." in " ".join(text.split())
