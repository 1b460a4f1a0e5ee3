"""When something fails the person gets a page that says what to do: a database that is away
(restarting, out of reach) is a 503 with Retry-After; anything else the logged 500 page."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory

from governance.sessions import SessionStore
from portal.views import server_error


def answer_while_raising(error):
    try:
        raise error
    except Exception:  # the handler reads the exception being handled
        return server_error(RequestFactory().get("/contracts/"))


def test_a_database_that_is_away_asks_to_try_again_in_a_moment():
    response = answer_while_raising(OperationalError("the database system is shutting down"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Back in a moment" in response.content.decode()


def test_psycopg_s_own_error_closing_a_cursor_is_the_same_moment_s_wait():
    """Django does not wrap the error of a server-side cursor's close (a form's choices read in
    chunks), met in the PostgreSQL restart drill as a 500."""
    import psycopg

    response = answer_while_raising(psycopg.OperationalError("server closed the connection"))
    assert response.status_code == 503


def test_any_other_failure_is_the_usual_server_error_page():
    response = answer_while_raising(ValueError("a bug"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def cut_own_connection():
    """What a PostgreSQL restart does to a connection in use: the server ends it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.get_new_connection(connection.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_session_saved_while_the_database_is_away_is_a_503_not_a_400():
    # A page saves its session when its last save is over a minute old (moving the idle expiry
    # on); Django's own store reports any failed save as "session interrupted", a 400, where
    # the handler above gives the 503.
    session = SessionStore()
    session["contract_filter"] = "active"
    session.create()
    session["contract_filter"] = "ended"
    cut_own_connection()
    try:
        with pytest.raises((OperationalError, InterfaceError)):
            session.save()
    finally:
        connection.close()
    assert SessionStore(session.session_key)["contract_filter"] == "active"
