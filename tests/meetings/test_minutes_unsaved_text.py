"""Text typed into the minutes is saved as it is typed (autosave, with the usual revision
rules), and an approval sent with text that differs from what is saved is refused, the text
kept on the page. The browser side is tests/browser/test_minutes_autosave.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MinutesItem
from meetings.services import save_item, start_minutes
from tests.factories import make_forum, mark_present

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def minutes(contract_a, procurement):
    forum = make_forum([contract_a], procurement)
    starts_at = timezone.now() - timedelta(hours=1)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    return mark_present(start_minutes(meeting=meeting, by=procurement))


def typed(item, notes, decisions="", revision=0, autosave=True):
    data = {
        f"item-{item.pk}-notes": notes,
        f"item-{item.pk}-decisions": decisions,
        f"item-{item.pk}-revision": revision,
    }
    return data | ({"autosave": "1"} if autosave else {})


def test_the_item_form_saves_as_you_type(minutes, procurement, client_for):
    item = minutes.items.first()
    page = client_for(procurement).get(minutes.meeting.get_absolute_url()).content.decode()
    assert 'hx-trigger="input changed delay:1s"' in page
    assert f'hx-target="#item-{item.pk}-saved"' in page


def test_autosave_answers_with_the_note_and_the_new_revision_only(minutes, procurement, client_for):
    item = minutes.items.first()
    url = reverse("meetings:minutes_item_edit", args=[item.pk])
    response = client_for(procurement).post(url, typed(item, "Uptime 99.2 %"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved" in body
    assert f'id="id_item-{item.pk}-revision"' in body and 'value="1"' in body
    assert "<textarea" not in body  # the text being typed is not replaced
    item.refresh_from_db()
    assert (item.notes, item.revision, item.updated_by) == ("Uptime 99.2 %", 1, procurement)


def test_autosave_after_someone_elses_save_shows_the_conflict_with_the_text_kept(
    minutes, procurement, client_for
):
    item = minutes.items.first()
    save_item(item=item, revision=0, notes="Theirs", decisions="", by=procurement)
    url = reverse("meetings:minutes_item_edit", args=[item.pk])
    response = client_for(procurement).post(url, typed(item, "Mine, typed"), **HTMX)
    body = response.content.decode()
    assert response["HX-Retarget"] == f"#item-{item.pk}"
    assert "while you were editing" in body
    assert "Mine, typed" in body and "Theirs" in body
    item.refresh_from_db()
    assert item.notes == "Theirs"


def approve(client, minutes, data, htmx=True):
    url = reverse("meetings:minutes_approve", args=[minutes.pk])
    return client.post(url, data, **(HTMX if htmx else {}))


def test_approval_with_unsaved_text_is_refused_and_the_text_stays(minutes, procurement, client_for):
    client = client_for(procurement)
    item = minutes.items.all()[1]
    response = approve(client, minutes, typed(item, "Typed, not saved", autosave=False))
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#messages"  # the page (and the text) stays as it is
    assert "2. Support tickets has text that is not saved yet" in response.content.decode()
    minutes.refresh_from_db()
    assert not minutes.is_approved
    # Without htmx too (a hand-made post): refused, with the message on the page.
    page = client.post(
        reverse("meetings:minutes_approve", args=[minutes.pk]),
        typed(item, "Typed, not saved", autosave=False),
        follow=True,
    ).content.decode()
    assert "has text that is not saved yet" in page
    minutes.refresh_from_db()
    assert not minutes.is_approved


def test_approval_with_the_saved_text_goes_through(minutes, procurement, client_for):
    client = client_for(procurement)
    item = minutes.items.first()
    save_item(item=item, revision=0, notes="Line one\nLine two", decisions="", by=procurement)
    # As a browser sends it: CRLF line ends, and the untouched items' empty fields.
    data = typed(item, "Line one\r\nLine two\r\n", autosave=False)
    for other in minutes.items.exclude(pk=item.pk):
        data |= typed(other, "", autosave=False)
    response = approve(client, minutes, data)
    assert response["HX-Redirect"] == minutes.meeting.get_absolute_url()
    minutes.refresh_from_db()
    assert minutes.is_approved
    assert MinutesItem.objects.get(pk=item.pk).notes == "Line one\nLine two"
