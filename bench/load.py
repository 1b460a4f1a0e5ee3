"""Load benchmark: the busiest pages against a trivial one-query view, in one run.

    .venv/bin/python -m bench.load [--duration 10] [--rounds 3] [--connections 50] [--users 50]
        [--only NAME]

Needs the data set from bench/generate.py and `wrk` (Debian's package). Starts gunicorn with
the production gunicorn.conf.py (threaded workers) and bench/settings.py on loopback, then for
each page:
  - saturated: wrk with 50 connections and no pause, for the throughput ratio and the p95 of an
    overloaded server (requests queue, so this p95 is mostly waiting);
  - 50 users: 50 people who each read the page for 0.5-1.5 s before asking again, timed by a
    small client here, for the p95 people see.
Each page's saturated run is repeated (--rounds, 3) with the trivial view before, between and
after; a round's ratio uses the two trivial runs around it, and a page's ratio is the median
round's (the trivial view's own row: the mean of its runs). SQL queries per page are counted
in-process with the same settings. Results are printed as a table and
written to var/bench/load.json.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from bench.generate import DIRECTOR, PROCUREMENT  # noqa: E402
from governance.mfa import must_pass  # noqa: E402
from governance.models import User  # noqa: E402
from meetings.models import Cadence, Meeting, MeetingStatus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PORT = 8089
SESSIONS = 50  # per user: one for each wrk connection or simulated person


def pages():
    """(name, user e-mail, path) for the trivial view and the pages the issue names."""
    contact = User.objects.filter(role="supplier").order_by("pk").first()
    meeting = (
        Meeting.objects.filter(
            forum__cadence=Cadence.WEEKLY,
            status=MeetingStatus.HELD,
            minutes_versions__approved_at__isnull=False,
            starts_at__lt=timezone.now(),  # a meeting of the data set, not bench.tasks' one
        )
        .order_by("forum_id", "-starts_at")
        .first()
    )
    return [
        ("trivial view (1 query)", DIRECTOR, "/bench/trivial/"),
        ("dashboard (director)", DIRECTOR, "/dashboard/"),
        ("contract list (procurement)", PROCUREMENT, "/contracts/"),
        ("meeting page with minutes", PROCUREMENT, f"/meetings/{meeting.pk}/"),
        ("supplier-contact home", contact.email, f"/suppliers/{contact.supplier_id}/"),
    ]


def signed_in(user):
    """A client signed in as far as a person at work is: for the city's staff, past the
    authenticator's code too (governance.mfa), with an authenticator made if need be."""
    client = Client()
    client.force_login(user)
    if must_pass(user):
        device, _made = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "bench"}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def sessions_for(email, how_many=SESSIONS):
    user = User.objects.get(email=email)
    return [signed_in(user).cookies["sessionid"].value for _ in range(how_many)]


def count_queries(email, path):
    client = signed_in(User.objects.get(email=email))
    client.get(path)  # warm caches the way a running server has them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} for {email}")
    return len(queries), len(response.content)


def start_gunicorn(workers, threads):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        f"--config={ROOT / 'gunicorn.conf.py'}",  # the production settings (gthread workers)
        f"--bind=127.0.0.1:{PORT}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--backlog=2048",
        "--preload",
        "--log-level=warning",
    ]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def wrk(path, cookies, duration, connections):
    command = [
        "wrk",
        "--threads=2",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        "--script",
        str(ROOT / "bench" / "report.lua"),
        f"http://127.0.0.1:{PORT}{path}",
        "--",
        path,
        *cookies,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def users(path, cookies, duration, how_many, think_ms):
    """People, not a load generator: each of `how_many` threads keeps one connection (with its
    own session), asks for the page, reads it, and thinks 0.5-1.5 think times. wrk's own
    latencies are wrong with a think time (they exceed what its request rate allows by Little's
    law), so these are measured here; at this rate the client's cost is small."""
    latencies, errors = [], []
    stop = time.monotonic() + duration

    def person(cookie):
        rng = random.Random(cookie)
        time.sleep(rng.uniform(0, think_ms / 1000))  # arrive spread out, not all at once
        http = HTTPConnection("127.0.0.1", PORT, timeout=10)
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                http.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = http.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
            except OSError as error:
                errors.append(error)
                http.close()
            latencies.append(time.monotonic() - started)
            time.sleep(rng.uniform(think_ms / 2000, think_ms * 1.5 / 1000))
        http.close()

    threads = [threading.Thread(target=person, args=(cookie,)) for cookie in cookies[:how_many]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)

    return {
        "requests": len(latencies),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": round(latencies[-1] * 1000, 1),
        "errors": len(errors),
    }


def report_run(name, saturated, people, how_many):
    line = f"  {name:<30} {saturated['rps']:7.1f} req/s  p95 {saturated['p95_ms']:7.1f} ms"
    if people is not None:
        line += f" | {how_many} users: p95 {people['p95_ms']:6.1f} ms"
    print(line, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="saturated runs of each page")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--users", type=int, default=50, help="people browsing, with think time")
    parser.add_argument("--think-ms", type=int, default=1000)
    parser.add_argument(
        "--only", action="append", default=[], help="run these pages (by name) besides the trivial"
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    targets = pages()
    if args.only:
        targets = [targets[0]] + [t for t in targets[1:] if any(o in t[0] for o in args.only)]
    cookies = {email: sessions_for(email) for email in {email for _, email, _ in targets}}
    queries = {path: count_queries(email, path) for _, email, path in targets}
    connection.close()
    server = start_gunicorn(args.workers, args.threads)
    results = []
    try:
        for _name, email, path in targets:  # warm every worker on every page
            wrk(path, cookies[email], 2, args.connections)
        # Each page runs in rounds, the trivial view before, between and after them: each
        # round's ratio is the page against the mean of the two trivial runs around it, and a
        # page's ratio is the median of its rounds'. A machine whose speed drifts (other work,
        # the database's autovacuum after bench.generate) moves both sides of a ratio alike.
        trivial, *measured = targets

        def trivial_run():
            run = wrk(trivial[2], cookies[trivial[1]], args.duration, args.connections)
            trivial_runs.append(run)
            report_run(trivial[0], run, None, args.users)
            return run

        trivial_runs = []
        trivial_users = users(
            trivial[2], cookies[trivial[1]], args.duration, args.users, args.think_ms
        )
        before = trivial_run()
        for name, email, path in measured:
            rounds = []
            for _round in range(args.rounds):
                saturated = wrk(path, cookies[email], args.duration, args.connections)
                report_run(name, saturated, None, args.users)
                after = trivial_run()
                rounds.append((saturated, (before["rps"] + after["rps"]) / 2, before, after))
                before = after
            users_run = users(path, cookies[email], args.duration, args.users, args.think_ms)
            ratios = sorted(page["rps"] / trivial_rps for page, trivial_rps, *_ in rounds)
            middle = sorted(rounds, key=lambda r: r[0]["rps"] / r[1])[len(rounds) // 2]
            saturated, trivial_rps, first, last = middle
            results.append(
                {
                    "page": name,
                    "path": path,
                    "saturated": saturated,
                    "users": users_run,
                    "ratios": [round(ratio, 2) for ratio in ratios],
                    "trivial_rps": trivial_rps,
                    "trivial_p95_ms": (first["p95_ms"] + last["p95_ms"]) / 2,
                }
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    # The trivial view's own row: the mean of its runs.
    trivial_rps = sum(run["rps"] for run in trivial_runs) / len(trivial_runs)
    trivial_p95 = sum(run["p95_ms"] for run in trivial_runs) / len(trivial_runs)
    results.insert(
        0,
        {
            "page": trivial[0],
            "path": trivial[2],
            "saturated": {**trivial_runs[0], "rps": trivial_rps, "p95_ms": trivial_p95},
            "users": trivial_users,
            "ratios": [1.0],
            "trivial_rps": trivial_rps,
            "trivial_p95_ms": trivial_p95,
        },
    )
    rows = []
    for result in results:
        saturated, people = result["saturated"], result["users"]
        count, size = queries[result["path"]]
        rows.append(
            {
                "page": result["page"],
                "queries": count,
                "kib": round(size / 1024, 1),
                "rps": round(saturated["rps"], 1),
                "throughput_ratio": round(saturated["rps"] / result["trivial_rps"], 2),
                "round_ratios": result["ratios"],
                "p95_saturated_ms": saturated["p95_ms"],
                "p95_ratio": round(saturated["p95_ms"] / result["trivial_p95_ms"], 2),
                "p95_users_ms": people["p95_ms"],
                "p99_users_ms": people["p99_ms"],
                "errors": saturated["non_2xx"] + saturated["socket_errors"] + people["errors"],
            }
        )
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "args": vars(args),
        "cpus": os.cpu_count(),
        "trivial_runs_rps": [round(run["rps"], 1) for run in trivial_runs],
        "rows": rows,
    }
    (OUT / "load.json").write_text(json.dumps(report, indent=2))
    print()
    print(
        "| Page | SQL queries | KiB | req/s saturated | x trivial (median) | rounds "
        f"| p95 saturated | p95 x trivial | p95 / p99, {args.users} users | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        rounds = ", ".join(f"{ratio:.2f}" for ratio in row["round_ratios"])
        print(
            f"| {row['page']} | {row['queries']} | {row['kib']} | {row['rps']} "
            f"| {row['throughput_ratio']:.2f} | {rounds} | {row['p95_saturated_ms']:.0f} ms "
            f"| {row['p95_ratio']:.2f} | {row['p95_users_ms']:.0f} / {row['p99_users_ms']:.0f} ms "
            f"| {row['errors']} |"
        )
    runs = report["trivial_runs_rps"]
    print(f"\ntrivial view, before, between and after the pages: {runs} req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
