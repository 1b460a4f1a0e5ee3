import os

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from governance.celery import app
from governance.models import Role

from .factories import fill_governance, make_admin, make_contract, make_supplier, make_user
from .helpers import pass_second_factor
from .worker import start_worker, wait_until_quiet

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def empty_cache():
    """The test database is new for each run and its history ids start again at 1, so shared
    fragments (governance.fragments) cached by an earlier run would match its data versions."""
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def force_login_passes_the_second_factor():
    """Django's test client signs a person in without their password; here also without the
    code their authenticator shows (tests/helpers.pass_second_factor). Tests of the two steps
    themselves sign in through the pages."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture
def supplier_a(db):
    return make_supplier("Alpha Drift AB")


@pytest.fixture
def supplier_b(db):
    return make_supplier("Beta Applikationer AB")


@pytest.fixture
def contract_a(supplier_a):
    return fill_governance(make_contract(supplier_a, reference="A-001", title="Alpha operations"))


@pytest.fixture
def contract_b(supplier_b):
    return fill_governance(make_contract(supplier_b, reference="B-001", title="Beta applications"))


@pytest.fixture
def procurement(db):
    return make_user(Role.PROCUREMENT)


@pytest.fixture
def director(db):
    return make_user(Role.DIRECTOR)


@pytest.fixture
def admin_user(db):
    return make_admin()


@pytest.fixture
def contact_a(supplier_a):
    return make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a)


@pytest.fixture
def contact_b(supplier_b):
    return make_user(Role.SUPPLIER_CONTACT, supplier=supplier_b)


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user (or anonymous for None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture(scope="session")
def mail_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory, mail_folder):
    app.control.purge()
    worker = start_worker(
        tmp_path_factory.mktemp("worker") / "worker.log",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_folder),
        OUTBOX_KICK_ON_COMMIT="1",
    )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture
def worker(celery_worker_process, transactional_db):
    """The session's worker for one test; afterwards the test waits until it is idle, so the
    database flush never races a task (a flush during a task deadlocks)."""
    with override_settings(OUTBOX_KICK_ON_COMMIT=True):  # this test (and live server) wakes it
        yield celery_worker_process
    wait_until_quiet()
