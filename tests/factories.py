"""Small builders for test data; each returns saved objects through the real services."""

import itertools
import re
from datetime import date, time, timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from escalations.models import EventKind, Issue, IssueEvent
from governance.mfa import must_pass
from governance.models import Level, OutboxMessage, Role, RoleHolder, Side, SignOffRound, User
from governance.selectors import sign_off_state
from governance.services import business_holders, request_sign_off
from governance.services import sign_off as record_sign_off
from meetings.models import Cadence, Forum, Meeting
from meetings.services import add_action, save_item, start_minutes
from risks.services import create_risk
from suppliers.models import Contact, Supplier
from suppliers.services import create_contract
from suppliers.validators import complete_organisation_number

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_supplier(name=None, **fields):
    number = next(_sequence)
    fields.setdefault("organisation_number", complete_organisation_number(f"55{number:07d}"))
    return Supplier.objects.create(name=name or f"Supplier {number} AB", **fields)


def make_contract(supplier, **fields):
    number = next(_sequence)
    fields.setdefault("reference", f"C-{number:05d}")
    fields.setdefault("title", f"Contract {number}")
    fields.setdefault("scope", "Operations of the city's servers.")
    fields.setdefault("start_date", date(2025, 1, 1))
    fields.setdefault("end_date", date(2028, 12, 31))
    fields.setdefault("annual_value_sek", 1_000_000)
    return create_contract(supplier=supplier, by=None, **fields)


def fill_governance(contract, skip=()):
    """Name one holder per level and side, except the (level, side) pairs in skip: on the
    city's side a member of staff (buyer.<level>@example.org, shared by every contract), on
    the supplier's one of its contacts (supplier.<level>@example.org, without an account)."""
    for governance_level in contract.governance_levels.all():
        for side in Side:
            if (governance_level.level, side) in skip:
                continue
            email = f"{side}.{governance_level.level}@example.org"
            if side == Side.BUYER:
                person = {"user": city_person(email, f"{side.label}", "person")}
            else:
                contact, _created = Contact.objects.get_or_create(
                    supplier=contract.supplier, email=email, defaults={"name": "Supplier person"}
                )
                person = {"contact": contact}
            RoleHolder.objects.create(
                governance_level=governance_level,
                side=side,
                role_title=f"{governance_level.get_level_display()} lead",
                name=f"{side.label} person",
                email=email,
                **person,
            )
    return contract


def city_person(email, first_name="City", last_name="person", role=Role.PROCUREMENT):
    """One of the city's staff with this address (made once), who may hold a city role."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            PASSWORD,
            role=role,
            first_name=first_name,
            last_name=last_name,
            language="en",
        )
        give_authenticator(user)
    return user


def sign_off(contract):
    """Both sides' business level sign the contract's governance model off (asked first when
    nobody was): the city's holder signed in, the supplier's through the e-mailed link's way."""
    state = sign_off_state(contract)
    if state.complete:
        return contract
    if not state.asked:
        SignOffRound.objects.create(contract=contract)
    for holder in business_holders(contract):
        if holder.side not in sign_off_state(contract).signatures and holder.is_linked:
            record_sign_off(holder=holder, by=holder.account)
    return contract


def sign_off_link_token(contract, by=None):
    """Ask for the contract's sign-off and give the token of the single-use link e-mailed to
    its supplier's business-level holder (a contact without an account)."""
    request_sign_off(contract=contract, by=by)
    message = OutboxMessage.objects.filter(key__startswith="signoff:link:").latest("pk")
    return re.search(r"/sign-off/([^/\s]+)/", message.payload["body"]).group(1)


def make_user(role, supplier=None, email=None, **fields):
    """A user of the given governance.models.Role. The city's staff have set up their
    authenticator app, as they must before their first page (governance.mfa)."""
    number = next(_sequence)
    user = User.objects.create_user(
        email or f"user{number}@example.org",
        PASSWORD,
        role=role,
        supplier=supplier,
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", f"User {number}"),
        # The tests read English unless they ask for Swedish (governance/settings/test.py).
        language=fields.pop("language", "en"),
        **fields,
    )
    if must_pass(user):
        give_authenticator(user)
    return user


def make_admin():
    number = next(_sequence)
    user = User.objects.create_superuser(f"admin{number}@example.org", PASSWORD, language="en")
    give_authenticator(user)
    return user


def give_authenticator(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def make_forum(contracts, chair, **fields):
    """A weekly operational phone meeting, Mondays 09:00, unless fields say otherwise."""
    fields.setdefault("name", f"Weekly operations {next(_sequence)}")
    fields.setdefault("level", Level.OPERATIONAL)
    fields.setdefault("cadence", Cadence.WEEKLY)
    fields.setdefault("time_of_day", time(9, 0))
    fields.setdefault("starts_on", date(2020, 1, 1))
    fields.setdefault("language", "en")  # as the tests read (governance/settings/test.py)
    fields.setdefault("dial_in", "+46 8 000 000, PIN 1234")
    # Its minutes PDF in English, as the tests read it, unless a test asks for Swedish.
    fields.setdefault("language", "en")
    forum = Forum.objects.create(chair=chair, **fields)
    forum.contracts.set(contracts)
    return forum


def make_held_minutes(contract, chair, notes="Uptime 99.2 % against 99.5 %."):
    """Draft minutes of a meeting held two hours ago: notes, two decisions, one action."""
    forum = make_forum([contract], chair, name="Weekly operations: Alpha")
    starts_at = timezone.now() - timedelta(hours=2)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    minutes = start_minutes(meeting=meeting, by=chair)
    item = minutes.items.first()
    save_item(
        item=item, revision=0, notes=notes, decisions="Keep the target\nReview in Q1", by=chair
    )
    add_action(
        minutes=minutes,
        item=item,
        description="Send the root-cause analysis",
        owner_name="Ola Drift",
        owner_organisation="Alpha Drift AB",
        due_on=date(2026, 12, 4),
        by=None,
    )
    minutes.attendance.filter(email=chair.email).update(present=True)
    return minutes


def mark_present(minutes):
    """The chair marked present, as approving the minutes needs someone present; at a
    key-supplier (quarterly) meeting everyone invited, so the mandate holders were there."""
    attendance = minutes.attendance.all()
    if not minutes.meeting.forum.is_key_supplier_meeting:
        attendance = attendance.filter(email=minutes.meeting.forum.chair.email)
    attendance.update(present=True)
    return minutes


def make_issue(contracts, by, **fields):
    """An open operational issue on the given contracts."""
    fields.setdefault("title", f"Storage outage {next(_sequence)}")
    fields.setdefault("level", Level.OPERATIONAL)
    fields.setdefault("owner_name", "Ola Drift")
    fields.setdefault("owner_organisation", contracts[0].supplier.name)
    issue = Issue.objects.create(created_by=by, **fields)
    issue.contracts.set(contracts)
    IssueEvent.objects.create(issue=issue, kind=EventKind.RAISED, to_level=issue.level, by=by)
    return issue


# --- operations (reported figures) -------------------------------------------------------------


def make_service_level(contract, **fields):
    """A monthly availability service level of at least 99.5 %, unless fields say otherwise."""
    from decimal import Decimal

    from suppliers.models import Comparison, Metric, Period, ServiceLevel, Unit

    fields.setdefault("name", "Server operations")
    fields.setdefault("metric", Metric.AVAILABILITY)
    fields.setdefault("comparison", Comparison.AT_LEAST)
    fields.setdefault("target", "99.5")
    fields.setdefault("unit", Unit.PERCENT)
    fields.setdefault("period", Period.MONTH)
    fields["target"] = Decimal(str(fields["target"]))
    return ServiceLevel.objects.create(contract=contract, **fields)


# --- Relationship side (goals, expectations log, pulse) ---------------------------------


def make_quarterly_meeting(contracts, chair, starts_at=None, forum=None, **fields):
    """A meeting of a quarterly key-supplier forum (created unless given), started a day ago
    unless starts_at says otherwise."""
    if forum is None:
        forum = make_forum(
            contracts,
            chair,
            name=f"Quarterly key-supplier meeting {next(_sequence)}",
            level=Level.CONTRACT,
            cadence=Cadence.QUARTERLY,
        )
    starts_at = starts_at or timezone.now() - timedelta(days=1)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **fields
    )


def make_risk(contract, by, **fields):
    """A risk of the contract's supplier in that contract, owned by `by` (one of the city's
    staff), due for review in a month."""
    fields.setdefault("title", f"Risk {next(_sequence)}")
    fields.setdefault("likelihood", 3)
    fields.setdefault("impact", 4)
    fields.setdefault("review_on", timezone.localdate() + timedelta(days=30))
    if "owner_contact" not in fields:
        fields.setdefault("owner_user", by)
    return create_risk(by=by, supplier=contract.supplier, contract=contract, **fields)
