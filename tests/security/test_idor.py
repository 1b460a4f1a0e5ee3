"""Supplier B's contact, holding supplier A's ids, learns nothing and changes nothing: every URL
that takes an id answers as if the record did not exist, no body names A's records, and not a
row in the database differs afterwards."""

import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from escalations.models import Issue
from operations.models import FigureImport, Measurement
from tests.security.forms import FILTERS, form_for
from tests.security.urls import HX_TARGETS, url_patterns
from tests.security.world import APPS, ROUTES, build_world, route_kwargs

pytestmark = pytest.mark.django_db

MARKER = "alpha-secret"
# URLs whose argument is not a record's id.
NOT_AN_ID = {
    "suppliers:accept_invitation": "the token is the credential: whoever holds it",
    "password_reset_confirm": "the link is the credential, and names no supplier's record",
    "governance:sign_off_link": "the e-mailed link is the credential: whoever holds it",
    "export": "names a list and a format: B's export holds B's rows (test_exports.py)",
}
MISSING = 2_000_000_000
HTMX = {"HX-Request": "true"}


def database_state():
    """Every row of the portal's own tables, their history and their many-to-many links."""
    state = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return state


def assert_says_nothing_of_a(response, where):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace") + str(response.headers)
    assert not re.search(re.escape(MARKER), text, re.IGNORECASE), f"{where} shows A's data"


def valid_body(world, url_name):
    form = form_for(url_name)
    if form is None:
        return {}
    body = form.valid(world)
    if "file" in body:
        body["file"] = SimpleUploadedFile("figures.csv", body["file"].encode())
    return body


def missing_kwargs(kwargs):
    return {key: MISSING if isinstance(value, int) else value for key, value in kwargs.items()}


def test_supplier_b_gets_not_found_for_every_url_with_a_s_ids(client):
    world = build_world(MARKER)
    client.force_login(world.users["contact_b"])  # before the snapshot: it sets last_login
    before = database_state()
    swept = 0
    for url_name, arguments, _view in url_patterns():
        if not arguments or url_name in NOT_AN_ID:
            continue
        assert url_name in ROUTES, f"{url_name} takes {arguments}: give it a row in ROUTES"
        kwargs = route_kwargs(world, url_name)
        urls = {
            "A's": reverse(url_name, kwargs=kwargs),
            "a missing": reverse(url_name, kwargs=missing_kwargs(kwargs)),
        }
        for method, headers in [("GET", {}), ("POST", {}), ("POST", HTMX)]:
            answers = {}
            for whose, url in urls.items():
                if method == "GET":
                    response = client.get(url, headers=headers)
                else:
                    response = client.post(url, valid_body(world, url_name), headers=headers)
                assert_says_nothing_of_a(response, f"{method} {url} {headers}")
                answers[whose] = response.status_code
            assert answers["A's"] in (403, 404, 405), f"{method} {urls} {headers}: {answers}"
            assert answers["A's"] == answers["a missing"], f"{method} {urls}: tells A's exist"
        if url_name in HX_TARGETS:
            headers = {**HTMX, "HX-Target": HX_TARGETS[url_name]}
            response = client.get(urls["A's"], headers=headers)
            assert response.status_code in (403, 404, 405), f"{urls} {headers}"
            assert_says_nothing_of_a(response, f"GET {urls} {headers}")
        swept += 1
    assert swept == len(ROUTES) - len(NOT_AN_ID)
    assert database_state() == before


def test_supplier_b_s_own_forms_and_filters_ignore_a_s_ids(client):
    world = build_world(MARKER)
    contact_b = world.users["contact_b"]
    client.force_login(contact_b)
    objects = world.objects
    issues = Issue.objects.count()
    a_figures = list(Measurement.objects.values())

    # Raising an issue on A's contract: the contract is not B's to choose.
    response = client.post(
        reverse("escalations:issue_create"),
        {
            **form_for("escalations:issue_create", "contact_a").valid(world),
            "contracts": [objects["contract"]],
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert_says_nothing_of_a(response, "issue_create")
    assert Issue.objects.count() == issues

    # Uploading figures for A, or for A's contract: the file is B's, and A's contract reads
    # like one that does not exist.
    rows = f"contract,period,category,questions\n{MARKER},2026-10,Passwords,3\n"
    response = client.post(
        reverse("operations:import_upload"),
        {"supplier": objects["supplier"], "file": SimpleUploadedFile("f.csv", rows.encode())},
        follow=True,
    )
    assert FigureImport.objects.get(uploaded_by=contact_b).supplier_id == objects["supplier_b"]
    assert "Unknown contract" in response.content.decode()

    # Reporting on B's contract with a field for A's service level: ignored.
    response = client.post(
        reverse("operations:report", args=[objects["contract_b"]]),
        {"period": "2026-10", f"sl_{objects['service_level']}": "1"},
    )
    assert response.status_code == 302
    assert list(Measurement.objects.values()) == a_figures

    # Filters naming A's records show B nothing of A's.
    for url_name, params in FILTERS.items():
        kwargs = route_kwargs(world, url_name) if url_name in ROUTES else {}
        if kwargs.get("pk") == objects["contract"]:
            kwargs["pk"] = objects["contract_b"]
        url = reverse(url_name, kwargs=kwargs)
        query = {name: value for name, (_kind, value) in params(world).items()}
        response = client.get(url, query)
        assert response.status_code in (200, 302, 403, 404), f"{url} {query}"
        assert_says_nothing_of_a(response, f"{url} {query}")
