"""Load the demo city: three large suppliers, their contracts and full governance models."""

from datetime import date, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from escalations.models import Issue, Severity
from escalations.services import escalate, flag_overdue_issues, raise_issue
from governance import mfa
from governance.models import Level, Role, RoleHolder, Side, SignOffRound, User
from governance.passwords import DEMO_PASSWORD
from governance.services import business_holders, request_sign_off, sign_off
from meetings.models import Cadence, Forum, ItemKind, Meeting, Mode, Weekday
from meetings.services import (
    add_action,
    add_attendee,
    approve_minutes,
    propose_agenda_item,
    reconcile_meetings,
    save_item,
    start_minutes,
)
from portal.demo.documents import seed_documents
from portal.demo.figures import seed_figures
from portal.demo.relationship import seed_relationship
from portal.demo.risks import seed_risks
from suppliers.models import (
    Comparison,
    Contact,
    Contract,
    ContractStatus,
    Metric,
    OutcomeCommitment,
    Period,
    Renewal,
    ServiceLevel,
    Supplier,
    Tier,
    Unit,
)
from suppliers.notice import send_notice_alerts
from suppliers.services import create_contract
from suppliers.validators import complete_organisation_number

CITY_PEOPLE = [
    ("anna.lind@city.example", "Anna", "Lind", Role.PROCUREMENT, "Outsourcing manager"),
    ("erik.berg@city.example", "Erik", "Berg", Role.PROCUREMENT, "Contract manager"),
    ("maria.holm@city.example", "Maria", "Holm", Role.DIRECTOR, "IT director"),
    ("admin@city.example", "Portal", "Administrator", Role.ADMINISTRATOR, "Administrator"),
]

SUPPLIERS = [
    {
        "name": "Nordlys Drift AB",
        "number": "556701234",
        "tier": Tier.KEY,
        "description": "Operations of the city's data centres, servers and networks.",
        "contacts": [
            ("jonas.ek@nordlys.example", "Jonas Ek", "Account manager"),
            ("sara.nyberg@nordlys.example", "Sara Nyberg", "Service delivery manager"),
        ],
        "contracts": [
            (
                "IT-2024-001",
                "Infrastructure operations",
                "Data centre, servers, storage and backup for all city administrations.",
                84_000_000,
                date(2024, 1, 1),
                date(2029, 12, 31),
                Renewal.TACIT,
                24,
                ContractStatus.ACTIVE,
            ),
            (
                "IT-2024-002",
                "Network services",
                "Wide-area and local networks in 600 sites, including schools.",
                31_500_000,
                date(2024, 4, 1),
                date(2027, 3, 31),
                Renewal.EXPRESS,
                None,
                ContractStatus.ACTIVE,
            ),
        ],
    },
    {
        "name": "Kvarnberg IT-tjänster AB",
        "number": "556712345",
        "tier": Tier.KEY,
        "description": "Workplace services: service desk, client computers and printing.",
        "contacts": [
            ("lena.strand@kvarnberg.example", "Lena Strand", "Key account manager"),
            ("ali.hassan@kvarnberg.example", "Ali Hassan", "Service desk manager"),
        ],
        "contracts": [
            (
                "IT-2023-014",
                "Workplace and service desk",
                "Service desk, 40,000 client computers and printing for all administrations.",
                126_000_000,
                date(2023, 9, 1),
                date(2027, 8, 31),
                Renewal.EXPRESS,
                None,
                ContractStatus.ACTIVE,
            ),
        ],
    },
    {
        "name": "Solvik Applikationer AB",
        "number": "556723456",
        "tier": Tier.STANDARD,
        "description": "Application management for the city's business systems.",
        "contacts": [("petra.sjo@solvik.example", "Petra Sjö", "Delivery manager")],
        "contracts": [
            (
                "IT-2025-003",
                "Application management",
                "Management and development of 120 business applications.",
                58_000_000,
                date(2025, 2, 1),
                date(2030, 1, 31),
                Renewal.TACIT,
                12,
                ContractStatus.ACTIVE,
            ),
            (
                "IT-2026-009",
                "E-archive operations",
                "Operation of the city's e-archive.",
                6_200_000,
                date(2026, 12, 1),
                date(2028, 11, 30),
                Renewal.EXPRESS,
                None,
                ContractStatus.DRAFT,
            ),
        ],
    },
]

CITY_ROLES = {
    Level.BUSINESS: ("IT director", "maria.holm@city.example"),
    Level.CONTRACT: ("Outsourcing manager", "anna.lind@city.example"),
    Level.OPERATIONAL: ("Contract manager", "erik.berg@city.example"),
}
SUPPLIER_ROLES = {
    Level.BUSINESS: "Managing director",
    Level.CONTRACT: "Key account manager",
    Level.OPERATIONAL: "Service delivery manager",
}


class Command(BaseCommand):
    help = "Load the demo city (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEBUG is off (not in production!)"
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo users with a known password: DEBUG is off.")
        logins = [self._city_user(*person) for person in CITY_PEOPLE]
        city = {user.email: user for user in logins}
        for spec in SUPPLIERS:
            supplier, _created = Supplier.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "organisation_number": complete_organisation_number(spec["number"]),
                    "tier": spec["tier"],
                    "description": spec["description"],
                },
            )
            for index, (email, name, title) in enumerate(spec["contacts"]):
                Contact.objects.get_or_create(
                    supplier=supplier, email=email, defaults={"name": name, "title": title}
                )
                if index == 0:
                    logins.append(self._supplier_user(supplier, email, name))
            for contract_spec in spec["contracts"]:
                self._contract(supplier, spec["contacts"], city, *contract_spec)

        self._forums(city)
        created, _cancelled = reconcile_meetings()
        self.stdout.write(f"Planned {created} meetings for the coming weeks.")
        # Figures first: the past meetings' approved minutes keep them as they stood.
        breaches = seed_figures(self.stdout)
        self.stdout.write(f"Reported figures loaded ({breaches} new breach issues).")
        self._past_meetings(city["erik.berg@city.example"])
        self._proposal()
        self._past_quarter(city["anna.lind@city.example"])
        self._escalated_issue(city["erik.berg@city.example"])
        self._overdue_issue(city["erik.berg@city.example"])
        self._late_contract_issue(city["anna.lind@city.example"])
        references = [spec[0] for supplier in SUPPLIERS for spec in supplier["contracts"]]
        seed_relationship(references, self.stdout)
        seed_documents(references, self.stdout)
        seed_risks(city["anna.lind@city.example"], self.stdout)
        flag_overdue_issues()
        # A notice deadline within the alert days (in late 2026, Workplace and service desk's)
        # is told now rather than at beat's next morning run; its page says "none recorded".
        send_notice_alerts()
        # Some demo data is written without history rows (past meetings marked held), and a
        # new demo database starts its history ids again: nothing shared or kept in the cache
        # for an earlier database may be shown for this one.
        transaction.on_commit(cache.clear)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /login/ with:"))
        for user in logins:
            self.stdout.write(f"  {user.email:<34} {user.get_role_display():<20} {DEMO_PASSWORD}")
        self.stdout.write(
            "The city's staff then give their authenticator's code: in the demo the code page "
            "says it."
        )

    def _forums(self, city):
        running = Contract.objects.filter(status=ContractStatus.ACTIVE).select_related("supplier")
        chair = city["anna.lind@city.example"]
        for supplier in Supplier.objects.filter(contracts__in=running).distinct():
            forum, created = Forum.objects.get_or_create(
                name=f"Weekly operations: {supplier.name}",
                defaults={
                    "level": Level.OPERATIONAL,
                    "cadence": Cadence.WEEKLY,
                    "chair": city["erik.berg@city.example"],
                    "mode": Mode.PHONE,
                    "dial_in": "+46 8 508 100 00, PIN 4711",
                    "weekday": Weekday.MONDAY + supplier.pk % 3,
                    "time_of_day": time(9, 0),
                    "duration_minutes": 45,
                    "starts_on": date(2026, 1, 1),
                },
            )
            if created:
                forum.contracts.set(running.filter(supplier=supplier))
        forum, created = Forum.objects.get_or_create(
            name="Quarterly key-supplier meeting",
            defaults={
                "level": Level.CONTRACT,
                "cadence": Cadence.QUARTERLY,
                "chair": chair,
                "mode": Mode.ON_SITE,
                "location": "City Hall, room Norrsken",
                "weekday": Weekday.TUESDAY,
                "week_of_month": 2,
                "month_of_quarter": 1,
                "time_of_day": time(13, 0),
                "duration_minutes": 120,
                "starts_on": date(2026, 1, 1),
            },
        )
        if created:
            forum.contracts.set(running.filter(supplier__tier=Tier.KEY))
        # The business level's yearly look at the whole relationship, in December.
        forum, created = Forum.objects.get_or_create(
            name="Annual business review",
            defaults={
                "level": Level.BUSINESS,
                "cadence": Cadence.ANNUAL,
                "chair": chair,
                "mode": Mode.ON_SITE,
                "location": "City Hall, room Norrsken",
                "weekday": Weekday.TUESDAY,
                "week_of_month": 2,
                "month_of_year": 12,
                "time_of_day": time(10, 0),
                "duration_minutes": 180,
                "starts_on": date(2026, 1, 1),
            },
        )
        if created:
            forum.contracts.set(running.filter(supplier__tier=Tier.KEY))

    def _proposal(self):
        """A key supplier's proposal for the coming key-supplier meeting, waiting for the chair."""
        meeting = (
            Meeting.objects.filter(
                forum__name="Quarterly key-supplier meeting", starts_at__gt=timezone.now()
            )
            .order_by("starts_at")
            .first()
        )
        contact = User.objects.filter(email="jonas.ek@nordlys.example").first()
        if meeting is None or contact is None or meeting.agenda_proposals.exists():
            return
        if meeting.takes_proposals() and meeting.contracts.filter(supplier=contact.supplier_id):
            propose_agenda_item(
                meeting=meeting,
                title="Capacity for the spring release of the school platform",
                description="Both operations suppliers need the same test window in March.",
                by=contact,
            )

    def _past_meetings(self, chair):
        """The last two weeks of each weekly forum: one with approved minutes and an open
        action, the latest without minutes, ready for a newcomer to hold."""
        today = timezone.localdate()
        for forum in Forum.objects.filter(cadence=Cadence.WEEKLY):
            days = list(forum.meeting_dates(today - timedelta(days=14), today - timedelta(days=1)))
            meetings = [
                Meeting.objects.get_or_create(
                    forum=forum,
                    starts_at=forum.starts_at(day),
                    defaults={
                        "ends_at": forum.starts_at(day) + timedelta(minutes=forum.duration_minutes)
                    },
                )[0]
                for day in days[-2:]
            ]
            if len(meetings) < 2 or meetings[0].minutes_versions.exists():
                continue
            minutes = start_minutes(meeting=meetings[0], by=chair)
            # By kind: the titles are in the forum's language.
            availability = minutes.items.get(kind=ItemKind.AVAILABILITY)
            save_item(
                item=availability,
                revision=0,
                notes="Availability 99.1 % against the agreed 99.5 %: a four-hour storage "
                "outage on Wednesday night.",
                decisions="The supplier presents a root-cause analysis next week.",
                by=chair,
            )
            supplier = forum.contracts.first().supplier
            owner = supplier.contacts.first()
            # The supplier's account manager (a demo login) attended and took the action: the
            # minutes name a person the portal knows, who updates it between the meetings.
            if not minutes.attendance.filter(email=owner.email).exists():
                add_attendee(
                    minutes=minutes,
                    name=owner.name,
                    email=owner.email,
                    organisation=supplier.name,
                    side=Side.SUPPLIER,
                    by=chair,
                )
            add_action(
                minutes=minutes,
                item=availability,
                description="Root-cause analysis of the storage outage, with measures.",
                owner_name=owner.name,
                owner_organisation=supplier.name,
                due_on=meetings[1].starts_at.date() + timedelta(days=7),
                by=chair,
            )
            minutes.attendance.update(present=True)
            approve_minutes(minutes=minutes, by=chair)

    def _escalated_issue(self, by):
        """An operational issue escalated to the contract level: on the quarterly agenda."""
        if Issue.objects.filter(title="Storage outages recur").exists():
            return
        contract = Contract.objects.filter(supplier__tier=Tier.KEY, status=ContractStatus.ACTIVE)[0]
        issue = raise_issue(
            title="Storage outages recur",
            description="Three night-time storage outages in six weeks; the fixes do not hold.",
            level=Level.OPERATIONAL,
            contracts=[contract],
            owner_name=contract.supplier.contacts.first().name,
            owner_organisation=contract.supplier.name,
            severity=Severity.HIGH,
            due_on=timezone.localdate() + timedelta(days=30),
            by=by,
        )
        escalate(
            issue=issue,
            reason="Needs a decision on resources that the operational level cannot make.",
            by=by,
        )

    def _past_quarter(self, chair):
        """The latest quarterly meeting, held with approved minutes: its pulse is answered."""
        today = timezone.localdate()
        for forum in Forum.objects.filter(cadence=Cadence.QUARTERLY):
            days = list(forum.meeting_dates(today - timedelta(days=120), today - timedelta(days=1)))
            if not days:
                continue
            meeting, _created = Meeting.objects.get_or_create(
                forum=forum,
                starts_at=forum.starts_at(days[-1]),
                defaults={
                    "ends_at": forum.starts_at(days[-1]) + timedelta(minutes=forum.duration_minutes)
                },
            )
            if meeting.minutes_versions.exists():
                continue
            minutes = start_minutes(meeting=meeting, by=chair)
            save_item(
                # The standing "Important issues", the first of the quarterly topics.
                item=minutes.items.filter(kind=ItemKind.TOPIC).order_by("position").first(),
                revision=0,
                notes="Storage stability and the move of the case-management system.",
                decisions="Nordlys and Kvarnberg name one owner for cross-supplier incidents.",
                by=chair,
            )
            minutes.attendance.update(present=True)
            approve_minutes(minutes=minutes, by=chair)

    def _overdue_issue(self, by):
        """An operational issue past its due date: the timer flags it for escalation."""
        title = "Restore tests not delivered"
        if Issue.objects.filter(title=title).exists():
            return
        contract = Contract.objects.filter(status=ContractStatus.ACTIVE).order_by("reference")[0]
        raise_issue(
            title=title,
            description="The quarterly restore test report was promised for last month.",
            level=Level.OPERATIONAL,
            contracts=[contract],
            owner_name=contract.supplier.contacts.first().name,
            owner_organisation=contract.supplier.name,
            severity=Severity.MEDIUM,
            due_on=timezone.localdate() - timedelta(days=10),
            by=by,
        )

    def _late_contract_issue(self, by):
        """A contract-level issue past its agreed date: the timer flags it as late there and
        tells the business level."""
        title = "Licence costs above the agreed frame"
        if Issue.objects.filter(title=title).exists():
            return
        contract = Contract.objects.filter(supplier__tier=Tier.KEY, status=ContractStatus.ACTIVE)[0]
        raise_issue(
            title=title,
            description="Licence costs ran 12 % over the frame; a proposal was promised.",
            level=Level.CONTRACT,
            contracts=[contract],
            owner_name=contract.supplier.contacts.first().name,
            owner_organisation=contract.supplier.name,
            severity=Severity.HIGH,
            due_on=timezone.localdate() - timedelta(days=4),
            by=by,
        )

    def _city_user(self, email, first_name, last_name, role, _title):
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "role": role,
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            mfa.give_demo_authenticator(user)
        return user

    def _supplier_user(self, supplier, email, name):
        first_name, _sep, last_name = name.partition(" ")
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "role": Role.SUPPLIER_CONTACT,
                "supplier": supplier,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            Contact.objects.filter(supplier=supplier, email=email).update(user=user)
        return user

    def _contract(
        self,
        supplier,
        contacts,
        city,
        reference,
        title,
        scope,
        value,
        start,
        end,
        renewal,
        renewal_term,
        status,
    ):
        if Contract.objects.filter(reference=reference).exists():
            return
        contract = create_contract(
            supplier=supplier,
            reference=reference,
            title=title,
            scope=scope,
            purchased=scope,
            start_date=start,
            end_date=end,
            notice_period_months=9 if renewal == Renewal.TACIT else 6,
            renewal=renewal,
            renewal_term_months=renewal_term,
            annual_value_sek=value,
            by=None,
        )
        for governance_level in contract.governance_levels.all():
            role_title, email = CITY_ROLES[governance_level.level]
            city_user = city[email]
            RoleHolder.objects.create(
                governance_level=governance_level,
                side=Side.BUYER,
                role_title=role_title,
                user=city_user,
                name=city_user.get_full_name(),
                email=email,
                phone="+46 8 508 000 00",
            )
            contact_email, contact_name, _title = contacts[
                -1 if governance_level.level == Level.OPERATIONAL else 0
            ]
            RoleHolder.objects.create(
                governance_level=governance_level,
                side=Side.SUPPLIER,
                role_title=SUPPLIER_ROLES[governance_level.level],
                contact=Contact.objects.get(supplier=supplier, email=contact_email),
                name=contact_name,
                email=contact_email,
            )
        # Running contracts were signed off by both sides' business level; the draft waits
        # for its supplier (the IT director signed, the supplier was e-mailed).
        if status == ContractStatus.DRAFT:
            request_sign_off(contract=contract, by=city["anna.lind@city.example"])
        else:  # asked long ago: no e-mail now
            SignOffRound.objects.create(contract=contract, opened_by=city["anna.lind@city.example"])
        for holder in business_holders(contract):
            if status != ContractStatus.DRAFT or holder.side == Side.BUYER:
                sign_off(holder=holder, by=holder.account)
        OutcomeCommitment.objects.create(
            contract=contract,
            title="Staff can work without interruption",
            description="City staff reach the systems they need during working hours.",
            measured_by="Availability per month and the number of priority 1 incidents.",
        )
        ServiceLevel.objects.create(
            contract=contract,
            name=f"{title}: availability",
            metric=Metric.AVAILABILITY,
            comparison=Comparison.AT_LEAST,
            target="99.7",
            unit=Unit.PERCENT,
            period=Period.MONTH,
        )
        ServiceLevel.objects.create(
            contract=contract,
            name="Priority 1 incidents: resolution",
            metric=Metric.RESOLUTION_TIME,
            comparison=Comparison.AT_MOST,
            target="4",
            unit=Unit.HOURS,
            period=Period.MONTH,
        )
        contract.status = status
        contract.save(update_fields=["status"])
