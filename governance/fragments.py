"""Page fragments rendered once and shared by everyone who sees the same data.

A fragment is stored under what it shows: the caller's parts (the page, who it is for, the
filters), the language, today's date, and the version of its data, which is the newest
simple-history row of each model it shows. Every change to those models writes a history row
in the same transaction (tests/security/test_bulk_history.py keeps it so), so the version
moves exactly when the fragment may have changed and becomes visible together with the change.

A shared fragment must hold nothing personal: no CSRF token, no name of the person looking.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


def _templates_version():
    """Changes when a deploy changes a template, so no fragment outlives its markup."""
    files = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    stamp = "".join(f"{path}:{path.stat().st_mtime_ns}" for path in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


TEMPLATES_VERSION = _templates_version()


def audience(user):
    """Who a fragment is for: the city's people (managers or not) or one supplier's contacts."""
    if user.sees_portfolio:
        return ("portfolio", user.can_manage)
    return ("supplier", user.supplier_id)


def data_version(models):
    """The newest history row of each model, in one query (each is its primary key's end);
    nothing to look up for a fragment of records that never change."""
    if not models:
        return ()
    tables = [connection.ops.quote_name(model.history.model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        # The names are our models' own tables, quoted; nothing comes from a request.
        maxima = ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables)  # noqa: S608
        cursor.execute(f"SELECT {maxima}")
        return cursor.fetchone()


def shared_fragment(parts, models, render):
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
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered
