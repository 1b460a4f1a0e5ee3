"""Benchmarks of the background work: minutes PDF (against a warm Chromium printing the same
HTML), meeting reconcile, a large figures import.

    .venv/bin/python -m bench.tasks [pdf] [reconcile] [import]

Needs the data set from bench/generate.py. Each part runs the portal's own service functions
(the same ones the Celery tasks call) in this process and prints what it measured; results are
also written to var/bench/tasks.json.
"""

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Playwright's sync API keeps an event loop in this thread, which Django's ORM would take for
# async code; the PDF part queries the database between Chromium's prints.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.generate import PROCUREMENT  # noqa: E402
from governance.models import OutboxMessage, User  # noqa: E402
from meetings.models import Cadence, Forum, Meeting, MinutesItem  # noqa: E402
from meetings.pdf import minutes_html, render_minutes_pdf  # noqa: E402
from meetings.services import (  # noqa: E402
    NOTIFY_BATCH,
    add_action,
    approve_minutes,
    reconcile_meetings,
    save_item,
    start_minutes,
)
from meetings.tasks import notify_meeting_changes as notify_meeting_changes_task  # noqa: E402
from operations import imports  # noqa: E402
from operations.models import FigureImport, QuestionCount  # noqa: E402
from operations.services import confirm_import, create_import, perform_import  # noqa: E402
from suppliers.models import Contract, Supplier  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PDF_PAGES = 5
PDF_WARM_UP = 3
PDF_RUNS = 9
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMPORT_ROWS = 50_000


def pdf_pages(content):
    info = subprocess.run(
        ["pdfinfo", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


def render_one_off(minutes):
    """The minutes PDF as render_minutes_pdf made it before it kept a renderer: a new font
    configuration, the inline stylesheet parsed again and the garbage collector left on."""
    from weasyprint import HTML

    from meetings.pdf import NoFetching

    document = HTML(
        string=minutes_html(minutes),
        base_url=settings.PORTAL_BASE_URL + "/",
        url_fetcher=NoFetching(),
    )
    return document.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=f"minutes-{minutes.pk}".encode(),
        custom_metadata=True,
    )


def descendants_cpu_seconds():
    """CPU seconds used so far by this process's descendants (Playwright's driver, Chromium)."""
    children, tick = {}, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(
            (int(pid), int(fields[11]) + int(fields[12]))
        )
    seconds, parents = 0.0, [os.getpid()]
    while parents:
        for pid, ticks in children.get(parents.pop(), []):
            seconds += ticks / tick
            parents.append(pid)
    return seconds


class CollectorClock:
    """Seconds Python's cyclic garbage collector ran since reset()."""

    def __init__(self):
        self.seconds, self._started = 0.0, None
        gc.callbacks.append(self._tick)

    def _tick(self, phase, _info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started

    def reset(self):
        self.seconds = 0.0


def bench_pdf():
    """Minutes that fill five A4 pages, rendered by the worker's render_minutes_pdf, by the
    one-off WeasyPrint render it replaced, and printed by a warm Chromium from the same HTML:
    PDF_RUNS rounds, each contender once a round (so all see the same machine load), medians."""
    chair = User.objects.get(email=PROCUREMENT)
    weekly = Forum.objects.filter(cadence=Cadence.WEEKLY).order_by("pk").first()
    # One contract, as most weekly forums have: its standing figures take about a page.
    forum = Forum.objects.create(
        name="Bench weekly operations",
        level=weekly.level,
        cadence=Cadence.WEEKLY,
        chair=chair,
        weekday=weekly.weekday,
        time_of_day=weekly.time_of_day,
        starts_on=timezone.localdate(),
    )
    forum.contracts.add(weekly.contracts.order_by("pk").first())
    starts_at = timezone.now() + timedelta(hours=1)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    minutes = start_minutes(meeting, chair)
    notes = (
        "Availability dipped on the 14th during the storage migration; the supplier showed the "
        "root-cause analysis and the city asked for the change calendar to be shared earlier. "
    ) * 3
    items = list(minutes.items.all())
    position = len(items)
    while pdf_pages(render_minutes_pdf(minutes)) < PDF_PAGES:
        position += 1
        item = MinutesItem.objects.create(
            minutes=minutes, position=position, title=f"Topic {position}"
        )
        save_item(
            item,
            revision=item.revision,
            notes=notes,
            decisions="Share the change calendar two weeks ahead.\nReview again next week.",
            by=chair,
        )
        add_action(
            minutes,
            item=item,
            description=f"Send the follow-up on topic {position}.",
            owner_name="City lead",
            owner_organisation="City",
            due_on=timezone.localdate() + timedelta(days=14),
        )
    with transaction.atomic():
        minutes = approve_minutes(minutes, chair)
    html = minutes_html(minutes)
    identical = render_one_off(minutes) == render_minutes_pdf(minutes)

    load_before = os.getloadavg()
    collector = CollectorClock()
    wall = {"weasyprint": [], "weasyprint_one_off": [], "chromium": []}
    cpu = {"weasyprint": [], "weasyprint_one_off": [], "chromium": []}
    in_collector = {"weasyprint": [], "weasyprint_one_off": []}
    outputs = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()

        def chromium_print():
            page.set_content(html)
            return page.pdf(format="A4")

        contenders = {
            "weasyprint": lambda: render_minutes_pdf(minutes),
            "weasyprint_one_off": lambda: render_one_off(minutes),
            "chromium": chromium_print,
        }
        for _ in range(PDF_WARM_UP):
            for render in contenders.values():
                render()
        names = list(contenders)
        for run in range(PDF_RUNS):
            # Each round in another order: none always runs after Chromium's busy moment.
            for name in names[run % 3 :] + names[: run % 3]:
                collector.reset()
                children_cpu = descendants_cpu_seconds()
                started, started_cpu = time.perf_counter(), time.process_time()
                outputs[name] = contenders[name]()
                wall[name].append(time.perf_counter() - started)
                if name == "chromium":
                    cpu[name].append(descendants_cpu_seconds() - children_cpu)
                else:
                    cpu[name].append(time.process_time() - started_cpu)
                    in_collector[name].append(collector.seconds)
        browser.close()
    load_after = os.getloadavg()

    def median(values):
        return round(statistics.median(values), 3)

    result = {
        "pages": pdf_pages(outputs["weasyprint"]),
        "chromium_pages": pdf_pages(outputs["chromium"]),
        "items": position,
        "runs": PDF_RUNS,
        "median_s": median(wall["weasyprint"]),
        "max_s": round(max(wall["weasyprint"]), 3),
        "cpu_median_s": median(cpu["weasyprint"]),
        "collector_median_s": median(in_collector["weasyprint"]),
        "one_off_median_s": median(wall["weasyprint_one_off"]),
        "one_off_cpu_median_s": median(cpu["weasyprint_one_off"]),
        "one_off_collector_median_s": median(in_collector["weasyprint_one_off"]),
        "one_off_same_bytes": identical,
        "chromium_median_s": median(wall["chromium"]),
        "chromium_cpu_median_s": median(cpu["chromium"]),
        "weasyprint_over_chromium": round(
            statistics.median(wall["weasyprint"]) / statistics.median(wall["chromium"]), 2
        ),
        "kib": round(len(outputs["weasyprint"]) / 1024),
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "runs_s": {name: [round(value, 3) for value in values] for name, values in wall.items()},
    }
    print(
        f"minutes PDF: {result['pages']} pages ({position} items, {result['kib']} KiB), medians "
        f"of {PDF_RUNS} rounds, load average {load_before[0]:.2f} -> {load_after[0]:.2f} on "
        f"{os.cpu_count()} cores\n"
        f"  render_minutes_pdf      {result['median_s']:.3f} s (CPU "
        f"{result['cpu_median_s']:.3f} s, collector {result['collector_median_s']:.3f} s), "
        f"max {result['max_s']:.3f} s\n"
        f"  one-off WeasyPrint      {result['one_off_median_s']:.3f} s (CPU "
        f"{result['one_off_cpu_median_s']:.3f} s, collector "
        f"{result['one_off_collector_median_s']:.3f} s), same bytes: {identical}\n"
        f"  warm Chromium print     {result['chromium_median_s']:.3f} s (CPU of its processes "
        f"{result['chromium_cpu_median_s']:.3f} s), {result['chromium_pages']} pages\n"
        f"  render_minutes_pdf / Chromium: {result['weasyprint_over_chromium']}"
    )
    return result


def bench_notify():
    """The beat's notify task after a reconcile that changed more than a batch of meetings."""
    started = time.perf_counter()
    meetings = notify_meeting_changes_task()["meetings"]
    seconds = time.perf_counter() - started
    batches = max(1, -(-meetings // NOTIFY_BATCH))
    print(
        f"notify task after it: {meetings} meetings in {batches} batches of at most "
        f"{NOTIFY_BATCH}, {seconds:.3f} s ({seconds / batches:.3f} s a batch)"
    )
    return {"meetings": meetings, "batches": batches, "seconds": round(seconds, 3)}


def bench_reconcile():
    """The beat's reconcile over every forum (every 5 minutes): on a fresh data set the first
    run fills the 8-week horizon for all 600 forums at once (what installing the portal with
    every forum does) and sends the soonest meetings' invitations, the notify task the others;
    the second run must write nothing, and the third runs as the beat does after midnight, when
    one more day enters the horizon: the busiest run of normal operation."""
    forums = Forum.objects.filter(is_active=True).count()
    runs = []
    notify = None
    for run, now in ((1, None), (2, None), (3, timezone.now() + timedelta(days=1))):
        if run == 2:
            notify = bench_notify()  # within the minute, before the next reconcile
        meetings_before = Meeting.objects.count()
        outbox_before = OutboxMessage.objects.count()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            created, cancelled = reconcile_meetings(now)
        seconds = time.perf_counter() - started
        runs.append(
            {
                "run": run,
                "seconds": round(seconds, 3),
                "created": created,
                "cancelled": cancelled,
                "queries": len(queries),
                "meetings_written": Meeting.objects.count() - meetings_before,
                "outbox_written": OutboxMessage.objects.count() - outbox_before,
            }
        )
        print(
            f"reconcile run {run}{' (a day later)' if now else ''} over {forums} forums: "
            f"{seconds:.3f} s, {created} created, {cancelled} cancelled, {len(queries)} queries, "
            f"{runs[-1]['outbox_written']} e-mails queued"
        )
    return {"forums": forums, "runs": runs, "notify_after_first": notify}


def bench_import():
    """A 50,000-row questions file from one supplier: parse (the preview), then the worker's
    all-or-nothing apply, each row saved with its history record."""
    supplier = Supplier.objects.order_by("pk").first()
    contact = User.objects.get(role="supplier", supplier=supplier)
    references = list(
        Contract.objects.filter(supplier=supplier, status__in=["active", "terminating"])
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    months = [
        (timezone.localdate().replace(day=1) - timedelta(days=31 * n)).replace(day=1)
        for n in range(1, 121)
    ]
    categories = [f"Category {n:02d}" for n in range(1, 100)]
    lines = ["contract;period;category;questions"]
    for reference in references:
        for month in months:
            for category in categories:
                lines.append(f"{reference};{month:%Y-%m};{category};{len(lines) % 37}")
                if len(lines) > IMPORT_ROWS:
                    break
            if len(lines) > IMPORT_ROWS:
                break
        if len(lines) > IMPORT_ROWS:
            break
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    parsed = imports.parse(text, supplier)
    parse_s = time.perf_counter() - started
    if parsed.errors:
        raise SystemExit(f"the bench file has errors: {parsed.errors[:3]}")
    figure_import, _parsed = create_import(supplier, "bench.csv", text, contact)
    confirm_import(figure_import, contact)
    before = QuestionCount.objects.count()
    started = time.perf_counter()
    with transaction.atomic():  # as the outbox relay runs its handlers
        perform_import({"import_id": figure_import.pk})
    apply_s = time.perf_counter() - started
    figure_import = FigureImport.objects.get(pk=figure_import.pk)
    rows = len(parsed.rows)
    result = {
        "rows": rows,
        "bytes": len(text.encode()),
        "parse_s": round(parse_s, 2),
        "import_s": round(apply_s, 1),
        "rows_per_s": round(rows / apply_s),
        "status": figure_import.status,
        "written": QuestionCount.objects.count() - before,
    }
    print(
        f"import of {rows:,} rows ({result['bytes'] // 1024} KiB): preview parse "
        f"{parse_s:.2f} s, import {apply_s:.1f} s ({result['rows_per_s']:,} rows/s), "
        f"status {figure_import.status}, {result['written']:,} new rows"
    )
    return result


PARTS = {"pdf": bench_pdf, "reconcile": bench_reconcile, "import": bench_import}


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or list(PARTS)
    results = {name: PARTS[name]() for name in names}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tasks.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
