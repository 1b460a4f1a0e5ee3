"""Benchmarks of the background work: minutes PDF (against a warm Chromium printing the same
HTML), meeting reconcile, a large figures import.

    .venv/bin/python -m bench.tasks [pdf] [reconcile] [import]

Needs the data set from bench/generate.py. Each part runs the portal's own service functions
(the same ones the Celery tasks call) in this process and prints what it measured; results are
also written to var/bench/tasks.json.
"""

import gc
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
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
from operations.models import FigureImport, ImportStatus, QuestionCount  # noqa: E402
from operations.services import (  # noqa: E402
    confirm_import,
    create_import,
    import_reason,
    perform_import,
)
from suppliers.models import Contract, Supplier  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PDF_PAGES = 5
PDF_WARM_UP = 3
PDF_RUNS = 9
RUNS = 5  # runs of the import and of its COPY baseline
CHROMIUM = "/usr/bin/chromium"
CHROMIUMS = ("chromium", "chromium_new_tab")  # one tab reused; a new tab for each print
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
        pdf_variant="pdf/a-3a",
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
    one-off WeasyPrint render it replaced, and printed by a warm Chromium from the same HTML,
    in one tab used again and again and in a new tab for each print: PDF_RUNS rounds, each
    contender once a round (so all see the same machine load), medians."""
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
    minutes = start_minutes(meeting=meeting, by=chair)
    minutes.attendance.update(present=True)  # approval needs someone present
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
            item=item,
            revision=item.revision,
            notes=notes,
            decisions="Share the change calendar two weeks ahead.\nReview again next week.",
            by=chair,
        )
        add_action(
            minutes=minutes,
            item=item,
            description=f"Send the follow-up on topic {position}.",
            owner_name="City lead",
            owner_organisation="City",
            due_on=timezone.localdate() + timedelta(days=14),
            by=None,
        )
    with transaction.atomic():
        minutes = approve_minutes(minutes=minutes, by=chair)
    html = minutes_html(minutes)
    identical = render_one_off(minutes) == render_minutes_pdf(minutes)

    load_before = os.getloadavg()
    collector = CollectorClock()
    wall = {name: [] for name in ("weasyprint", "weasyprint_one_off", *CHROMIUMS)}
    cpu = {name: [] for name in wall}
    in_collector = {"weasyprint": [], "weasyprint_one_off": []}
    outputs = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()

        def chromium_print():
            page.set_content(html)
            return page.pdf(format="A4")

        def chromium_print_in_new_tab():
            # How a print service keeps one document's state from the next, and how the issue
            # measured a warm Chromium (320-340 ms).
            tab = browser.new_page()
            try:
                tab.set_content(html)
                return tab.pdf(format="A4")
            finally:
                tab.close()

        contenders = {
            "weasyprint": lambda: render_minutes_pdf(minutes),
            "weasyprint_one_off": lambda: render_one_off(minutes),
            "chromium": chromium_print,
            "chromium_new_tab": chromium_print_in_new_tab,
        }
        for _ in range(PDF_WARM_UP):
            for render in contenders.values():
                render()
        names = list(contenders)
        for run in range(PDF_RUNS):
            # Each round in another order: none always runs after Chromium's busy moment.
            for name in names[run % len(names) :] + names[: run % len(names)]:
                collector.reset()
                children_cpu = descendants_cpu_seconds()
                started, started_cpu = time.perf_counter(), time.process_time()
                outputs[name] = contenders[name]()
                wall[name].append(time.perf_counter() - started)
                if name in CHROMIUMS:
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
        "chromium_new_tab_median_s": median(wall["chromium_new_tab"]),
        "chromium_new_tab_cpu_median_s": median(cpu["chromium_new_tab"]),
        "weasyprint_over_chromium_new_tab": round(
            statistics.median(wall["weasyprint"]) / statistics.median(wall["chromium_new_tab"]), 2
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
        f"  warm Chromium, one tab  {result['chromium_median_s']:.3f} s (CPU of its processes "
        f"{result['chromium_cpu_median_s']:.3f} s), {result['chromium_pages']} pages\n"
        f"  warm Chromium, new tab  {result['chromium_new_tab_median_s']:.3f} s (CPU of its "
        f"processes {result['chromium_new_tab_cpu_median_s']:.3f} s)\n"
        f"  render_minutes_pdf / Chromium: {result['weasyprint_over_chromium']} (one tab), "
        f"{result['weasyprint_over_chromium_new_tab']} (a new tab for each print)"
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
            created, cancelled = reconcile_meetings(now=now)
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


@contextmanager
def rolled_back(*models):
    """Run the block in a transaction that is rolled back, so the data set stays as it was; then
    vacuum the tables of `models`, so the next run does not wade through the dead rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    tables = [model._meta.db_table for model in models]
    tables += [model.history.model._meta.db_table for model in models if hasattr(model, "history")]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(tables)}")


def import_file(supplier, changed=False):
    """A 50,000-row questions file for the supplier's running contracts: one row per contract,
    month of the last ten years and category; `changed` gives every row another count."""
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
    for reference, month, category in itertools.product(references, months, categories):
        if len(lines) > IMPORT_ROWS:
            break
        lines.append(f"{reference};{month:%Y-%m};{category};{len(lines) % 37 + 40 * changed}")
    return "\n".join(lines) + "\n"


def check_constraints():
    """Check the deferred foreign keys now, as a commit would (the runs roll back instead);
    returns the seconds it took."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return time.perf_counter() - started


def run_import(supplier, contact, text):
    """Upload, confirm and import a file as the portal does. Returns the seconds perform_import
    took as the outbox relay runs it (in a transaction), the seconds of the foreign key checks
    its commit would run, and the finished import."""
    figure_import, _parsed = create_import(
        supplier=supplier, filename="bench.csv", text=text, by=contact
    )
    confirm_import(figure_import=figure_import, by=contact)
    started = time.perf_counter()
    with transaction.atomic():
        perform_import({"import_id": figure_import.pk})
    seconds = time.perf_counter() - started
    checks = check_constraints()
    figure_import = FigureImport.objects.get(pk=figure_import.pk)
    if figure_import.status != ImportStatus.DONE:
        raise SystemExit(f"the bench import failed: {figure_import.error}")
    return seconds, checks, figure_import


def copy_rows(parsed, contact, reason):
    """The baseline: the same rows and their history rows written with nothing but COPY (their
    ids from the table's sequence in one query), as tuples built beforehand. Returns the
    seconds, and those of the foreign key checks a commit would run."""
    now = timezone.now()
    rows = [
        (row["contract"].pk, row["period_start"], row["category"], row["questions"])
        for row in parsed.rows
    ]
    reported = ("import", contact.pk, now)
    stamp = (now, reason, "+", contact.pk)
    columns = "contract_id, period_start, category, questions, source, reported_by_id, reported_at"
    history = "history_date, history_change_reason, history_type, history_user_id"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('operations_questioncount', 'id')")
        (sequence,) = cursor.fetchone()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.copy(f"COPY operations_questioncount (id, {columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row, *reported))
        with cursor.copy(
            f"COPY operations_historicalquestioncount (id, {columns}, {history}) FROM STDIN"
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row, *reported, *stamp))
    seconds = time.perf_counter() - started
    return seconds, check_constraints()


def bench_import():
    """A 50,000-row questions file from one supplier: parse (the preview), then the worker's
    all-or-nothing import of new rows and, after it, of the same rows changed, each row saved
    with its history record; against COPY of the same rows and history rows in the same run.
    Every run is rolled back, so the data set stays."""
    supplier = Supplier.objects.order_by("pk").first()
    contact = User.objects.get(role="supplier", supplier=supplier)
    text, changed_text = import_file(supplier), import_file(supplier, changed=True)
    started = time.perf_counter()
    parsed = imports.parse(text, supplier)
    parse_s = time.perf_counter() - started
    if parsed.errors:
        raise SystemExit(f"the bench file has errors: {parsed.errors[:3]}")
    rows = len(parsed.rows)
    timings = {name: [] for name in ("import", "changed", "copy", "import_fk", "copy_fk")}
    for run in range(1, RUNS + 1):
        with rolled_back(QuestionCount, FigureImport, OutboxMessage):
            seconds, checks, first = run_import(supplier, contact, text)
            timings["import"].append(seconds)
            timings["import_fk"].append(seconds + checks)
            seconds, checks, second = run_import(supplier, contact, changed_text)
            timings["changed"].append(seconds)
            if (first.created_count, second.updated_count) != (rows, rows):
                raise SystemExit("the bench import did not write every row")
        with rolled_back(QuestionCount):
            seconds, checks = copy_rows(parsed, contact, import_reason(first))
            timings["copy"].append(seconds)
            timings["copy_fk"].append(seconds + checks)
        last = {name: rows / seconds[-1] for name, seconds in timings.items()}
        print(
            f"  run {run}: import {last['import']:,.0f} rows/s, COPY {last['copy']:,.0f} rows/s "
            f"({last['import'] / last['copy']:.2f} x); re-import of changed rows "
            f"{last['changed']:,.0f} rows/s; with the commit's foreign key checks import "
            f"{last['import_fk']:,.0f}, COPY {last['copy_fk']:,.0f} rows/s"
        )
    median = {name: statistics.median(seconds) for name, seconds in timings.items()}
    per_s = {name: round(rows / seconds) for name, seconds in median.items()}
    result = {
        "rows": rows,
        "bytes": len(text.encode()),
        "runs": RUNS,
        "parse_s": round(parse_s, 2),
        "median_s": {name: round(seconds, 2) for name, seconds in median.items()},
        "rows_per_s": per_s,
        "import_to_copy": round(median["copy"] / median["import"], 2),
        "changed_to_copy": round(median["copy"] / median["changed"], 2),
        "with_fk_checks_import_to_copy": round(median["copy_fk"] / median["import_fk"], 2),
    }
    print(
        f"import of {rows:,} rows ({result['bytes'] // 1024} KiB), medians of {RUNS} runs: "
        f"preview parse {parse_s:.2f} s; import {median['import']:.2f} s "
        f"({per_s['import']:,} rows/s) against COPY of the rows and their history rows "
        f"{median['copy']:.2f} s ({per_s['copy']:,} rows/s): {result['import_to_copy']} x COPY; "
        f"re-import with every row changed {median['changed']:.2f} s ({per_s['changed']:,} "
        f"rows/s, {result['changed_to_copy']} x COPY); with the foreign key checks of the "
        f"commit, import {per_s['import_fk']:,} and COPY {per_s['copy_fk']:,} rows/s "
        f"({result['with_fk_checks_import_to_copy']} x)"
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
