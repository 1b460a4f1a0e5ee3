"""Sessions in the cache, backed by the database (Django's cached_db engine), with two
differences:

- The eight idle hours move on with a save at most once a minute, not on every page: a page
  whose session was saved less than REFRESH_SECONDS ago reads it from the cache and writes
  nothing. With Redis away (ForgivingRedisCache answers a miss) the session is read from the
  database, which holds the truth.
- A save that fails because the database is away raises that error, so the person gets
  governance.views.server_error's 503 ("back in a moment"). Django turns every failed save into
  UpdateError, which the session middleware answers as a 400 "session interrupted": wrong
  while PostgreSQL restarts. A save that finds the session gone from the database removes
  its cached copy.
"""

import time

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore
from django.db import InterfaceError, OperationalError

# When the session was last saved (seconds since the epoch), kept in its data.
SAVED_AT = "_saved_at"
# So a session ends between eight hours less a minute and eight hours after its last page.
REFRESH_SECONDS = 60


class SessionStore(CachedDatabaseSessionStore):
    def load(self):
        data = super().load()
        if data and time.time() - data.get(SAVED_AT, 0) >= REFRESH_SECONDS:
            self.modified = True  # the session middleware saves it after this request
        return data

    def save(self, must_create=False):
        self._get_session(no_load=must_create)[SAVED_AT] = int(time.time())
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, OperationalError | InterfaceError):
                raise error.__context__ from None
            # The database no longer has the session (signed out in another request, or its
            # rows deleted): its cached copy goes too, so the next page asks to sign in.
            self._cache.delete(self.cache_key)
            raise
