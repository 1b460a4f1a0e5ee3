"""Every URL of the portal, requested by every role, answers what that role may see.

Objects in the URLs belong to supplier A. A new URL without a row here fails the
completeness test, so no page ships without a decision on who may open it.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.services import create_token
from documents.services import attach_document
from governance.models import ExportJob, ExportStatus, Level, Role
from meetings.models import MinutesPdf
from meetings.services import (
    add_action,
    approve_minutes,
    propose_agenda_item,
    reconcile_meetings,
    start_minutes,
)
from operations.services import create_import, record_measurement
from relationship.models import CityGoal, Expectation, Goal
from suppliers.models import Contact, OutcomeCommitment, ServiceLevel
from suppliers.services import invite_contact
from tests.factories import (
    make_forum,
    make_issue,
    make_quarterly_meeting,
    make_risk,
    make_user,
    mark_present,
    sign_off_link_token,
)

ROLES = ["anonymous", "contact_a", "contact_b", "procurement", "director", "admin"]

LOGIN = 302  # anonymous: redirected to the sign-in page


def statuses(anonymous, contact_a, contact_b, procurement, director, admin):
    return dict(
        zip(ROLES, [anonymous, contact_a, contact_b, procurement, director, admin], strict=True)
    )


EVERYONE_SIGNED_IN = statuses(LOGIN, 200, 200, 200, 200, 200)
READ_A = statuses(LOGIN, 200, 404, 200, 200, 200)
MANAGE = statuses(LOGIN, 403, 403, 200, 403, 200)


def manage_a(success):
    """Changing supplier A's records: only the city's managers; B must not learn A exists."""
    return statuses(LOGIN, 403, 404, success, 403, success)


# url name -> (method, kwargs from the objects dict, expected status per role)
MATRIX = {
    "portal:home": ("get", {}, statuses(LOGIN, 302, 302, 302, 302, 302)),
    "portal:dashboard": ("get", {}, statuses(LOGIN, 403, 403, 200, 200, 200)),
    "login": ("get", {}, statuses(200, 302, 302, 302, 302, 302)),
    "logout": ("post", {}, statuses(302, 302, 302, 302, 302, 302)),
    # The header's language switch, signed in or not; without a language, a bad request.
    "switch_language": ("post", {}, statuses(*[400] * 6)),
    "access_log": ("get", {}, MANAGE),
    "people": ("get", {}, MANAGE),
    "portal:personal_data": ("get", {"pk": "person"}, MANAGE),
    "portal:personal_data_json": ("get", {"pk": "person"}, MANAGE),
    # Erasure: the register keepers are sent back to the People page (the person is a contact).
    "portal:person_erase": ("post", {"pk": "person"}, statuses(LOGIN, 403, 403, 302, 403, 302)),
    # A plain POST: the register keepers are sent back to the People page.
    "people_deactivate": ("post", {"pk": "person"}, statuses(LOGIN, 403, 403, 302, 403, 302)),
    "people_reactivate": ("post", {"pk": "person"}, statuses(LOGIN, 403, 403, 302, 403, 302)),
    "people_reset_second_factor": (
        "post",
        {"pk": "person"},
        statuses(LOGIN, 403, 403, 302, 403, 302),
    ),
    # Without htmx a refusal (here: no role chosen, an active account) is a message on People.
    "people_change_role": ("post", {"pk": "person"}, statuses(LOGIN, 403, 403, 302, 403, 302)),
    "suppliers:person_reinvite": (
        "post",
        {"pk": "person"},
        statuses(LOGIN, 403, 403, 302, 403, 302),
    ),
    # Between password and code: a session that passed is sent on, a contact without an app
    # to set one up (if they like: the page is open to every signed-in person).
    "mfa_verify": ("get", {}, statuses(LOGIN, *[302] * 5)),
    "mfa_setup": ("get", {}, statuses(LOGIN, *[200] * 5)),
    # New recovery codes: shown to whoever has an app; a contact without one is sent back.
    "mfa_recovery_codes": ("post", {}, statuses(LOGIN, 302, 302, 200, 200, 200)),
    "account": ("get", {}, statuses(LOGIN, *[200] * 5)),
    # Each person's own e-mail settings.
    "notification_settings": ("get", {}, statuses(LOGIN, *[200] * 5)),
    # The city's single sign-on is off in the tests (tests/browser/test_city_sign_in.py).
    "oidc_authentication_init": ("get", {}, statuses(*[404] * 6)),
    "oidc_authentication_callback": ("get", {}, statuses(*[404] * 6)),
    "oidc_logout": ("post", {}, statuses(*[302] * 6)),
    "portal:privacy": ("get", {}, statuses(*[200] * 6)),
    "portal:accessibility": ("get", {}, statuses(*[200] * 6)),
    "password_reset": ("get", {}, statuses(*[200] * 6)),
    "password_reset_done": ("get", {}, statuses(*[200] * 6)),
    # A link that is no good: the page says so, to anyone.
    "password_reset_confirm": (
        "get",
        {"uidb64": "reset_uid", "token": "reset_token"},
        statuses(*[200] * 6),
    ),
    "password_reset_complete": ("get", {}, statuses(*[200] * 6)),
    "password_change": ("get", {}, statuses(LOGIN, *[200] * 5)),
    "password_change_done": ("get", {}, statuses(LOGIN, *[200] * 5)),
    "healthz": ("get", {}, statuses(200, 200, 200, 200, 200, 200)),
    # The same answer for everyone, signed in or not: not ready, as no beat runs in the tests.
    "readyz": ("get", {}, statuses(503, 503, 503, 503, 503, 503)),
    "admin:index": ("get", {}, statuses(302, 302, 302, 302, 302, 200)),
    "suppliers:list": ("get", {}, statuses(LOGIN, 302, 302, 200, 200, 200)),
    "suppliers:create": ("get", {}, MANAGE),
    "portal:supplier_detail": ("get", {"pk": "supplier"}, READ_A),
    "suppliers:edit": ("get", {"pk": "supplier"}, manage_a(200)),
    "suppliers:contact_add": ("post", {"pk": "supplier"}, manage_a(200)),
    "suppliers:contact_delete": (
        "post",
        {"pk": "supplier", "contact_pk": "contact"},
        manage_a(302),
    ),
    "suppliers:invitation_create": ("post", {"pk": "supplier"}, manage_a(200)),
    "suppliers:invitation_resend": (
        "post",
        {"pk": "supplier", "invitation_pk": "invitation"},
        manage_a(302),
    ),
    "suppliers:invitation_revoke": (
        "post",
        {"pk": "supplier", "invitation_pk": "invitation"},
        manage_a(302),
    ),
    # The token is the credential: anyone holding the link may open it.
    # Anyone with the link; someone signed in is asked to sign out first (409).
    "suppliers:accept_invitation": ("get", {"token": "token"}, statuses(200, *[409] * 5)),
    "suppliers:contract_list": ("get", {}, EVERYONE_SIGNED_IN),
    "suppliers:contract_create": ("get", {}, MANAGE),
    "portal:contract_detail": ("get", {"pk": "contract"}, READ_A),
    "suppliers:contract_edit": ("get", {"pk": "contract"}, manage_a(200)),
    "portal:contract_history": ("get", {"pk": "contract"}, READ_A),
    "suppliers:contract_status": ("post", {"pk": "contract"}, manage_a(302)),
    # An empty POST: refused, the section shown as a page with the reasons.
    "suppliers:notice_decide": ("post", {"pk": "contract"}, manage_a(200)),
    "suppliers:notice_snooze": ("post", {"pk": "contract"}, manage_a(200)),
    "suppliers:commitment_add": ("post", {"pk": "contract"}, manage_a(200)),
    "suppliers:commitment_delete": (
        "post",
        {"pk": "contract", "commitment_pk": "commitment"},
        manage_a(302),
    ),
    "suppliers:service_level_add": ("post", {"pk": "contract"}, manage_a(200)),
    "suppliers:service_level_delete": (
        "post",
        {"pk": "contract", "service_level_pk": "service_level"},
        manage_a(302),
    ),
    "governance:role_holder_add": ("post", {"pk": "contract", "level": "level"}, manage_a(200)),
    "governance:role_holder_remove": (
        "post",
        {"pk": "contract", "level": "level", "holder_pk": "holder"},
        manage_a(302),
    ),
    "governance:mandate_edit": ("get", {"pk": "contract", "level": "level"}, manage_a(200)),
    # Its POST for every role: tests/escalations/test_timers.py.
    "governance:response_time_edit": (
        "get",
        {"pk": "contract", "level": "level"},
        manage_a(200),
    ),
    # Procurement asks both sides' business level to sign off the governance model.
    "governance:sign_off_request": ("post", {"pk": "contract"}, manage_a(302)),
    # Only a business-level role holder of the contract signs off (none of these is one:
    # tests/governance/test_sign_off.py signs in as them).
    "governance:sign_off_confirm": (
        "post",
        {"pk": "contract"},
        statuses(LOGIN, 403, 404, 403, 403, 403),
    ),
    # The e-mailed link is the credential: its page opens for anyone holding it.
    "governance:sign_off_link": ("get", {"token": "sign_off_token"}, statuses(*[200] * 6)),
    "meetings:forum_list": ("get", {}, EVERYONE_SIGNED_IN),
    "meetings:forum_create": ("get", {}, MANAGE),
    "meetings:forum_detail": ("get", {"pk": "forum"}, READ_A),
    "meetings:forum_edit": ("get", {"pk": "forum"}, manage_a(200)),
    "portal:meeting_detail": ("get", {"pk": "meeting"}, READ_A),
    "meetings:meeting_calendar": ("get", {"pk": "meeting"}, READ_A),
    "escalations:issue_list": ("get", {}, EVERYONE_SIGNED_IN),
    # Supplier contacts raise issues on their own contracts; the director only reads.
    "escalations:issue_create": ("get", {}, statuses(LOGIN, 200, 200, 200, 403, 200)),
    "escalations:issue_detail": ("get", {"pk": "issue"}, READ_A),
    # An empty reason is refused (400) for those who may move the issue.
    "escalations:issue_move": ("post", {"pk": "issue", "move": "move"}, manage_a(400)),
    # An issue's parties comment (an empty comment: the form's errors), the director reads.
    "escalations:issue_comment": (
        "post",
        {"pk": "issue"},
        statuses(LOGIN, 400, 404, 400, 403, 400),
    ),
    "meetings:meeting_cancel": ("post", {"pk": "coming_meeting"}, manage_a(302)),
    "meetings:minutes_start": ("post", {"pk": "meeting"}, manage_a(302)),
    # Proposed agenda items: everyone who sees the meeting reads (a supplier its own); the city's
    # managers and the meeting's suppliers propose (an empty proposal: the form's errors), the
    # director reads; only the managers decide (an empty decision: the form's errors).
    "meetings:agenda_proposals": ("get", {"pk": "coming_meeting"}, READ_A),
    "meetings:agenda_proposal_add": (
        "post",
        {"pk": "coming_meeting"},
        statuses(LOGIN, 200, 404, 200, 403, 200),
    ),
    "meetings:agenda_proposal_decide": ("post", {"pk": "proposal"}, manage_a(200)),
    "meetings:minutes_detail": ("get", {"pk": "minutes"}, READ_A),
    "meetings:minutes_item_add": ("post", {"pk": "minutes"}, manage_a(302)),
    "meetings:attendee_add": ("post", {"pk": "minutes"}, manage_a(200)),
    "meetings:minutes_approve": ("post", {"pk": "minutes"}, manage_a(302)),
    "meetings:minutes_correct": ("post", {"pk": "approved_minutes"}, manage_a(400)),
    # Everyone who may read the minutes may comment on them (an empty comment is refused).
    "meetings:comment_add": ("post", {"pk": "minutes"}, READ_A),
    "meetings:minutes_pdf": ("get", {"pk": "approved_minutes"}, READ_A),
    "meetings:minutes_item_edit": ("post", {"pk": "item"}, manage_a(200)),
    "meetings:action_add": ("post", {"pk": "item"}, manage_a(200)),
    "meetings:action_edit": ("post", {"pk": "action"}, manage_a(200)),
    # Without JavaScript the tick is saved and the browser sent back to the attendance.
    "meetings:attendance_toggle": ("post", {"pk": "attendance"}, manage_a(302)),
    "meetings:action_list": ("get", {}, EVERYONE_SIGNED_IN),
    "meetings:action_detail": ("get", {"pk": "open_action"}, READ_A),
    # Between meetings: procurement staff update any action (an empty form: 400), a supplier's
    # contact only their supplier's (this one's owner is "Alpha", not supplier A's name), the
    # director none.
    "meetings:action_update": (
        "post",
        {"pk": "open_action"},
        statuses(LOGIN, 403, 404, 400, 403, 400),
    ),
    # Reported figures: a supplier's contacts report their own; the city's managers any; the
    # director reads. Corrections are the city's.
    # The relationship: goals and the expectations log are the city's to write and every
    # party's to read; both sides answer the pulse after a quarterly meeting.
    # The city's target picture: every supplier's contacts read it all (it is the city's, not a
    # supplier's); the city's managers write it, the director reads.
    "relationship:target_picture": ("get", {}, EVERYONE_SIGNED_IN),
    "relationship:city_goal_add": ("post", {}, MANAGE),
    "relationship:city_goal_edit": ("get", {"pk": "city_goal"}, MANAGE),
    "relationship:city_goal_retire": (
        "post",
        {"pk": "city_goal"},
        statuses(LOGIN, 403, 403, 302, 403, 302),
    ),
    "relationship:city_goal_reinstate": (
        "post",
        {"pk": "city_goal"},
        statuses(LOGIN, 403, 403, 302, 403, 302),
    ),
    "relationship:goal_add": ("post", {"pk": "contract"}, manage_a(200)),
    "relationship:goal_edit": ("get", {"pk": "contract", "goal_pk": "goal"}, manage_a(200)),
    "relationship:goal_status": ("post", {"pk": "contract", "goal_pk": "goal"}, manage_a(200)),
    "relationship:expectation_list": ("get", {"pk": "contract"}, READ_A),
    "relationship:expectation_add": ("get", {"pk": "contract"}, manage_a(200)),
    "relationship:expectation_edit": ("get", {"pk": "expectation"}, manage_a(200)),
    "relationship:pulse_answer": ("post", {"pk": "quarterly_meeting"}, READ_A),
    "relationship:pulse_list": ("get", {}, EVERYONE_SIGNED_IN),
    "operations:figure_list": ("get", {}, EVERYONE_SIGNED_IN),
    "operations:contract_figures": ("get", {"pk": "contract"}, READ_A),
    "operations:report": ("get", {"pk": "contract"}, statuses(LOGIN, 200, 404, 200, 403, 200)),
    "operations:import_upload": ("get", {}, statuses(LOGIN, 200, 200, 200, 403, 200)),
    "operations:import_detail": ("get", {"pk": "figure_import"}, READ_A),
    "operations:import_confirm": (
        "post",
        {"pk": "figure_import"},
        statuses(LOGIN, 302, 404, 302, 403, 302),
    ),
    "operations:measurement_correct": ("get", {"pk": "measurement"}, manage_a(200)),
    # Documents follow what they are attached to (here a contract of A's and the city's annex);
    # uploads and new versions: tests/documents/test_attachments.py.
    "documents:attachments": ("get", {"kind": "attachment_kind", "object_id": "contract"}, READ_A),
    "documents:document": ("get", {"pk": "document"}, READ_A),
    "documents:download": ("get", {"pk": "document", "number": "version_number"}, READ_A),
    # Every list exports as its page shows it to the person (tests/governance/test_exports.py);
    # a large export's page and file are for the person who asked alone (here contact A).
    "export": ("get", {"name": "export_list", "file_format": "export_format"}, EVERYONE_SIGNED_IN),
    "export_job": ("get", {"pk": "export_job"}, statuses(LOGIN, 200, 404, 404, 404, 404)),
    "export_download": ("get", {"pk": "export_job"}, statuses(LOGIN, 200, 404, 404, 404, 404)),
    # The risk register: everyone signed in reads the list (a supplier its own shared risks);
    # a risk shared with supplier A is read by A's contacts and the city; the city's managers
    # record and change risks and put them on agendas (an empty proposal: the form's errors);
    # A's contacts and the city's managers comment (an empty comment: the form's errors), the
    # director reads.
    "risks:list": ("get", {}, EVERYONE_SIGNED_IN),
    "risks:create": ("get", {}, MANAGE),
    "risks:detail": ("get", {"pk": "risk"}, READ_A),
    "risks:edit": ("get", {"pk": "risk"}, manage_a(200)),
    "risks:comment_add": ("post", {"pk": "risk"}, statuses(LOGIN, 200, 404, 200, 403, 200)),
    "risks:agenda_add": ("post", {"pk": "risk"}, manage_a(200)),
    # The API (its routes: API_MATRIX below). Each person's own tokens; the schema for anyone,
    # the docs for the signed-in.
    "api:tokens": ("get", {}, statuses(LOGIN, *[200] * 5)),
    "api:token_revoke": ("post", {"pk": "api_token"}, statuses(LOGIN, 404, 404, 302, 404, 404)),
    "api:openapi_json": ("get", {}, statuses(*[200] * 6)),
    "api:openapi_json_v1": ("get", {}, statuses(*[200] * 6)),
    "api:docs": ("get", {}, statuses(LOGIN, *[200] * 5)),
}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # Django's own admin; its entry point is in the matrix.
            if pattern.namespace == API_NAMESPACE:
                continue  # the API's routes, by method and path: API_MATRIX
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_row_in_the_matrix():
    assert set(url_names()) | {"admin:index"} == set(MATRIX)


@pytest.fixture
def objects(contract_a, supplier_a, procurement, contact_a):
    draft_level = contract_a.governance_levels.get(level=Level.OPERATIONAL)
    invitation, token = invite_contact(
        supplier=supplier_a, name="Ina Vite", email="ina@alpha.example", by=procurement
    )
    forum = make_forum([contract_a], chair=procurement)
    reconcile_meetings()
    meeting, held_meeting = forum.meetings.all()[:2]
    minutes = start_minutes(meeting=meeting, by=procurement)
    item = minutes.items.first()
    held_minutes = start_minutes(meeting=held_meeting, by=procurement)
    # An action the forum's latest (approved) minutes hold: its owner updates it in between.
    open_action = add_action(
        minutes=held_minutes,
        item=held_minutes.items.first(),
        description="Renew the certificate",
        owner_name="Ola",
        owner_organisation="Alpha",
        due_on=None,
        by=None,
    )
    approved_minutes = approve_minutes(minutes=mark_present(held_minutes), by=procurement)
    MinutesPdf.objects.create(minutes=approved_minutes, content=b"%PDF-1.7 stub", sha256="0" * 64)
    service_level = ServiceLevel.objects.create(
        contract=contract_a, name="Mail", metric="availability", target=99, unit="percent"
    )
    return {
        "forum": forum.pk,
        "goal": Goal.objects.create(contract=contract_a, title="One service desk").pk,
        "city_goal": CityGoal.objects.create(title="Digital first").pk,
        "expectation": Expectation.objects.create(
            contract=contract_a,
            agreed_on=date(2026, 10, 13),
            requirement="Response time",
            calibration="Counted in office hours",
            recorded_by=procurement,
        ).pk,
        "quarterly_meeting": make_quarterly_meeting([contract_a], procurement).pk,
        "figure_import": create_import(
            supplier=supplier_a,
            filename="figures.csv",
            text=f"contract,service_level,period,value\n{contract_a.reference},Mail,2026-10,99.9\n",
            by=procurement,
        )[0].pk,
        "measurement": record_measurement(
            service_level=service_level,
            period_start=date(2026, 10, 1),
            value=Decimal("99.9"),
            by=procurement,
        ).measurement.pk,
        "meeting": meeting.pk,
        "minutes": minutes.pk,
        "coming_meeting": forum.meetings.all()[2].pk,
        "proposal": propose_agenda_item(
            meeting=forum.meetings.all()[2],
            title="Capacity",
            description="",
            by=make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a),
        ).pk,
        "item": item.pk,
        "action": add_action(
            minutes=minutes,
            item=item,
            description="Send the report",
            owner_name="Ola",
            owner_organisation="Alpha",
            due_on=None,
            by=None,
        ).pk,
        "open_action": open_action.pk,
        "attendance": minutes.attendance.first().pk,
        "approved_minutes": approved_minutes.pk,
        "issue": make_issue([contract_a], procurement).pk,
        "risk": make_risk(contract_a, procurement, shared_with_supplier=True).pk,
        "move": "escalate",
        "supplier": supplier_a.pk,
        "contract": contract_a.pk,
        "contact": Contact.objects.create(supplier=supplier_a, name="C", email="c@a.example").pk,
        "invitation": invitation.pk,
        "token": token,
        "sign_off_token": sign_off_link_token(contract_a, by=procurement),
        "commitment": OutcomeCommitment.objects.create(contract=contract_a, title="Uptime").pk,
        "service_level": service_level.pk,
        "level": Level.OPERATIONAL.value,
        "holder": draft_level.role_holders.first().pk,
        "now": timezone.now(),
        "person": make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a).pk,
        "reset_uid": "MA",
        "reset_token": "no-such-token",
        "attachment_kind": "contract",
        "document": attach_document(
            record=contract_a,
            title="Annex 1",
            document_type="annex",
            content=b"%PDF-1.7\n%%EOF\n",
            file_name="Bilaga 1.pdf",
            by=procurement,
        ).pk,
        "version_number": 1,
        "export_list": "issues",
        "export_format": "csv",
        "export_job": ExportJob.objects.create(
            requested_by=contact_a,
            list_name="issues",
            file_format="csv",
            status=ExportStatus.DONE,
            filename="issues.csv",
            content=b"\xef\xbb\xbfIssue\r\n",
            expires_at=timezone.now() + timedelta(hours=1),
        ).pk,
        "api_token": create_token(user=procurement, name="Tool", days=30)[0].pk,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_role_gets_expected_status(url_name, role, objects, request, client):
    method, kwarg_names, expected = MATRIX[url_name]
    user = (
        None
        if role == "anonymous"
        else request.getfixturevalue("admin_user" if role == "admin" else role)
    )
    if user is not None:
        client.force_login(user)
    url = reverse(url_name, kwargs={key: objects[name] for key, name in kwarg_names.items()})
    response = getattr(client, method)(url)
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if role == "anonymous" and expected[role] == LOGIN and url_name != "logout":
        assert "/login/" in response["Location"] or "/admin/login/" in response["Location"]


# The API, by method and path as its router publishes them (tests/api/routes.py), each asked
# with a read-write personal token of the role; no token at all for "anonymous". Objects of
# supplier A; B's contact finds none of them (404), and naming one in a body reads as unknown.
API_NAMESPACE = "api-v1"
PROBLEM = "application/problem+json"
API_READ = statuses(401, 200, 200, 200, 200, 200)
API_READ_A = statuses(401, 200, 404, 200, 200, 200)


def api_write(success):
    """Reporting figures and raising issues: a supplier's contacts for their own, the city's
    managers for any; the director reads."""
    return statuses(401, success, 422, success, 403, success)


def last_month():
    today = timezone.localdate()
    return f"{(today.replace(day=1) - timezone.timedelta(days=1)):%Y-%m}"


# "METHOD path" -> (path parameter -> objects key, body from the objects or None, statuses)
API_MATRIX = {
    "GET /api/v1/suppliers": ({}, None, API_READ),
    "GET /api/v1/suppliers/{supplier_id}": ({"supplier_id": "supplier"}, None, API_READ_A),
    "GET /api/v1/contracts": ({}, None, API_READ),
    "GET /api/v1/contracts/{contract_id}": ({"contract_id": "contract"}, None, API_READ_A),
    "GET /api/v1/governance-levels": ({}, None, API_READ),
    "GET /api/v1/governance-levels/{governance_level_id}": (
        {"governance_level_id": "governance_level"},
        None,
        API_READ_A,
    ),
    "GET /api/v1/forums": ({}, None, API_READ),
    "GET /api/v1/forums/{forum_id}": ({"forum_id": "forum"}, None, API_READ_A),
    "GET /api/v1/service-levels": ({}, None, API_READ),
    "GET /api/v1/service-levels/{service_level_id}": (
        {"service_level_id": "service_level"},
        None,
        API_READ_A,
    ),
    "GET /api/v1/measurements": ({}, None, API_READ),
    "GET /api/v1/measurements/{measurement_id}": (
        {"measurement_id": "measurement"},
        None,
        API_READ_A,
    ),
    "POST /api/v1/measurements": (
        {},
        lambda objects: {
            "measurements": [
                {
                    "service_level_id": objects["service_level"],
                    "period": last_month(),
                    "value": "99.9",
                }
            ]
        },
        api_write(200),
    ),
    "GET /api/v1/ticket-counts": ({}, None, API_READ),
    "GET /api/v1/ticket-counts/{ticket_count_id}": (
        {"ticket_count_id": "ticket_count"},
        None,
        API_READ_A,
    ),
    "POST /api/v1/ticket-counts": (
        {},
        lambda objects: {
            "contract_id": objects["contract"],
            "period": last_month(),
            "counts": [{"priority": "P2", "opened": 4, "closed": 4}],
        },
        api_write(200),
    ),
    "GET /api/v1/question-counts": ({}, None, API_READ),
    "GET /api/v1/question-counts/{question_count_id}": (
        {"question_count_id": "question_count"},
        None,
        API_READ_A,
    ),
    "POST /api/v1/question-counts": (
        {},
        lambda objects: {
            "contract_id": objects["contract"],
            "period": last_month(),
            "counts": [{"category": "Printers", "questions": 9}],
        },
        api_write(200),
    ),
    "GET /api/v1/issues": ({}, None, API_READ),
    "GET /api/v1/issues/{issue_id}": ({"issue_id": "issue"}, None, API_READ_A),
    "POST /api/v1/issues/{issue_id}/comments": (
        {"issue_id": "issue"},
        lambda objects: {"text": "Spare part arrives Tuesday"},
        statuses(401, 201, 404, 201, 403, 201),
    ),
    "POST /api/v1/issues": (
        {},
        lambda objects: {
            "title": "Printers offline",
            "contract_ids": [objects["contract"]],
            "owner_name": "Ola",
            "owner_organisation": "Alpha",
        },
        api_write(201),
    ),
    "GET /api/v1/meetings": ({}, None, API_READ),
    "GET /api/v1/meetings/{meeting_id}": ({"meeting_id": "meeting"}, None, API_READ_A),
    "GET /api/v1/minutes": ({}, None, API_READ),
    "GET /api/v1/minutes/{minutes_id}": ({"minutes_id": "approved_minutes"}, None, API_READ_A),
    "GET /api/v1/actions": ({}, None, API_READ),
    "GET /api/v1/actions/{action_id}": ({"action_id": "open_action"}, None, API_READ_A),
    # A risk the city shared with supplier A.
    "GET /api/v1/risks": ({}, None, API_READ),
    "GET /api/v1/risks/{risk_id}": ({"risk_id": "risk"}, None, API_READ_A),
    # An annex of A's contract.
    "GET /api/v1/documents": ({}, None, API_READ),
    "GET /api/v1/documents/{document_id}": ({"document_id": "document"}, None, API_READ_A),
}


def test_every_api_route_has_a_row_in_the_api_matrix():
    from tests.api.routes import api_operations

    assert {f"{method} {path}" for method, path in api_operations()} == set(API_MATRIX)


@pytest.fixture
def api_objects(objects, contract_a, procurement):
    from operations.services import record_question_counts, record_ticket_counts

    month = date(2026, 10, 1)
    record_ticket_counts(
        contract=contract_a, period_start=month, counts={"P1": (1, 1)}, by=procurement
    )
    record_question_counts(
        contract=contract_a, period_start=month, counts={"VPN": 3}, by=procurement
    )
    return {
        **objects,
        "ticket_count": contract_a.ticket_counts.get().pk,
        "question_count": contract_a.question_counts.get().pk,
        "governance_level": contract_a.governance_levels.first().pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status_from_every_api_route(role, api_objects, request, client):
    """One test per role over every route (the objects are built once a role, not a route)."""
    headers = {}
    if role != "anonymous":
        user = request.getfixturevalue("admin_user" if role == "admin" else role)
        token = create_token(user=user, name="Tool", scope="read_write", days=1)[1]
        headers["Authorization"] = f"Bearer {token}"
    wrong = []
    for route, (kwarg_names, body, expected) in sorted(API_MATRIX.items()):
        method, path = route.split(" ")
        url = path.format(**{key: api_objects[name] for key, name in kwarg_names.items()})
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(
                url, body(api_objects), content_type="application/json", headers=headers
            )
        if response.status_code != expected[role]:
            wrong.append(f"{route}: {response.status_code} {response.content[:200]!r}")
        elif response.status_code >= 400 and response["Content-Type"] != PROBLEM:
            wrong.append(f"{route}: {response['Content-Type']}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)
