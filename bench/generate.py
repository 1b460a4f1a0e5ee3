"""Generate the benchmark data set: ten times a big city's outsourced IT.

    .venv/bin/python -m bench.generate [--scale 0.1] [--database NAME]

Drops and recreates the bench database (bench/settings.py, or NAME), migrates it and fills it
with 300 suppliers, 3,000 contracts, 600 forums, ten years of meetings with approved minutes,
about 100,000 actions and about 1,000,000 measurements. Rows go in through COPY, built from
model instances so every field default applies; history tables are left empty. --scale 0.1 is
the 1x data set (a big city: 30 suppliers, 300 contracts, 60 forums, the same ten years);
bench/dashboard.py compares the two, the 1x one in <bench database>_1x.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import psycopg  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from escalations.models import EventKind, Issue, IssueEvent, IssueStatus, Severity  # noqa: E402
from governance.models import (  # noqa: E402
    DEFAULT_MANDATES,
    LEVEL_ORDER,
    GovernanceLevel,
    Level,
    Role,
    RoleHolder,
    Side,
    User,
)
from meetings.models import (  # noqa: E402
    Action,
    ActionStatus,
    Attendance,
    Cadence,
    Forum,
    ItemKind,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesItem,
)
from operations.models import Measurement, Priority, QuestionCount, TicketCount  # noqa: E402
from relationship.models import Expectation, Goal, GoalStatus, PulseResponse  # noqa: E402
from suppliers.models import (  # noqa: E402
    Comparison,
    Contact,
    Contract,
    ContractStatus,
    Metric,
    OutcomeCommitment,
    Renewal,
    ServiceLevel,
    Supplier,
    Tier,
    Unit,
)
from suppliers.validators import complete_organisation_number  # noqa: E402

PASSWORD = "bench-password"
DIRECTOR = "director@bench.example"
PROCUREMENT = "procurement01@bench.example"
YEARS = 10
SUPPLIERS = 300
CONTRACTS_PER_SUPPLIER = 10
PROCUREMENT_STAFF = 20
ISSUES_PER_SUPPLIER = 20
ACTION_SHARE = 0.6  # of weekly minutes record one action

SERVICE_LEVELS = [
    ("Availability", Metric.AVAILABILITY, Comparison.AT_LEAST, Decimal("99.5"), Unit.PERCENT),
    ("P1 response", Metric.RESPONSE_TIME, Comparison.AT_MOST, Decimal("30"), Unit.MINUTES),
    ("P2 resolution", Metric.RESOLUTION_TIME, Comparison.AT_MOST, Decimal("24"), Unit.HOURS),
]
# The two largest contracts of each supplier also promise a P1 resolution time.
EXTRA_SERVICE_LEVEL = (
    "P1 resolution",
    Metric.RESOLUTION_TIME,
    Comparison.AT_MOST,
    Decimal("4"),
    Unit.HOURS,
)
ITEMS = [
    ("Delivery since last meeting", ItemKind.TOPIC),
    ("Open actions", ItemKind.OPEN_ACTIONS),
    ("Escalations", ItemKind.ESCALATIONS),
]


def copy_objects(model, objects):
    """COPY unsaved instances (with their pk set) into the model's table; returns the count."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    written = 0
    copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )
            written += 1
    return written


def recreate_database():
    db = settings.DATABASES["default"]
    dsn = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres")
    if db.get("PASSWORD"):
        dsn["password"] = db["PASSWORD"]
    with psycopg.connect(**dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    connection.close()
    call_command("migrate", verbosity=0)


class Generator:
    def __init__(self, scale, seed=20261124):
        self.random = random.Random(seed)
        self.scale = scale
        self.today = timezone.localdate()
        self.first_day = self.today - relativedelta(years=YEARS)
        self.now = timezone.now()
        self.counts = {}

    def put(self, model, objects):
        started = time.perf_counter()
        written = copy_objects(model, objects)
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + written
        print(f"  {model.__name__:<16} {written:>9,} rows  {time.perf_counter() - started:6.1f} s")

    def run(self):
        with connection.cursor() as cursor:
            # The lock triggers refuse rows under approved minutes; this load writes whole
            # approved records at once, as the portal's own approval would have left them.
            cursor.execute("SET session_replication_role = replica")
        self.people()
        self.suppliers_and_contracts()
        self.figures()
        self.issues()
        self.forums_and_meetings()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            models = [
                User, Supplier, Contact, Contract, GovernanceLevel, RoleHolder, ServiceLevel,
                OutcomeCommitment, Goal, Measurement, TicketCount, QuestionCount, Issue,
                IssueEvent, Issue.contracts.through, Forum, Forum.contracts.through, Meeting,
                Meeting.contracts.through,
                Minutes, MinutesItem, Attendance, Action, PulseResponse, Expectation,
            ]  # fmt: skip
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            # What autovacuum does to a live database in its own time: statistics, and the
            # visibility map that lets PostgreSQL answer from an index alone.
            cursor.execute("VACUUM ANALYZE")

    # -- people --------------------------------------------------------------------------
    def people(self):
        password = make_password(PASSWORD)
        ids = count(1)
        users = [
            User(id=next(ids), email=DIRECTOR, first_name="Dana", last_name="Director",
                 role=Role.DIRECTOR, password=password),
            User(id=next(ids), email="admin@bench.example", first_name="Ada", last_name="Admin",
                 role=Role.ADMINISTRATOR, password=password, is_staff=True, is_superuser=True),
        ]  # fmt: skip
        for n in range(1, PROCUREMENT_STAFF + 1):
            users.append(
                User(id=next(ids), email=f"procurement{n:02d}@bench.example", first_name="Per",
                     last_name=f"Procurement {n:02d}", role=Role.PROCUREMENT, password=password)
            )  # fmt: skip
        self.procurement_ids = [user.id for user in users if user.role == Role.PROCUREMENT]
        self.user_ids = ids
        self.password = password
        self.put(User, users)

    # -- suppliers, contracts, governance ------------------------------------------------
    def suppliers_and_contracts(self):
        rnd = self.random
        n_suppliers = max(2, round(SUPPLIERS * self.scale))
        suppliers, contacts, users = [], [], []
        contracts, levels, holders, service_levels = [], [], [], []
        commitments, goals = [], []
        level_ids, holder_ids, sl_ids = count(1), count(1), count(1)
        self.contact_user = {}  # supplier id -> user id
        self.contracts_of = {}  # supplier id -> [(contract id, status, start, end)]
        self.service_levels = []  # (sl id, contract id, supplier id, metric, target, start, end)
        for s in range(1, n_suppliers + 1):
            name = f"Supplier {s:03d} AB"
            suppliers.append(
                Supplier(id=s, name=name, organisation_number=complete_organisation_number(
                    f"55{s:07d}"), tier=Tier.KEY if s % 10 == 1 else Tier.STANDARD,
                    description=f"Delivers IT services, lot {s}.")
            )  # fmt: skip
            user_id = next(self.user_ids)
            users.append(
                User(id=user_id, email=f"contact{s:03d}@supplier{s:03d}.example",
                     first_name="Sam", last_name=f"Contact {s:03d}", role=Role.SUPPLIER_CONTACT,
                     supplier_id=s, password=self.password)
            )  # fmt: skip
            self.contact_user[s] = user_id
            for c in (1, 2):
                contacts.append(
                    Contact(id=(s - 1) * 2 + c, supplier_id=s, name=f"Contact {s:03d}-{c}",
                            title="Account manager" if c == 1 else "Service delivery manager",
                            email=f"contact{s:03d}-{c}@supplier{s:03d}.example",
                            user_id=user_id if c == 1 else None)
                )  # fmt: skip
            self.contracts_of[s] = []
            for c in range(1, CONTRACTS_PER_SUPPLIER + 1):
                contract_id = (s - 1) * CONTRACTS_PER_SUPPLIER + c
                start = self.first_day + timedelta(days=rnd.randrange(0, 60))
                if c == CONTRACTS_PER_SUPPLIER:
                    status, end = ContractStatus.DRAFT, None
                elif c == CONTRACTS_PER_SUPPLIER - 1 and s % 2:
                    status, end = ContractStatus.ENDED, self.today - timedelta(days=400)
                elif c == CONTRACTS_PER_SUPPLIER - 1:
                    status = ContractStatus.TERMINATING
                    end = self.today + timedelta(days=rnd.randrange(30, 300))
                else:
                    status = ContractStatus.ACTIVE
                    end = self.today + timedelta(days=rnd.randrange(60, 2000))
                contracts.append(
                    Contract(id=contract_id, supplier_id=s, reference=f"BENCH-{s:03d}-{c:02d}",
                             title=f"{name} service {c}", scope="Operation and support.",
                             purchased="Operation, support and development hours.",
                             start_date=start, end_date=end, notice_period_months=6,
                             renewal=Renewal.TACIT, renewal_term_months=12,
                             annual_value_sek=Decimal(rnd.randrange(1, 60) * 500_000),
                             status=status)
                )  # fmt: skip
                self.contracts_of[s].append((contract_id, status, start, end))
                commitments += [
                    OutcomeCommitment(id=(contract_id - 1) * 2 + n, contract_id=contract_id,
                                      title=f"Outcome {n}", measured_by="Quarterly review")
                    for n in (1, 2)
                ]  # fmt: skip
                goals += [
                    Goal(id=(contract_id - 1) * 2 + n, contract_id=contract_id,
                         title=f"Goal {n}", status=GoalStatus.PURSUING if n == 1
                         else GoalStatus.ACHIEVED)
                    for n in (1, 2)
                ]  # fmt: skip
                for level in LEVEL_ORDER:
                    level_id = next(level_ids)
                    levels.append(
                        GovernanceLevel(id=level_id, contract_id=contract_id, level=level,
                                        mandate=str(DEFAULT_MANDATES[level]))
                    )  # fmt: skip
                    for side, who in ((Side.BUYER, "City"), (Side.SUPPLIER, name)):
                        holders.append(
                            RoleHolder(id=next(holder_ids), governance_level_id=level_id,
                                       side=side, role_title=f"{level.label} lead",
                                       name=f"{who} {level} lead",
                                       email=f"{level}-{side}-{s:03d}@bench.example")
                        )  # fmt: skip
                extra = [EXTRA_SERVICE_LEVEL] if c <= 2 else []
                for name_, metric, comparison, target, unit in SERVICE_LEVELS + extra:
                    sl_id = next(sl_ids)
                    service_levels.append(
                        ServiceLevel(id=sl_id, contract_id=contract_id, name=name_, metric=metric,
                                     comparison=comparison, target=target, unit=unit)
                    )  # fmt: skip
                    if status != ContractStatus.DRAFT:
                        self.service_levels.append(
                            (sl_id, contract_id, s, metric, target, start, end)
                        )
        self.put(Supplier, suppliers)
        self.put(User, users)
        self.put(Contact, contacts)
        self.put(Contract, contracts)
        self.put(OutcomeCommitment, commitments)
        self.put(Goal, goals)
        self.put(GovernanceLevel, levels)
        self.put(RoleHolder, holders)
        self.put(ServiceLevel, service_levels)

    # -- reported figures ----------------------------------------------------------------
    def _months(self, start, end):
        month = max(start, self.first_day).replace(day=1)
        last = (end if end and end < self.today else self.today) - relativedelta(months=1)
        while month <= last:
            yield month
            month += relativedelta(months=1)

    def figures(self):
        rnd = self.random

        def measurements():
            ids = count(1)
            for sl_id, _contract, s, metric, target, start, end in self.service_levels:
                for month in self._months(start, end):
                    if metric == Metric.AVAILABILITY:
                        value = Decimal("100") - Decimal(rnd.randrange(0, 60)) / 100
                        if rnd.random() < 0.05:
                            value = target - Decimal(rnd.randrange(1, 200)) / 100
                    else:
                        value = target * Decimal(rnd.randrange(40, 115)) / 100
                    yield Measurement(id=next(ids), service_level_id=sl_id, period_start=month,
                                      value=value.quantize(Decimal("0.001")),
                                      reported_by_id=self.contact_user[s])  # fmt: skip

        self.put(Measurement, measurements())
        recent = [self.today.replace(day=1) - relativedelta(months=n) for n in range(1, 13)]
        running = [
            (contract_id, s)
            for s, contracts in self.contracts_of.items()
            for contract_id, status, _start, _end in contracts
            if status in (ContractStatus.ACTIVE, ContractStatus.TERMINATING)
        ]
        ticket_ids, question_ids = count(1), count(1)
        self.put(
            TicketCount,
            (
                TicketCount(id=next(ticket_ids), contract_id=contract_id, period_start=month,
                            priority=priority, opened=(opened := rnd.randrange(0, 80)),
                            closed=max(0, opened - rnd.randrange(0, 5)),
                            reported_by_id=self.contact_user[s])
                for contract_id, s in running
                for month in recent
                for priority in Priority.values
            ),
        )  # fmt: skip
        self.put(
            QuestionCount,
            (
                QuestionCount(id=next(question_ids), contract_id=contract_id, period_start=month,
                              category=category, questions=rnd.randrange(0, 40),
                              reported_by_id=self.contact_user[s])
                for contract_id, s in running
                for month in recent
                for category in ("Accounts", "Printing")
            ),
        )  # fmt: skip

    # -- issues --------------------------------------------------------------------------
    def issues(self):
        rnd = self.random
        issues, events, links = [], [], []
        issue_ids, event_ids = count(1), count(1)
        span = (self.today - self.first_day).days
        for s, contracts in self.contracts_of.items():
            for n in range(ISSUES_PER_SUPPLIER):
                issue_id = next(issue_ids)
                is_open = n < 2 or (n == 2 and s % 3 == 0)
                raised = self.today - timedelta(days=rnd.randrange(1, 60) if is_open else
                                                rnd.randrange(60, span))  # fmt: skip
                level = LEVEL_ORDER[n % 3] if is_open else rnd.choice(LEVEL_ORDER)
                due = raised + timedelta(days=14)
                issues.append(
                    Issue(id=issue_id, title=f"Issue {n + 1} with Supplier {s:03d}",
                          description="Raised in the weekly meeting.", level=level,
                          owner_name="City lead", owner_organisation="City",
                          severity=rnd.choice(Severity.values), due_on=due,
                          status=IssueStatus.OPEN if is_open else IssueStatus.RESOLVED,
                          created_by_id=self.procurement_ids[s % len(self.procurement_ids)],
                          flagged_at=self.now if is_open and level == Level.OPERATIONAL
                          and due < self.today else None)
                )  # fmt: skip
                links.append(
                    Issue.contracts.through(id=issue_id, issue_id=issue_id,
                                            contract_id=contracts[n % 8][0])
                )  # fmt: skip
                events.append(IssueEvent(id=next(event_ids), issue_id=issue_id,
                                         kind=EventKind.RAISED, to_level=level))  # fmt: skip
                if not is_open:
                    events.append(IssueEvent(id=next(event_ids), issue_id=issue_id,
                                             kind=EventKind.RESOLVED, reason="Fixed."))  # fmt: skip
        self.put(Issue, issues)
        self.put(Issue.contracts.through, links)
        self.put(IssueEvent, events)

    # -- forums, meetings, minutes, actions ----------------------------------------------
    def forums_and_meetings(self):
        rnd = self.random
        forums, forum_links = [], []
        forum_ids, link_ids = count(1), count(1)
        forum_contracts = {}  # forum id -> its contracts, which each of its meetings is on
        plan = []  # (forum, supplier id)
        for s, contracts in self.contracts_of.items():
            chair = self.procurement_ids[s % len(self.procurement_ids)]
            running = [c for c, status, _start, _end in contracts if status != ContractStatus.DRAFT]
            for level, cadence, label in (
                (Level.OPERATIONAL, Cadence.WEEKLY, "weekly operations"),
                (Level.CONTRACT, Cadence.QUARTERLY, "key-supplier meeting"),
            ):
                forum = Forum(
                    id=next(forum_ids), name=f"Supplier {s:03d} {label}", level=level,
                    cadence=cadence, chair_id=chair, dial_in="+46 8 123 456 00",
                    weekday=rnd.randrange(0, 5), time_of_day=datetime.strptime(
                        f"{rnd.randrange(8, 15)}:00", "%H:%M").time(),
                    week_of_month=rnd.randrange(1, 5), month_of_quarter=rnd.randrange(1, 4),
                    starts_on=self.first_day,
                )  # fmt: skip
                forums.append(forum)
                plan.append((forum, s))
                forum_links += [
                    Forum.contracts.through(id=next(link_ids), forum_id=forum.id, contract_id=c)
                    for c in running
                ]
                forum_contracts[forum.id] = running
        self.put(Forum, forums)
        self.put(Forum.contracts.through, forum_links)

        meetings, minutes, items, attendance, actions, pulse, expectations = ([] for _ in range(7))
        meeting_links, meeting_link_ids = [], count(1)
        meeting_ids, minutes_ids, item_ids, attendance_ids = count(1), count(1), count(1), count(1)
        action_ids, pulse_ids = count(1), count(1)
        yesterday = self.today - timedelta(days=1)
        for forum, s in plan:
            days = list(forum.meeting_dates(self.first_day, yesterday))
            for index, day in enumerate(days):
                starts_at = forum.starts_at(day)
                cancelled = rnd.random() < 0.03 and index < len(days) - 1
                meeting_id = next(meeting_ids)
                meetings.append(
                    Meeting(id=meeting_id, forum_id=forum.id, starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=forum.duration_minutes),
                            status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
                            notified_sequence=0)
                )  # fmt: skip
                meeting_links += [
                    Meeting.contracts.through(id=next(meeting_link_ids), meeting_id=meeting_id,
                                              contract_id=c)
                    for c in forum_contracts[forum.id]
                ]  # fmt: skip
                if cancelled:
                    continue
                latest = index == len(days) - 1
                # The latest weekly minutes of every third forum are still a draft.
                draft = latest and forum.cadence == Cadence.WEEKLY and s % 3 == 0
                minutes_id = next(minutes_ids)
                minutes.append(
                    Minutes(id=minutes_id, meeting_id=meeting_id, created_by_id=forum.chair_id,
                            approved_by_id=None if draft else forum.chair_id,
                            approved_at=None if draft else starts_at + timedelta(days=1))
                )  # fmt: skip
                first_item = None
                for position, (title, kind) in enumerate(ITEMS, start=1):
                    item_id = next(item_ids)
                    first_item = first_item or item_id
                    items.append(
                        MinutesItem(id=item_id, minutes_id=minutes_id, position=position,
                                    title=title, kind=kind, notes="Went through the figures.",
                                    decisions="Keep the current plan." if position == 1 else "")
                    )  # fmt: skip
                for side, name, organisation in (
                    (Side.BUYER, "City lead", "City"),
                    (Side.SUPPLIER, f"Contact {s:03d}-1", f"Supplier {s:03d} AB"),
                ):
                    attendance.append(
                        Attendance(id=next(attendance_ids), minutes_id=minutes_id, name=name,
                                   organisation=organisation, side=side, present=True)
                    )  # fmt: skip
                if latest:
                    # Open actions in the forum's latest minutes, one of them overdue.
                    for due in (self.today - timedelta(days=3), self.today + timedelta(days=10)):
                        actions.append(
                            Action(id=next(action_ids), minutes_id=minutes_id, item_id=first_item,
                                   description="Send the root-cause analysis.",
                                   owner_name=f"Contact {s:03d}-1",
                                   owner_organisation=f"Supplier {s:03d} AB", due_on=due)
                        )  # fmt: skip
                elif forum.cadence == Cadence.QUARTERLY or rnd.random() < ACTION_SHARE:
                    actions.append(
                        Action(id=next(action_ids), minutes_id=minutes_id, item_id=first_item,
                               description="Follow up the availability dip.",
                               owner_name="City lead", owner_organisation="City",
                               due_on=day + timedelta(days=14), status=ActionStatus.DONE)
                    )  # fmt: skip
                if forum.cadence == Cadence.QUARTERLY:
                    for respondent, side, supplier in (
                        (forum.chair_id, Side.BUYER, None),
                        (self.contact_user[s], Side.SUPPLIER, s),
                    ):
                        pulse.append(
                            PulseResponse(id=next(pulse_ids), meeting_id=meeting_id,
                                          respondent_id=respondent, side=side,
                                          supplier_id=supplier, trust=rnd.randrange(2, 6),
                                          dialogue=rnd.randrange(2, 6),
                                          delivery=rnd.randrange(2, 6))
                        )  # fmt: skip
                    if index % 4 == 0:
                        contract_id = self.contracts_of[s][index % 8][0]
                        expectations.append(
                            Expectation(id=len(expectations) + 1, contract_id=contract_id,
                                        meeting_id=meeting_id, agreed_on=day,
                                        requirement="Availability is measured per service",
                                        calibration="Planned maintenance windows do not count.",
                                        recorded_by_id=forum.chair_id)
                        )  # fmt: skip
        for model, rows in (
            (Meeting, meetings), (Meeting.contracts.through, meeting_links),
            (Minutes, minutes), (MinutesItem, items),
            (Attendance, attendance), (Action, actions), (PulseResponse, pulse),
            (Expectation, expectations),
        ):  # fmt: skip
            self.put(model, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 is the 10x data set, 0.1 the 1x one"
    )
    parser.add_argument("--database", help="fill this database instead of the bench one")
    args = parser.parse_args(argv)
    if args.database:
        settings.DATABASES["default"]["NAME"] = args.database  # the connection's settings too
    started = time.perf_counter()
    print(f"database {settings.DATABASES['default']['NAME']}: recreating and migrating")
    recreate_database()
    generator = Generator(args.scale)
    generator.run()
    total = sum(generator.counts.values())
    print(f"{total:,} rows in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
