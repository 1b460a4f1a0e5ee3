"""Nothing a signed-in person is shown is stored by a browser or a proxy: pages, the minutes
PDF and calendar files all say Cache-Control: private, no-store."""

import pytest
from django.urls import reverse

from meetings.services import approve_minutes, publish_minutes_pdf
from tests.factories import make_held_minutes

pytestmark = pytest.mark.django_db


def _not_stored(response):
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives


def test_signed_in_pages_downloads_and_sections_are_not_stored(
    client_for, procurement, contact_a, contract_a
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    publish_minutes_pdf({"minutes": minutes.pk})
    meeting = minutes.meeting
    for user in (procurement, contact_a):
        client = client_for(user)
        for url in (
            reverse("portal:home"),
            reverse("suppliers:contract_list"),
            meeting.get_absolute_url(),
            reverse("meetings:minutes_pdf", args=[minutes.pk]),
            reverse("meetings:meeting_calendar", args=[meeting.pk]),
        ):
            assert _not_stored(client.get(url, follow=True)), (user, url)
        htmx = client.get(reverse("suppliers:contract_list"), HTTP_HX_REQUEST="true")
        assert _not_stored(htmx)
    assert _not_stored(client_for(procurement).get(reverse("portal:dashboard")))


def test_the_sign_in_page_is_not_stored_either(client):
    assert _not_stored(client.get(reverse("login")))
