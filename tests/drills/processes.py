"""The real processes the drills start, stop and break: a private Redis, a private PostgreSQL
cluster, gunicorn, and a small cookie-keeping HTTP client. None of them touches the shared
services on 5432 and 6379."""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import redis
from django_otp.oath import totp

from tests.worker import wait_for

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process, seconds=30):
    """SIGTERM (a graceful stop), SIGKILL when that takes too long; never raises."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stopping it loses what it
    held, as a crashed Redis would."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = free_port()
        self.process = None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self):
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def start(self):
        log = open(self.folder / "redis.log", "a")  # noqa: SIM115 - the server holds it
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *("--dir", str(self.folder)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if not wait_for(self.answers, seconds=20):
            raise RuntimeError(f"redis-server did not start:\n{self.log()}")

    def stop(self):
        stop(self.process)
        self.process = None

    def log(self):
        return (self.folder / "redis.log").read_text()


def postgres_bin():
    """The newest PostgreSQL server binaries the machine has."""
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2])
    )
    if not folders:
        raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql")
    return Path(folders[-1])


class PrivateCluster:
    """A PostgreSQL cluster of our own (initdb) on a free port with trust authentication.

    initdb and postgres refuse to run as root, so as root they run as the postgres user, in a
    folder of that user's."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-drill-pg-"))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def run(self, *command, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(  # noqa: S603 - PostgreSQL's own tools
            [*prefix, *command], capture_output=True, text=True, check=check, timeout=120
        )

    def pg_ctl(self, *args):
        result = self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args, check=False)
        if result.returncode:
            raise RuntimeError(f"pg_ctl {' '.join(args)}: {result.stderr}\n{self.log()}")

    def init(self):
        self.run(
            str(self.bin / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"),
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.folder}'\n"
                "max_connections = 50\n"
            )

    def start(self):
        self.pg_ctl("-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")

    def restart(self):
        """A fast restart: open sessions are cut, committed work stays."""
        self.pg_ctl("-l", str(self.folder / "postgres.log"), "-m", "fast", "-w", "restart")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "-w", "stop")

    def log(self):
        path = self.folder / "postgres.log"
        return path.read_text()[-5000:] if path.exists() else ""

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql, params=None, on=None):
        """Run one statement (on the database at URL `on`, else on postgres); its rows."""
        with psycopg.connect(on or self.url("postgres"), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def remove(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class FullDisk:
    """The disk under the minutes PDF table, made full.

    For real where the machine allows it: the table (with its TOAST table, where a PDF's bytes
    go) moves to a tablespace on a 1 MB tmpfs, filled with incompressible rows until PostgreSQL
    fails to extend a file. Mounting needs root with CAP_SYS_ADMIN; without it, the most honest
    stand-in left is a trigger that fails the PDF's INSERT with PostgreSQL's own disk_full
    error (SQLSTATE 53100), and `real` says which it was.
    """

    def __init__(self, cluster, database_url, name):
        self.cluster, self.database_url, self.name = cluster, database_url, name
        self.folder = cluster.folder / name
        self.folder.mkdir()
        mount = shutil.which("mount") or "/bin/mount"
        mounted = subprocess.run(  # noqa: S603 - mount(8) on our own folder
            [mount, "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(self.folder)],
            capture_output=True,
            text=True,
        )
        self.real = mounted.returncode == 0
        self.why_not = mounted.stderr.strip()
        if self.real:
            try:
                if cluster.as_root:
                    shutil.chown(self.folder, "postgres", "postgres")
                cluster.execute(f"CREATE TABLESPACE {name} LOCATION '{self.folder}'")
                self.sql(f"ALTER TABLE meetings_minutespdf SET TABLESPACE {name}")
            except BaseException:
                self.remove()
                raise
        else:
            warnings.warn(
                f"No tmpfs could be mounted ({self.why_not}): the disk-full drill uses its"
                " stand-in, a trigger raising PostgreSQL's disk_full error.",
                stacklevel=2,
            )

    def sql(self, statement):
        return self.cluster.execute(statement, on=self.database_url)

    def fill(self):
        if not self.real:
            self.sql(STAND_IN)
            return
        self.sql(f"CREATE TABLE filler (chunk bytea) TABLESPACE {self.name}")
        # Smaller and smaller rows, so that not one more page fits.
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            for size in (64 * 1024, 4 * 1024, 256):
                try:
                    while True:
                        connection.execute("INSERT INTO filler VALUES (%s)", [os.urandom(size)])
                except psycopg.errors.DiskFull:
                    pass

    def free(self):
        if self.real:
            self.sql("DROP TABLE filler")
        else:
            self.sql("DROP TRIGGER disk_full ON meetings_minutespdf")

    def remove(self):
        try:
            if self.real:
                # Emptied first (the database goes later): a tablespace with files stays.
                self.sql("DROP TABLE IF EXISTS filler")
                self.sql("ALTER TABLE meetings_minutespdf SET TABLESPACE pg_default")
                self.cluster.execute(f"DROP TABLESPACE IF EXISTS {self.name}")
        finally:
            umount = shutil.which("umount") or "/bin/umount"
            if self.real and subprocess.run([umount, str(self.folder)]).returncode:  # noqa: S603
                subprocess.run([umount, "--lazy", str(self.folder)], check=False)  # noqa: S603
            self.folder.rmdir()


STAND_IN = """
CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'could not extend file: No space left on device (stand-in: no tmpfs)'
        USING ERRCODE = 'disk_full';
END $$;
CREATE TRIGGER disk_full BEFORE INSERT ON meetings_minutespdf
    FOR EACH ROW EXECUTE FUNCTION disk_full();
"""


def portal_env(database_url, **env):
    """The environment of a portal process (web, worker, script) on the given database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **env,
    }


def run_script(database_url, function, env=None, **kwargs):
    """Run one function of tests/drills/scripts.py in a process of its own; its JSON answer."""
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-m", "tests.drills.scripts", function, json.dumps(kwargs)],
        env=portal_env(database_url, **(env or {})),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        raise RuntimeError(f"{function} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Gunicorn:
    """The portal under gunicorn as production runs it (gunicorn.conf.py, threaded workers), on a
    free port."""

    def __init__(self, log_path, database_url, workers=2, **env):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the portal itself
                [
                    sys.executable,
                    *("-m", "gunicorn", "governance.wsgi:application"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                    *("--timeout", "60", "--graceful-timeout", "10"),
                    *("--access-logfile", "-", "--error-logfile", "-"),
                    *("--access-logformat", '%(t)s "%(r)s" %(s)s %(L)ss'),
                ],
                env=portal_env(database_url, **env),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for(self.answers, seconds=60):
            self.stop()
            raise RuntimeError(f"gunicorn did not start:\n{self.log()}")

    def answers(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log()}")
        return Browser(self.base_url).get("/login/")[0] == 200

    def stop(self):
        stop(self.process)

    def log(self):
        return self.log_path.read_text()[-20000:]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the caller sees the 302 itself


class Browser:
    """One signed-in user's cookies, over plain HTTP: CSRF from the csrftoken cookie."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, path, data=None):
        """(status, body, headers); a status of 0 when the connection itself failed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        if data is not None:
            request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
            return 0, f"{type(error).__name__}: {error}", {}

    def get(self, path):
        return self.request(path)

    def post(self, path, data=None):
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        return self.request(path, {"csrfmiddlewaretoken": token, **(data or {})})

    def log_in(self, email, password, authenticator_key=None):
        """Signs in with the password and, for the city's staff, the code their authenticator
        (its hex key, as TOTPDevice.key holds it) shows now."""
        status, body, _headers = self.get("/login/")
        assert status == 200, body
        status, body, _headers = self.post("/login/", {"username": email, "password": password})
        assert status == 302, f"login failed ({status}): {body[:2000]}"
        status, _body, headers = self.get("/")
        if status == 302 and headers["Location"].startswith("/mfa/"):
            code = f"{totp(bytes.fromhex(authenticator_key)):06d}"
            status, body, _headers = self.post("/mfa/", {"code": code})
            assert status == 302, f"second factor failed ({status}): {body[:2000]}"
        return self


def messages_in(body):
    """The texts of the Django messages a page shows."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(r'<p class="message[^"]*"[^>]*>(.*?)</p>', body, flags=re.S)
    ]
