"""Fixtures for the fault drills: private services to break, and the portal's processes on them.

Every process a fixture starts is stopped at teardown, also when the test fails; the shared
PostgreSQL and Redis are never stopped, restarted or filled.
"""

import itertools
import subprocess
import sys

import pytest

from tests.worker import start_worker

from .processes import (
    ROOT,
    FullDisk,
    Gunicorn,
    PrivateCluster,
    PrivateRedis,
    portal_env,
    stop,
)

TEMPLATE = "portal_template"
_databases = itertools.count(1)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, to stop and start again."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def private_cluster():
    """A PostgreSQL cluster of the session's own, with a migrated template database; initdb and
    the migrations run once."""
    cluster = PrivateCluster()
    try:
        cluster.init()
        cluster.start()
        cluster.execute(f"CREATE DATABASE {TEMPLATE}")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=portal_env(cluster.url(TEMPLATE)),
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def cluster_database(private_cluster):
    """A fresh database on the private cluster, copied from the migrated template; its URL."""
    name = f"drill_{next(_databases)}"
    private_cluster.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield private_cluster.url(name)
    finally:
        private_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def start_gunicorn(tmp_path):
    """Starts the portal under gunicorn; every one started is stopped at teardown."""
    started = []

    def start(database_url, **env):
        server = Gunicorn(tmp_path / f"gunicorn-{len(started)}.log", database_url, **env)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def start_drill_worker(tmp_path):
    """Starts a real Celery worker on the given broker and database; stopped (warm: it finishes
    its task) at teardown."""
    started = []

    def start(broker_url, database_url, **env):
        log = tmp_path / f"worker-{len(started)}.log"
        worker = start_worker(log, broker_url=broker_url, DATABASE_URL=database_url, **env)
        worker.log_path = log
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            stop(worker)


@pytest.fixture
def full_disk(private_cluster, cluster_database):
    """Makes the disk under the minutes PDF table full, and frees it again (FullDisk)."""
    disk = FullDisk(private_cluster, cluster_database, f"small_{next(_databases)}")
    try:
        yield disk
    finally:
        disk.remove()
