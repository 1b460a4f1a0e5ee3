"""How much one person can write: a field takes at most a few pages (a longer text is refused
with its length and kept in the form), and at most WRITES_PER_MINUTE changes a minute."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from escalations.models import Issue
from governance.models import NOTES_MAX_LENGTH, TEXT_MAX_LENGTH
from meetings.services import start_minutes
from operations.models import FigureImport
from tests.factories import make_forum
from tests.meetings.test_minutes import make_meeting

pytestmark = pytest.mark.django_db

TWO_MB = "Uptime was fine. " * (2 * 1024 * 1024 // 17)


@pytest.fixture
def draft(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    return start_minutes(meeting=make_meeting(forum, days_ago=1), by=procurement)


def test_a_two_megabyte_comment_is_refused_with_its_length_and_kept(client_for, draft, contact_a):
    response = client_for(contact_a).post(
        reverse("meetings:comment_add", args=[draft.pk]), {"body": TWO_MB}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"at most {TEXT_MAX_LENGTH} characters (it has {len(TWO_MB.strip())})" in page
    assert TWO_MB[:2000] in page  # what was written is still in the form
    assert not draft.comments.exists()


def test_two_megabytes_of_notes_are_refused(client_for, draft, procurement):
    item = draft.items.first()
    response = client_for(procurement).post(
        reverse("meetings:minutes_item_edit", args=[item.pk]),
        {f"item-{item.pk}-revision": item.revision, f"item-{item.pk}-notes": TWO_MB},
        HTTP_HX_REQUEST="true",
    )
    assert f"at most {NOTES_MAX_LENGTH} characters" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == ""


def test_a_two_megabyte_issue_is_neither_raised_nor_mailed(client_for, procurement, contract_a):
    mail.outbox.clear()
    response = client_for(procurement).post(
        reverse("escalations:issue_create"),
        {
            "title": "Slow service desk",
            "description": TWO_MB,
            "level": "operational",
            "severity": "high",
            "contracts": [contract_a.pk],
            "owner_name": "Ola",
            "owner_organisation": "Alpha Drift AB",
        },
    )
    assert response.status_code == 200
    assert f"at most {TEXT_MAX_LENGTH} characters" in response.content.decode()
    assert not Issue.objects.exists()
    assert mail.outbox == []


@override_settings(WRITES_PER_MINUTE=3)
def test_more_changes_a_minute_than_a_person_makes_are_refused_with_a_reason(
    client_for, draft, contact_a
):
    client = client_for(contact_a)
    url = reverse("meetings:comment_add", args=[draft.pk])
    for number in range(3):
        assert client.post(url, {"body": f"Remark {number}"}).status_code in (200, 302)
    refused = client.post(url, {"body": "Remark 3"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 429
    assert refused["HX-Retarget"] == "#messages"  # the form keeps its text
    assert "more than 3 changes in a minute" in refused.content.decode()
    assert int(refused["Retry-After"]) <= 60
    page = client.post(url, {"body": "Remark 4"})
    assert page.status_code == 429
    assert "Wait" in page.content.decode()
    assert draft.comments.count() == 3


def test_a_fifty_megabyte_upload_is_refused_before_it_is_read(client_for, contact_a):
    client = client_for(contact_a)
    url = reverse("operations:import_upload")
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # The body here is small: only its declared length says 50 MB, and the answer comes from
    # that alone (the body is never read, so it cannot matter what it holds).
    response = client.post(
        url,
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("figures.csv", b"x")},
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "What you sent is 50.0 MB, more than the 3 MB" in response.content.decode()
    assert not FigureImport.objects.exists()
