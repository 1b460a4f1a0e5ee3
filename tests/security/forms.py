"""What each POST view of the portal takes, with a body it accepts, and the filters of the list
pages: one table for the IDOR, reflected-XSS and fuzzing sweeps. A view that accepts POST and
has no row here fails test_every_post_view_has_a_form_row."""

from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from documents.models import DocumentType
from governance.models import Level, Side
from meetings.models import ActionStatus, Cadence, Mode, OnHoliday, Weekday
from relationship.models import GoalStatus
from suppliers.models import Comparison, Metric, NoticeChoice, Period, Renewal, Tier, Unit
from tests.factories import PASSWORD

TEXT, EMAIL, INT, DECIMAL, DATE, TIME, BOOL, FILE = (
    "text",
    "email",
    "int",
    "decimal",
    "date",
    "time",
    "bool",
    "file",
)


def choice(*values):
    return ("choice", [str(value) for value in values])


def many(*values):
    return ("many", [str(value) for value in values])


@dataclass
class Form:
    """A POST view: who submits it, and its fields as {name: (kind, a value it accepts)}."""

    url_name: str
    fields: object  # World -> {name: (kind, valid value)}
    user: str = "procurement"
    # Signed in with the password only: the code page's own form.
    owes_second_factor: bool = False

    def valid(self, world):
        return {name: value for name, (_kind, value) in self.fields(world).items()}


def no_fields(world):
    return {}


def _supplier(world):
    return {
        "name": (TEXT, "Gamma Drift AB"),
        "organisation_number": (TEXT, "556036-0793"),
        "tier": (choice(*Tier.values), Tier.KEY),
        "description": (TEXT, "Runs the mail"),
    }


def _contract(world, with_supplier=True):
    fields = {
        "reference": (TEXT, "G-001"),
        "title": (TEXT, "Mail"),
        "scope": (TEXT, "The city's mail"),
        "purchased": (TEXT, "Mailboxes"),
        "start_date": (DATE, "2026-01-01"),
        "end_date": (DATE, "2028-12-31"),
        "notice_period_months": (INT, "6"),
        "renewal": (choice(*Renewal.values), Renewal.TACIT),
        "renewal_term_months": (INT, "12"),
        "annual_value_sek": (DECIMAL, "250000"),
    }
    if with_supplier:
        fields["supplier"] = (choice(world.objects["supplier"]), str(world.objects["supplier"]))
    return fields


def _city_goal(prefix):
    def fields(world):
        return {
            f"{prefix(world)}-title": (TEXT, "Digital first"),
            f"{prefix(world)}-description": (TEXT, "Every service online"),
            f"{prefix(world)}-target_date": (DATE, "2028-12-31"),
        }

    return fields


def _goal(prefix, status=False):
    def fields(world):
        city_goal = world.objects["city_goal"]
        result = {
            f"{prefix(world)}-title": (TEXT, "One service desk"),
            f"{prefix(world)}-description": (TEXT, "One number to call"),
            f"{prefix(world)}-target_date": (DATE, "2027-06-30"),
            f"{prefix(world)}-city_goal": (choice(city_goal), str(city_goal)),
        }
        if status:
            result[f"{prefix(world)}-status"] = (choice(*GoalStatus.values), GoalStatus.ACHIEVED)
        return result

    return fields


def _forum(world):
    return {
        "name": (TEXT, "Weekly mail"),
        "level": (choice(*Level.values), Level.OPERATIONAL),
        "cadence": (choice(*Cadence.values), Cadence.WEEKLY),
        "contracts": (many(world.objects["contract"]), [str(world.objects["contract"])]),
        "chair": (
            choice(world.users["procurement"].pk),
            str(world.users["procurement"].pk),
        ),
        "mode": (choice(*Mode.values), Mode.PHONE),
        "dial_in": (TEXT, "+46 8 123 456"),
        "location": (TEXT, "City hall"),
        "weekday": (choice(*Weekday.values), str(Weekday.TUESDAY.value)),
        "time_of_day": (TIME, "10:00"),
        "duration_minutes": (INT, "60"),
        "week_of_month": (INT, "2"),
        "month_of_quarter": (INT, "1"),
        "month_of_year": (INT, "11"),
        "on_holiday": (choice(*OnHoliday.values), OnHoliday.MOVE),
        "agenda_template": (TEXT, ""),
        "starts_on": (DATE, "2026-01-05"),
        "ends_on": (DATE, ""),
        "is_active": (BOOL, "on"),
    }


def _expectation(world):
    return {
        "agreed_on": (DATE, "2026-10-13"),
        "requirement": (TEXT, "Response time"),
        "calibration": (TEXT, "Counted in office hours"),
        "meeting": (choice(world.objects["approved_meeting"]), ""),
    }


def _issue(world):
    return {
        "title": (TEXT, "Backups fail"),
        "description": (TEXT, "Three nights in a row"),
        "level": (choice(*Level.values), Level.OPERATIONAL),
        "contracts": (many(world.objects["contract"]), [str(world.objects["contract"])]),
        "owner_name": (TEXT, "Ola"),
        "owner_organisation": (TEXT, "Alpha"),
        "severity": (choice("low", "medium", "high", "critical"), "high"),
        "due_on": (DATE, "2026-12-01"),
    }


def _risk(with_supplier):
    def fields(world):
        found = {
            "contract": (choice(world.objects["contract"]), str(world.objects["contract"])),
            "title": (TEXT, "The backup site is untested"),
            "description": (TEXT, "No restore test this year"),
            "likelihood": (choice(1, 2, 3, 4, 5), "3"),
            "impact": (choice(1, 2, 3, 4, 5), "5"),
            "owner_user": (
                choice(world.users["procurement"].pk),
                str(world.users["procurement"].pk),
            ),
            "mitigation": (TEXT, "A restore test in March"),
            "review_on": (DATE, "2027-03-01"),
            "status": (choice("open", "monitoring", "closed"), "open"),
            "shared_with_supplier": (BOOL, "on"),
            "issues": (many(world.objects["issue"]), [str(world.objects["issue"])]),
        }
        if with_supplier:
            found["supplier"] = (
                choice(world.objects["supplier"]),
                str(world.objects["supplier"]),
            )
        return found

    return fields


def _item(world):
    prefix = f"item-{world.objects['item']}"
    return {
        f"{prefix}-notes": (TEXT, "Uptime fine"),
        f"{prefix}-decisions": (TEXT, "Keep the target"),
        f"{prefix}-revision": (INT, "1"),
    }


def _new_action(world):
    prefix = f"new-action-{world.objects['item']}"
    return {
        f"{prefix}-description": (TEXT, "Send the report"),
        f"{prefix}-owner_name": (TEXT, "Ola"),
        f"{prefix}-owner_organisation": (TEXT, "Alpha"),
        f"{prefix}-due_on": (DATE, "2026-12-01"),
    }


def _action(world):
    prefix = f"action-{world.objects['action']}"
    return {
        f"{prefix}-description": (TEXT, "Send the report"),
        f"{prefix}-owner_name": (TEXT, "Ola"),
        f"{prefix}-owner_organisation": (TEXT, "Alpha"),
        f"{prefix}-due_on": (DATE, "2026-12-01"),
        f"{prefix}-status": (choice(*ActionStatus.values), ActionStatus.DONE),
        f"{prefix}-revision": (INT, "0"),
    }


def _report(world):
    fields = {
        "period": (TEXT, "2026-10"),
        f"sl_{world.objects['service_level']}": (DECIMAL, "99,95"),
    }
    for priority in ("P1", "P2", "P3", "P4"):
        fields[f"opened_{priority}"] = (INT, "3")
        fields[f"closed_{priority}"] = (INT, "2")
    for index in range(5):
        fields[f"category_{index}"] = (TEXT, f"Category {index}")
        fields[f"questions_{index}"] = (INT, "4")
    return fields


def _upload(with_supplier):
    def fields(world):
        result = {"file": (FILE, "contract,period,category,questions\n")}
        if with_supplier:
            result["supplier"] = (choice(world.objects["supplier"]), str(world.objects["supplier"]))
        return result

    return fields


FORMS = [
    Form(
        "login",
        lambda world: {
            "username": (EMAIL, world.users["procurement"].email),
            "password": (TEXT, PASSWORD),
        },
        user=None,
    ),
    Form("logout", no_fields),
    Form(
        "switch_language",
        lambda world: {"language": (choice("sv", "en"), "sv"), "next": (TEXT, "/contracts/")},
    ),
    Form("people_deactivate", no_fields),
    Form("people_reactivate", no_fields),
    Form("portal:person_erase", no_fields),
    Form("people_reset_second_factor", no_fields),
    Form(
        "people_change_role",
        lambda world: {"role": (choice("procurement", "director"), "director")},
    ),
    Form("suppliers:person_reinvite", no_fields),
    Form("mfa_verify", lambda world: {"code": (TEXT, "123456")}, owes_second_factor=True),
    Form("mfa_setup", lambda world: {"code": (TEXT, "123456")}),
    Form("mfa_recovery_codes", no_fields),
    Form(
        "notification_settings",
        lambda world: {
            "digest": (choice("at_once", "off"), "at_once"),
            "action-reminder": (choice("at_once", "digest", "off"), "digest"),
            "issue": (choice("at_once", "digest", "off"), "off"),
        },
    ),
    Form("oidc_logout", no_fields),
    # Each person's own API tokens (the world's is supplier A's contact's).
    Form(
        "api:tokens",
        lambda world: {
            "name": (TEXT, "Our ITSM tool"),
            "scope": (choice("read", "read_write"), "read"),
            "days": (INT, "30"),
        },
    ),
    Form("api:token_revoke", no_fields, user="contact_a"),
    Form(
        "password_reset",
        lambda world: {"email": (EMAIL, world.users["procurement"].email)},
        user=None,
    ),
    Form(
        "password_reset_confirm",
        lambda world: {
            "new_password1": (TEXT, "a fresh long phrase"),
            "new_password2": (TEXT, "a fresh long phrase"),
        },
        user=None,
    ),
    Form(
        "password_change",
        lambda world: {
            "old_password": (TEXT, PASSWORD),
            "new_password1": (TEXT, "a fresh long phrase"),
            "new_password2": (TEXT, "a fresh long phrase"),
        },
    ),
    Form("suppliers:create", _supplier),
    Form("suppliers:edit", _supplier),
    Form(
        "suppliers:contact_add",
        lambda world: {
            "name": (TEXT, "Per"),
            "title": (TEXT, "Service manager"),
            "email": (EMAIL, "per@alpha.example"),
            "phone": (TEXT, "+46 70 000 00 00"),
        },
    ),
    Form("suppliers:contact_delete", no_fields),
    Form(
        "suppliers:invitation_create",
        lambda world: {"name": (TEXT, "Ina"), "email": (EMAIL, "ina@alpha.example")},
    ),
    Form("suppliers:invitation_resend", no_fields),
    Form("suppliers:invitation_revoke", no_fields),
    Form(
        "suppliers:accept_invitation",
        lambda world: {
            "name": (TEXT, "Ina Vite"),
            "password1": (TEXT, "a long enough passphrase"),
            "password2": (TEXT, "a long enough passphrase"),
        },
        user=None,
    ),
    Form("suppliers:contract_create", _contract),
    Form("suppliers:contract_edit", lambda world: _contract(world, with_supplier=False)),
    Form(
        "suppliers:contract_status",
        lambda world: {
            "status": (choice("terminating"), "ended"),
            "decided_by": (INT, str(world.objects["holder"])),
            "reason": (TEXT, "The service moves in-house"),
        },
    ),
    Form(
        "suppliers:notice_decide",
        lambda world: {
            "decision": (choice(*NoticeChoice.values), NoticeChoice.RENEW),
            "note": (TEXT, "Good value"),
            "decided_by": (INT, str(world.objects["holder"])),
        },
    ),
    Form("suppliers:notice_snooze", lambda world: {"until": (DATE, "2028-01-01")}),
    Form(
        "suppliers:commitment_add",
        lambda world: {
            "title": (TEXT, "Fewer incidents"),
            "description": (TEXT, "Half as many"),
            "measured_by": (TEXT, "The monthly report"),
        },
    ),
    Form("suppliers:commitment_delete", no_fields),
    Form(
        "suppliers:service_level_add",
        lambda world: {
            "name": (TEXT, "Mail"),
            "metric": (choice(*Metric.values), Metric.AVAILABILITY),
            "comparison": (choice(*Comparison.values), Comparison.AT_LEAST),
            "target": (DECIMAL, "99.5"),
            "unit": (choice(*Unit.values), Unit.PERCENT),
            "period": (choice(*Period.values), Period.MONTH),
        },
    ),
    Form("suppliers:service_level_delete", no_fields),
    Form("relationship:city_goal_add", _city_goal(lambda world: "city-goal")),
    Form(
        "relationship:city_goal_edit",
        _city_goal(lambda world: f"city-goal-{world.objects['city_goal']}"),
    ),
    Form("relationship:city_goal_retire", no_fields),
    Form("relationship:city_goal_reinstate", no_fields),
    Form("relationship:goal_add", _goal(lambda world: "goal")),
    Form(
        "relationship:goal_edit", _goal(lambda world: f"goal-{world.objects['goal']}", status=True)
    ),
    Form(
        "relationship:goal_status",
        lambda world: {"status": (choice(*GoalStatus.values), GoalStatus.DROPPED)},
    ),
    Form(
        "governance:role_holder_add",
        lambda world: {
            "operational-person": (
                choice(f"user-{world.users['procurement'].pk}"),
                f"user-{world.users['procurement'].pk}",
            ),
            "operational-role_title": (TEXT, "Service owner"),
            "operational-phone": (TEXT, "+46 8 1"),
        },
    ),
    Form("governance:role_holder_remove", no_fields),
    Form("governance:mandate_edit", lambda world: {"mandate": (TEXT, "Decides on the delivery")}),
    Form("governance:response_time_edit", lambda world: {"response_days": (INT, "10")}),
    Form("governance:sign_off_request", no_fields),
    Form("governance:sign_off_confirm", no_fields),
    Form("governance:sign_off_link", no_fields, user=None),
    Form("meetings:forum_create", _forum),
    Form("meetings:forum_edit", _forum),
    Form("meetings:meeting_cancel", no_fields),
    Form("meetings:minutes_start", no_fields),
    Form(
        "meetings:agenda_proposal_add",
        lambda world: {"title": (TEXT, "Capacity"), "description": (TEXT, "Both need it")},
        user="contact_a",
    ),
    Form(
        "meetings:agenda_proposal_decide",
        lambda world: {
            f"proposal-{world.objects['proposal']}-decision": (
                choice("accept", "decline"),
                "decline",
            ),
            f"proposal-{world.objects['proposal']}-reason": (TEXT, "Not this time"),
        },
    ),
    Form("meetings:minutes_item_add", lambda world: {"title": (TEXT, "Any other business")}),
    Form(
        "meetings:attendee_add",
        lambda world: {
            "name": (TEXT, "Guest"),
            "email": (EMAIL, "guest@example.org"),
            "organisation": (TEXT, "Alpha"),
            "side": (choice(*Side.values), Side.SUPPLIER),
        },
    ),
    Form("meetings:minutes_approve", no_fields),
    Form("meetings:minutes_correct", lambda world: {"reason": (TEXT, "A typo in item 2")}),
    Form("meetings:comment_add", lambda world: {"body": (TEXT, "Thanks")}, user="contact_a"),
    Form("meetings:minutes_item_edit", _item),
    Form("meetings:action_add", _new_action),
    Form("meetings:action_edit", _action),
    Form(
        "meetings:action_update",
        lambda world: {
            "status": (choice(*ActionStatus.values), ActionStatus.DONE),
            "comment": (TEXT, "Sent on Friday"),
        },
    ),
    Form("meetings:attendance_toggle", lambda world: {"present": (BOOL, "on")}),
    Form("relationship:expectation_add", _expectation),
    Form("relationship:expectation_edit", _expectation),
    Form(
        "relationship:pulse_answer",
        lambda world: {
            "trust": (choice(1, 2, 3, 4, 5), "4"),
            "dialogue": (choice(1, 2, 3, 4, 5), "3"),
            "delivery": (choice(1, 2, 3, 4, 5), "5"),
            "comment": (TEXT, "Better this quarter"),
        },
        user="contact_a",
    ),
    Form("escalations:issue_create", _issue),
    Form("escalations:issue_create", _issue, user="contact_a"),
    Form("escalations:issue_move", lambda world: {"reason": (TEXT, "Back to operations")}),
    Form(
        "escalations:issue_comment",
        lambda world: {"comment": (TEXT, "Spare part arrives Tuesday")},
        user="contact_a",
    ),
    Form("operations:report", _report, user="contact_a"),
    Form("risks:create", _risk(with_supplier=True)),
    Form("risks:edit", _risk(with_supplier=False)),
    Form("risks:comment_add", lambda world: {"body": (TEXT, "We test in March")}, user="contact_a"),
    Form(
        "risks:agenda_add",
        lambda world: {
            "meeting": (
                choice(world.objects["coming_meeting"]),
                str(world.objects["coming_meeting"]),
            )
        },
    ),
    Form("operations:import_upload", _upload(with_supplier=True)),
    Form("operations:import_upload", _upload(with_supplier=False), user="contact_a"),
    Form("operations:import_confirm", no_fields, user="contact_a"),
    Form(
        "operations:measurement_correct",
        lambda world: {"value": (DECIMAL, "99,7"), "reason": (TEXT, "The report was wrong")},
    ),
    # A document attached to a contract, and a new version of one (a CSV: text has no magic).
    Form(
        "documents:attachments",
        lambda world: {
            "title": (TEXT, "Annex 1"),
            "document_type": (choice(*DocumentType.values), DocumentType.ANNEX),
            "file": (FILE, "contract,period,category,questions\n"),
        },
    ),
    Form("documents:document", lambda world: {"file": (FILE, "period;value\n")}),
]


def form_for(url_name, user=None):
    """The url's row (the given user's, if it has one per user), or None."""
    rows = [form for form in FORMS if form.url_name == url_name]
    return next((form for form in rows if user is None or form.user == user), None)


# List pages' filters: url name -> {parameter: (kind, a value it understands)}.
FILTERS = {
    "suppliers:contract_list": lambda world: {
        "q": (TEXT, "mail"),
        "status": (choice("draft", "active"), "active"),
        "supplier": (INT, str(world.objects["supplier"])),
        "page": (INT, "2"),
    },
    "suppliers:contract_create": lambda world: {"supplier": (INT, str(world.objects["supplier"]))},
    "escalations:issue_list": lambda world: {
        "status": (choice("open", "resolved"), "open"),
        "level": (choice(*Level.values), Level.CONTRACT),
        "supplier": (INT, str(world.objects["supplier"])),
        "flagged": (BOOL, "1"),
    },
    "meetings:action_list": lambda world: {
        "overdue": (BOOL, "1"),
        "forum": (INT, str(world.objects["forum"])),
        "status": (choice(*ActionStatus.values), "done"),
        "mine": (BOOL, "1"),
    },
    "operations:figure_list": lambda world: {
        "supplier": (INT, str(world.objects["supplier"])),
        "missed": (BOOL, "1"),
    },
    "relationship:pulse_list": lambda world: {"supplier": (INT, str(world.objects["supplier"]))},
    "meetings:forum_detail": lambda world: {"past": (choice("year"), "year")},
    "operations:report": lambda world: {"period": (TEXT, "2026-W43")},
    "relationship:expectation_list": lambda world: {"page": (INT, "1")},
    "relationship:expectation_add": lambda world: {
        "meeting": (INT, str(world.objects["approved_meeting"])),
        "next": (TEXT, "/contracts/"),
    },
    "relationship:expectation_edit": lambda world: {"next": (TEXT, "/contracts/")},
    "portal:dashboard": lambda world: {"suppliers": (choice("all"), "all"), "refresh": (BOOL, "1")},
    "login": lambda world: {"next": (TEXT, "/contracts/")},
    "access_log": lambda world: {"q": (TEXT, "alpha"), "page": (INT, "2")},
    "people": lambda world: {"q": (TEXT, "alpha"), "page": (INT, "2")},
    # The export of a list takes its page's filters (the world exports the issue list).
    "export": lambda world: {
        "status": (choice("open", "resolved"), "open"),
        "level": (choice(*Level.values), Level.CONTRACT),
        "supplier": (INT, str(world.objects["supplier"])),
        "flagged": (BOOL, "1"),
    },
    "risks:list": lambda world: {
        "status": (choice("active", "open", "monitoring", "closed", "all"), "active"),
        "supplier": (INT, str(world.objects["supplier"])),
        "contract": (INT, str(world.objects["contract"])),
        "owner": (TEXT, f"user:{world.users['procurement'].pk}"),
        "likelihood": (choice(1, 2, 3, 4, 5), "4"),
        "impact": (choice(1, 2, 3, 4, 5), "5"),
    },
    "risks:create": lambda world: {
        "supplier": (INT, str(world.objects["supplier"])),
        "contract": (INT, str(world.objects["contract"])),
    },
}


def form_body(data):
    """An application/x-www-form-urlencoded body of any text, lone surrogates included (sent
    as the bytes a careless client would send), and lists as repeated names."""

    def encode(text):
        return quote_from_bytes(str(text).encode("utf-8", "surrogatepass"))

    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{encode(name)}={encode(item)}")
    return "&".join(pairs)
