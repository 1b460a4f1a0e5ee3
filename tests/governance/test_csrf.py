"""Every unsafe request needs the CSRF token: without it every URL of the portal refuses a
POST and changes nothing; with the token from the page's hx-headers an htmx change goes
through. A refused form says what happened, in the site's layout or, under htmx, after a
reload."""

import json
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from governance.models import Level, RoleHolder
from tests.factories import city_person
from tests.governance.test_authorization_matrix import MATRIX, objects  # noqa: F401

# The admin's own pages beyond its index (in the matrix) that change something.
ADMIN_URLS = ["/admin/login/", "/admin/logout/", "/admin/password_change/"]


def database_rows():
    """Every row of every table except the sessions (which each request touches)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


def new_holder():
    """The add-a-role-holder form of the operational level, as the contract page posts it:
    Ny Person of the city's staff as Deputy."""
    person = city_person("ny@city.example", "Ny", "Person")
    return {"operational-person": f"user-{person.pk}", "operational-role_title": "Deputy"}


@pytest.fixture
def csrf_client(procurement):
    client = Client(enforce_csrf_checks=True)
    client.force_login(procurement)
    return client


def test_a_post_without_the_token_is_refused_everywhere_and_changes_nothing(
    csrf_client,
    objects,  # noqa: F811
):
    urls = [
        reverse(name, kwargs={key: objects[value] for key, value in kwargs.items()})
        for name, (_method, kwargs, _statuses) in sorted(MATRIX.items())
    ] + ADMIN_URLS
    for url in urls:
        before = database_rows()
        response = csrf_client.post(url, {"name": "Changed", "reason": "x", "text": "x"})
        assert response.status_code == 403, url
        assert "Your form expired" in response.text, url
        assert database_rows() == before, url


def test_the_refusal_page_is_in_the_site_layout_for_the_signed_in_user(csrf_client, procurement):
    response = csrf_client.post("/suppliers/new/", {"name": "Gamma Drift AB"})
    assert response.status_code == 403
    assert 'class="topbar"' in response.text
    assert str(procurement) in response.text  # still signed in: the page shows who
    assert "Nothing was saved. Go back, reload the page and try again." in response.text


def page_token(response):
    """The token as base.html hands it to htmx: hx-headers on <body>."""
    headers = re.search(r"<body hx-headers='([^']*)'", response.text).group(1)
    return json.loads(headers)["X-CSRFToken"]


def test_an_htmx_change_with_the_token_from_hx_headers_goes_through(csrf_client, contract_a):
    page = csrf_client.get(f"/contracts/{contract_a.pk}/")
    response = csrf_client.post(
        f"/contracts/{contract_a.pk}/levels/{Level.OPERATIONAL}/holders/",
        new_holder(),
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=page_token(page),
    )
    assert response.status_code == 200
    assert "Ny Person" in response.text
    assert RoleHolder.objects.filter(name="Ny Person").exists()


def test_an_htmx_change_with_a_stale_token_reloads_the_page_with_a_message(csrf_client, contract_a):
    page = f"/contracts/{contract_a.pk}/"
    csrf_client.get(page)
    response = csrf_client.post(
        f"/contracts/{contract_a.pk}/levels/{Level.OPERATIONAL}/holders/",
        new_holder(),
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN="a" * 64,  # a token from another session
    )
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert not RoleHolder.objects.filter(name="Ny Person").exists()

    reloaded = csrf_client.get(page)
    assert "This page had expired, so your last change was not saved." in reloaded.text
