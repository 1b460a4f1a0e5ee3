"""Dashboard benchmark: the director's dashboard worked out afresh on the 1x and the 10x data
set in one run, and each of its selectors on its own.

    .venv/bin/python -m bench.dashboard [--rounds 15] [--small NAME] [--large NAME]

Needs both data sets from bench/generate.py: the 10x one in the bench database and the 1x one
(30 suppliers, 300 contracts, 60 forums, the same ten years) in <bench database>_1x:

    .venv/bin/python -m bench.generate
    .venv/bin/python -m bench.generate --scale 0.1 --database <bench database>_1x

The recompute is what a request does when the shared figures are older than
DASHBOARD_CACHE_SECONDS (portal.dashboard._render_dashboard), in two cases: nothing changed
since the last recompute (every part reused from the cache under its data's version: one
query, then the template), and afresh (every selector runs, as after the page's Refresh or a
change to every model at once). A change to one model reworks the parts that read it: the
selectors' own rows say what each costs. Both databases stay connected and the rounds
alternate between them, so a busy machine slows both alike; medians are printed with the ratio
10x / 1x, and written to var/bench/dashboard.json. Besides the time on the clock, the CPU time
of this process and of the connection's PostgreSQL backend (from /proc, so PostgreSQL on this
machine; parallel query workers are not counted) is measured: on a busy machine it says what
the work costs, where the clock also counts the waiting for a core.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import DEFAULT_DB_ALIAS, connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal import dashboard  # noqa: E402
from relationship.pulse import latest_pulse_by_supplier  # noqa: E402
from suppliers.models import Contract, Supplier  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "var" / "bench"


RECOMPUTE = "recompute, nothing changed (parts reused, rendered)"
AFRESH = "recompute afresh (every part worked out, rendered)"


def parts(now):
    """{name: what to time} for the recompute and each selector it calls."""
    today = timezone.localdate(now)
    shown = dashboard.SUPPLIERS_SHOWN
    some = list(Supplier.objects.order_by("pk").values_list("pk", flat=True)[:shown])
    return {
        RECOMPUTE: lambda: dashboard._render_dashboard(False),
        AFRESH: lambda: dashboard._render_dashboard(False, reuse=False),
        "availability_on_target": lambda: dashboard.availability_on_target(today),
        f"availability_compliance ({shown} suppliers)": lambda: dashboard.availability_compliance(
            today, some
        ),
        "latest_pulse_by_supplier": lambda: latest_pulse_by_supplier(today),
        "open_issues_by_supplier_and_level": dashboard.open_issues_by_supplier_and_level,
        "supplier_rows (the four above, sorted)": lambda: dashboard.supplier_rows(
            today, monthly_for=shown
        ),
        "issue_totals": dashboard.issue_totals,
        "forums_behind": lambda: dashboard.forums_behind(now),
        "overdue_actions": lambda: dashboard.overdue_actions(today),
        "notice_deadlines": lambda: dashboard.notice_deadlines(today),
        "incomplete_governance": dashboard.incomplete_governance,
        "portfolio_totals": dashboard.portfolio_totals,
    }


def backend_cpu_ns(pid):
    """CPU time the PostgreSQL backend `pid` has used, in nanoseconds (None if unreadable)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except OSError:
        return None


def cpu_ns(backend_pid):
    backend = backend_cpu_ns(backend_pid)
    return time.process_time_ns() + (backend or 0)


def connect(name):
    """A connection of its own to the database `name`, with the bench settings otherwise."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.settings_dict = {**wrapper.settings_dict, "NAME": name}
    return wrapper


def main(argv=None):
    large_name = connection.settings_dict["NAME"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed runs of each, per size")
    parser.add_argument("--small", default=f"{large_name}_1x", help="the 1x data set's database")
    parser.add_argument("--large", default=large_name, help="the 10x data set's database")
    args = parser.parse_args(argv)

    sizes = {"1x": connect(args.small), "10x": connect(args.large)}
    names = list(parts(timezone.now()))
    times = {size: {name: [] for name in names} for size in sizes}
    cpu = {size: {name: [] for name in names} for size in sizes}
    queries, described, backends = {}, {}, {}
    for size, wrapper in sizes.items():
        connections[DEFAULT_DB_ALIAS] = wrapper
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backends[size],) = cursor.fetchone()
        described[size] = (
            f"{Supplier.objects.count()} suppliers, {Contract.objects.count()} contracts"
        )
        for run in parts(timezone.now()).values():  # warm the connection's and server's caches
            run()
        for name in (RECOMPUTE, AFRESH):
            recompute = parts(timezone.now())[name]
            with CaptureQueriesContext(connection) as captured:
                recompute()
            queries[size, name] = len(captured)
    for _round in range(args.rounds):
        for size, wrapper in sizes.items():
            connections[DEFAULT_DB_ALIAS] = wrapper
            for name, run in parts(timezone.now()).items():
                started, started_cpu = time.perf_counter(), cpu_ns(backends[size])
                run()
                times[size][name].append((time.perf_counter() - started) * 1000)
                cpu[size][name].append((cpu_ns(backends[size]) - started_cpu) / 1e6)
    for wrapper in sizes.values():
        wrapper.close()

    medians = {
        size: {name: statistics.median(runs) for name, runs in by_name.items()}
        for size, by_name in times.items()
    }
    cpu_medians = {
        size: {name: statistics.median(runs) for name, runs in by_name.items()}
        for size, by_name in cpu.items()
    }
    print(f"1x: {args.small}, {described['1x']}; 10x: {args.large}, {described['10x']}")
    load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"{args.rounds} rounds, medians; load average {load} on {os.cpu_count()} cores\n")
    print("| Part | 1x | 10x | 10x / 1x | CPU 1x | CPU 10x | CPU 10x / 1x |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        small, large = medians["1x"][name], medians["10x"][name]
        small_cpu, large_cpu = cpu_medians["1x"][name], cpu_medians["10x"][name]
        print(
            f"| {name} | {small:.1f} ms | {large:.1f} ms | {large / small:.2f} "
            f"| {small_cpu:.1f} ms | {large_cpu:.1f} ms | {large_cpu / small_cpu:.2f} |"
        )
    for name in (RECOMPUTE, AFRESH):
        print(f"\nSQL queries, {name}: {queries['1x', name]} at 1x, {queries['10x', name]} at 10x")
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "args": vars(args),
        "data": described,
        "queries": {f"{size}: {name}": count for (size, name), count in queries.items()},
        "median_ms": medians,
        "median_cpu_ms": cpu_medians,
        "runs_ms": times,
        "runs_cpu_ms": cpu,
    }
    (OUT / "dashboard.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
