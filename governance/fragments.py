"""Page fragments rendered once and shared by everyone who sees the same data.

A fragment is stored under what it shows: the caller's parts (the page, who it is for, the
filters), the language, today's date, and the version of its data, which is the newest
simple-history row of each model it shows. Every change to those models writes a history row
in the same transaction (tests/security/test_bulk_history.py keeps it so, and names the few
writes that do not: the portal's own updates of planned meetings, whose pages are never
shared), so the version moves exactly when the fragment may have changed and becomes visible
together with the change.

A shared fragment must hold nothing personal: no CSRF token, no name of the person looking.
Where a shared fragment has something personal inside (a form's CSRF token, a section of the
person's own), shared_with_personal() renders it with a marker there and puts each person's own
value in place of the marker on the way out. shared_page() does so for a whole page, the menu
and the signed-in person's name included, so that a page seen before costs a cache read.
"""

import functools
import hashlib
import re
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .cache import NearCache


def _templates_version() -> str:
    """Changes when a deploy changes a template, so no fragment outlives its markup."""
    files = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    stamp = "".join(f"{path}:{path.stat().st_mtime_ns}" for path in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


TEMPLATES_VERSION = _templates_version()

# The fragments this process served last. A fragment's key names what it shows, so a copy
# here is as good as Redis's and saves its round trip on most pages.
recent = NearCache(settings.SHARED_FRAGMENT_MEMORY)


def audience(user: Any) -> tuple[str, Any]:
    """Who a fragment is for: the city's people (managers or not) or one supplier's contacts."""
    if user.sees_portfolio:
        return ("portfolio", user.can_manage)
    return ("supplier", user.supplier_id)


@functools.cache
def _history_table(model: Any) -> str:
    # Looked up once: simple-history builds a new manager class at each model.history.
    return connection.ops.quote_name(model.history.model._meta.db_table)


def data_version(models: Sequence[Any]) -> tuple[Any, ...]:
    """The newest history row of each model, in one query (each is its primary key's end);
    nothing to look up for a fragment of records that never change."""
    if not models:
        return ()
    tables = [_history_table(model) for model in models]
    # The names are our models' own tables, quoted; nothing comes from a request.
    maxima = ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables)  # noqa: S608
    if connection.vendor == "postgresql":
        return _prepared_row(f"SELECT {maxima}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {maxima}")
        return tuple(cursor.fetchone() or ())


def _prepared_row(sql: str) -> tuple[Any, ...]:
    """The query's one row, from a statement PostgreSQL prepares once per connection. Planned
    afresh, this query opened every index of every history table on every page (some forty
    relations, beyond the lock manager's fast path) and cost PostgreSQL twice the rest of the
    request. Django's cursors bind on the client and never prepare: this one binds on the
    server, and the connection prepares what such a cursor runs (governance.settings.base)."""
    import psycopg  # only on PostgreSQL

    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql.encode())
        row = cursor.fetchone()
    if connection.queries_logged:  # counted and listed like Django's own (tests, DEBUG)
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return tuple(row or ())


# The templates' indentation between two tags: a third of a shared page's bytes, and the same
# to a browser as one line break. Text is left alone (notes keep their spaces).
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def compact(html: str) -> str:
    return _BETWEEN_TAGS.sub(">\n<", html)


class NotShared(str):
    """What render() returns for a rendering it found to be this person's own after all (a
    draft's, say): it is shown to them and never stored."""


def shared_fragment(
    parts: Hashable, models: Sequence[Any], render: Callable[[], str]
) -> SafeString:
    """The HTML render() makes, from the cache when someone with the same parts saw the same
    version of the models' data today; SHARED_FRAGMENT_SECONDS bounds how long it is kept.
    No models: the parts alone say what the fragment shows (records locked once written)."""
    seconds = settings.SHARED_FRAGMENT_SECONDS
    if not seconds:
        return mark_safe(render())  # noqa: S308 - our own template's output
    # The database's name too: history ids are numbered per database, and two portals (say
    # a test one) may share one Redis.
    database = connection.settings_dict["NAME"]
    what = (
        TEMPLATES_VERSION,
        database,
        parts,
        data_version(models),
        get_language(),
        timezone.localdate(),
    )
    key = "fragment:" + hashlib.sha256(repr(what).encode()).hexdigest()
    html = recent.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = render()
            if isinstance(html, NotShared):
                return mark_safe(html)  # noqa: S308 - our own template's output
            html = compact(html)
            cache.set(key, html, seconds)
        recent.set(key, html, len(html), seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


@functools.cache
def _marker(name: str) -> str:
    # Derived from the secret key: no one can write a marker into a text of theirs. Worked
    # out once a process, not on every page.
    return "personal-" + salted_hmac("governance.fragments.marker", name).hexdigest()[:24]


def shared_with_personal(
    parts: Hashable,
    models: Sequence[Any],
    render: Callable[[dict[str, str]], str],
    personal: Mapping[str, Any],
) -> SafeString:
    """A shared fragment with something personal inside: render(markers) is given a marker for
    each name in personal (for instance csrf_token), in place of which each person gets their
    own value (escaped unless it is already safe HTML). A value may be a function, called
    only when the fragment has its marker (a section that costs queries, shown on some)."""
    markers = {name: _marker(name) for name in personal}
    html: str = shared_fragment(parts, models, lambda: render(markers))
    for name, value in personal.items():
        if markers[name] in html:
            own = value() if callable(value) else value
            html = html.replace(markers[name], conditional_escape(own))
    return mark_safe(html)  # noqa: S308 - the shared fragment and escaped personal values


def viewer_label(user: Any) -> str:
    """How the page's header names the signed-in person."""
    return f"{user} · {user.get_role_display()}"


def page_audience(user: Any) -> tuple[Any, ...]:
    """Who a whole page is for: its body's audience and what the menu shows them."""
    supplier_name = user.supplier.name if user.supplier_id else None
    return (audience(user), user.is_staff, supplier_name)


def shared_page(
    request: HttpRequest,
    parts: Hashable,
    models: Sequence[Any],
    render: Callable[[dict[str, str]], str],
    personal: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A whole page shared like a fragment: render(markers) renders the page with a marker
    for the person's CSRF token (csrf_token), their name in the header (who) and each name
    in personal; each person gets their own values in place of the markers. A page with
    messages waiting for the person (a saved form's "saved") is rendered for them alone."""
    user: Any = request.user
    values = {"csrf_token": get_token(request), "who": viewer_label(user), **(personal or {})}
    if len(get_messages(request)):
        return HttpResponse(
            render({name: value() if callable(value) else value for name, value in values.items()})
        )
    page = ("page", parts, page_audience(user))
    return HttpResponse(shared_with_personal(page, models, render, values))
