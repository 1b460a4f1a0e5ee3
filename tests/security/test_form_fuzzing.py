"""Arbitrary input in every form and every list filter: never a server error, and input that is
refused gets an answer that says what is wrong.

Hypothesis makes the bodies: any text (null bytes, lone surrogates sent as the bytes a careless
client sends, very long strings), huge and negative numbers, odd dates and times, wrong choices,
missing fields. Each example runs in a savepoint that is rolled back, so every example meets the
same records.
"""

import inspect
import os
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.forms import (
    BOOL,
    DATE,
    DECIMAL,
    EMAIL,
    FILE,
    FILTERS,
    FORMS,
    INT,
    TEXT,
    TIME,
    form_body,
)
from tests.security.urls import url_patterns
from tests.security.world import APPS, ROUTES, build_world, route_kwargs

pytestmark = pytest.mark.django_db

# Per form and per list page; FUZZ_EXAMPLES=150 makes a deeper run (about ten minutes).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to the working tree; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "nul\x00byte",
        "\ud800",
        "-1",
        "0",
        "-0",
        "1e309",
        "NaN",
        "-Infinity",
        "99999999999999999999999999999999",
        "-99999999999999999999999999999999",
        "2026-02-30",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "2026-13-01",
        "24:00",
        "23:59:60",
        "on",
        "[]",
        "%s%s%n",
        "{{7*7}}",
        "\u202e\u200b\ufeff",
        "ǅ\u0301\U0001f600",
    ]
)


def any_text(surrogates=True):
    characters = st.characters(exclude_categories=[] if surrogates else ["Cs"])
    return st.one_of(
        st.text(characters, max_size=40),
        st.integers(min_value=150, max_value=20_000).map(lambda n: "ä" * n),
    )


def number():
    return st.one_of(
        # The edges of the database's integer columns.
        st.sampled_from([32767, 32768, 65535, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1]),
        # Digits to str.isdigit() that int() or a database refuse.
        st.sampled_from(["²", "\u0661\u0662", "\U0001d7d7", "9999999999999999999"]),
        st.integers(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True),
    ).map(str)


# Any name a file on disk can have (the test client cannot send a path or an empty name).
FILE_NAMES = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="/\\"), min_size=1, max_size=30
).filter(lambda name: name not in (".", ".."))

SPECIFIC = {
    TEXT: st.nothing(),
    EMAIL: st.emails(),
    INT: number(),
    DECIMAL: number(),
    DATE: st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    TIME: st.times().map(time.isoformat),
    BOOL: st.sampled_from(["on", "off", "1", "true"]),
}


def value(kind, valid, surrogates=True):
    junk = st.one_of(ODD, any_text(surrogates), number())
    if not surrogates:  # a multipart body is encoded by the test client, which cannot
        junk = junk.map(lambda text: text.encode("utf-8", "replace").decode())
    if isinstance(kind, tuple):  # a choice, or several
        name, choices = kind
        one = st.one_of(st.sampled_from(choices), junk)
        return st.lists(one, max_size=3) if name == "many" else one
    return st.one_of(st.just(valid), SPECIFIC[kind], junk)


def bodies(fields, surrogates=True):
    """Dicts of some of the fields (any may be missing), each a valid value or anything."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: value(kind, valid, surrogates)
            for name, (kind, valid) in fields.items()
            if kind != FILE
        },
    )


def rows_written():
    """Rows the portal's own tables took so far in this transaction (PostgreSQL counts them per
    transaction; sessions and sign-in attempts are not the form's doing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE split_part(relname, '_', 1) = ANY(%s)",
            [APPS],
        )
        return cursor.fetchone()[0]


def follow(client, response):
    """The page an answer leads to: a redirect's (htmx's too), or the answer itself."""
    if "HX-Redirect" in response:
        return client.get(response["HX-Redirect"])
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def says_what_is_wrong(page):
    """A refusal the person can read: an error status, the form's errors, or a message."""
    if page.status_code >= 400:
        return True
    body = page.content.decode(errors="replace")
    return 'class="errorlist' in body or 'class="message' in body


def accepts_post(view):
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    return "POST" in inspect.getsource(inspect.unwrap(view))


def test_every_post_view_has_a_form_row():
    posting = {name for name, _arguments, view in url_patterns() if accepts_post(view)}
    assert posting == {form.url_name for form in FORMS}


def test_every_view_that_reads_the_query_string_has_a_filter_row():
    reading = {
        name
        for name, _arguments, view in url_patterns()
        if "request.GET" in inspect.getsource(inspect.unwrap(getattr(view, "view_class", view)))
    }
    assert reading - set(FILTERS) == set()


def sign_in(client, user, owes_second_factor=False):
    client.logout()
    if user is not None:
        client.force_login(user)
    if owes_second_factor:
        session = client.session
        session.pop(DEVICE_ID_SESSION_KEY)
        session.save()


def url_of(world, url_name):
    return reverse(url_name, kwargs=route_kwargs(world, url_name) if url_name in ROUTES else {})


def test_arbitrary_input_never_breaks_a_form_and_refusals_say_why(client):
    world = build_world("Fuzz")
    for form in FORMS:
        sign_in(client, world.users.get(form.user), form.owes_second_factor)
        fuzz_form(client, form.url_name, url_of(world, form.url_name), form.fields(world))


def fuzz_form(client, url_name, url, fields):
    uploads = any(kind == FILE for kind, _valid in fields.values())

    @FUZZ
    @given(
        data=bodies(fields, surrogates=not uploads),
        upload=st.tuples(FILE_NAMES, st.binary(max_size=3000)),
        htmx=st.booleans(),
    )
    def post_anything(data, upload, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        client.cookies.pop("messages", None)  # only this answer's messages count
        with transaction.atomic():
            written = rows_written()
            if uploads:  # multipart, as browsers send files
                filename, content = upload
                data["file"] = SimpleUploadedFile(filename, content)
                response = client.post(url, data, headers=headers)
            else:
                response = client.post(
                    url,
                    form_body(data),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
            assert response.status_code < 500
            refused = rows_written() == written
            # Saved or refused with a message, the answer leads to a page: it must show too.
            page = follow(client, response)
            assert page.status_code < 500
            if fields and refused:
                assert says_what_is_wrong(page), (
                    f"{url_name}: refused without a word ({response.status_code})"
                )
            transaction.set_rollback(True)

    post_anything()


def test_arbitrary_filters_never_break_a_list(client):
    world = build_world("Fuzz")
    for role in ("procurement", "contact_a"):
        sign_in(client, world.users[role])
        for url_name, fields in FILTERS.items():
            fuzz_filters(client, url_of(world, url_name), fields(world))


def fuzz_filters(client, url, fields):
    @FUZZ
    @given(query=bodies(fields), htmx=st.booleans())
    def get_anything(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(f"{url}?{form_body(query)}", headers=headers)
        assert response.status_code in (200, 302, 403, 404), url

    get_anything()
