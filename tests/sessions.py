"""Moving sessions back in time, in the database and in the cache alike (governance/sessions.py
keeps a copy of each session in the cache for as long as it lasts)."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils import timezone

from governance.sessions import SAVED_AT, SessionStore


def as_if_last_saved(ago: timedelta) -> None:
    """Every session as it would be `ago` after its last save: saved then, ending eight hours
    after that, and in the cache only while it has not ended (the cache's timeout drops it)."""
    cache = caches[settings.SESSION_CACHE_ALIAS]
    store = SessionStore()
    saved_at = timezone.now() - ago
    for session in Session.objects.all():
        data = store.decode(session.session_data)
        data[SAVED_AT] = int(time.time() - ago.total_seconds())
        session.session_data = store.encode(data)
        session.expire_date = saved_at + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        session.save()
        key = SessionStore.cache_key_prefix + session.session_key
        remaining = (session.expire_date - timezone.now()).total_seconds()
        if remaining > 0:
            cache.set(key, data, remaining)
        else:
            cache.delete(key)


def idle_past_the_session_age() -> None:
    """Every session's last page was a little more than SESSION_COOKIE_AGE ago."""
    as_if_last_saved(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
