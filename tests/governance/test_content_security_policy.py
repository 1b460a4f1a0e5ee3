"""The content security policy every page is sent with: only the portal's own files, no
inline script or style, no plugins, no framing; the admin may use inline style attributes;
the minutes PDF is left to the browser's viewer."""

import pytest
from django.urls import reverse

from meetings.models import MinutesPdf
from meetings.pdf import render_minutes_pdf
from meetings.services import approve_minutes
from tests.factories import make_held_minutes


def policy(response):
    header = response["Content-Security-Policy"]
    return dict(
        (directive.split()[0], directive.split()[1:])
        for directive in header.split(";")
        if directive
    )


PORTAL_POLICY = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


@pytest.mark.parametrize("path", ["/login/", "/dashboard/", "/contracts/", "/healthz/"])
def test_every_page_is_sent_with_the_strict_policy(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert policy(response) == PORTAL_POLICY  # scripts and styles fall back to 'self' only


def test_an_htmx_fragment_gets_the_same_policy(client, procurement, contract_a):
    client.force_login(procurement)
    response = client.get("/contracts/?q=A", HTTP_HX_REQUEST="true")
    assert policy(response) == PORTAL_POLICY


def test_a_refused_page_gets_the_same_policy(client, contact_a):
    client.force_login(contact_a)
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert policy(response) == PORTAL_POLICY


def test_the_admin_also_allows_inline_style_attributes_but_no_inline_script(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert policy(response) == PORTAL_POLICY | {"style-src-attr": ["'unsafe-inline'"]}


def test_the_minutes_pdf_is_served_whole_and_without_a_page_policy(client, procurement, contract_a):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    content = render_minutes_pdf(minutes)
    MinutesPdf.objects.create(minutes=minutes, content=content, sha256="0" * 64)
    client.force_login(procurement)
    response = client.get(reverse("meetings:minutes_pdf", args=[minutes.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == content and content.startswith(b"%PDF-")
    assert "Content-Security-Policy" not in response
