"""Page fragments rendered once and shared by everyone who sees the same data.

A fragment is stored under what it shows: the caller's parts (the page, who it is for, the
filters), the language, today's date, and the version of its data, which is the newest
simple-history row of each model it shows. Every change to those models writes a history row
in the same transaction (tests/security/test_bulk_history.py keeps it so), so the version
moves exactly when the fragment may have changed and becomes visible together with the change.

A shared fragment must hold nothing personal: no CSRF token, no name of the person looking.
Where a shared fragment has something personal inside (a form's CSRF token, a section of the
person's own), shared_with_personal() renders it with a marker there and puts each person's own
value in place of the marker on the way out.
"""

import functools
import hashlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def _templates_version() -> str:
    """Changes when a deploy changes a template, so no fragment outlives its markup."""
    files = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    stamp = "".join(f"{path}:{path.stat().st_mtime_ns}" for path in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


TEMPLATES_VERSION = _templates_version()


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
    with connection.cursor() as cursor:
        # The names are our models' own tables, quoted; nothing comes from a request.
        maxima = ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables)  # noqa: S608
        cursor.execute(f"SELECT {maxima}")
        return tuple(cursor.fetchone() or ())


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
    what = (TEMPLATES_VERSION, parts, data_version(models), get_language(), timezone.localdate())
    key = "fragment:" + hashlib.sha256(repr(what).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render()
        if not isinstance(html, NotShared):
            cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


def _marker(name: str) -> str:
    # Derived from the secret key: no one can write a marker into a text of theirs.
    return "personal-" + salted_hmac("governance.fragments.marker", name).hexdigest()[:24]


def shared_with_personal(
    parts: Hashable,
    models: Sequence[Any],
    render: Callable[[dict[str, str]], str],
    personal: Mapping[str, Any],
) -> SafeString:
    """A shared fragment with something personal inside: render(markers) is given a marker for
    each name in personal (for instance csrf_token), in place of which each person gets their
    own value (escaped unless it is already safe HTML)."""
    markers = {name: _marker(name) for name in personal}
    html: str = shared_fragment(parts, models, lambda: render(markers))
    for name, value in personal.items():
        html = html.replace(markers[name], conditional_escape(value))
    return mark_safe(html)  # noqa: S308 - the shared fragment and escaped personal values
