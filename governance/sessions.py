"""Django's database sessions, with one difference: a save that fails because the database is
away raises that error, so the person gets governance.views.server_error's 503 ("back in a
moment"). Django turns every failed save into UpdateError, which the session middleware answers
as a 400 "session interrupted": wrong while PostgreSQL restarts, and with
SESSION_SAVE_EVERY_REQUEST every page saves its session."""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, OperationalError | InterfaceError):
                raise error.__context__ from None
            raise
