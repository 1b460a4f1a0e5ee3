"""The portal's own pages, which show several apps at once: home, the dashboard, a contract,
a supplier and a meeting (each section is its app's, answering its own changes), and the page
for a server error."""

import functools
import sys
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from documents.models import Document
from documents.selectors import attachments_section
from documents.views import section_html as attachments_html
from governance.access import manager_required, portfolio_required
from governance.fragments import NotShared, compact, shared_page
from governance.htmx import PortalRequest
from governance.models import User
from governance.selectors import governance_model
from governance.views import people_refusal
from meetings.figures import FIGURE_KINDS, live_figures
from meetings.minutes_views import minutes_page_context
from meetings.models import Forum, Meeting, Minutes, MinutesComment, MinutesPdf
from meetings.selectors import (
    accepted_proposals,
    open_actions_before,
    open_issues_for,
    visible_meeting,
    with_versions,
)
from relationship import selectors as relationship
from relationship.models import Expectation
from risks.models import Risk
from risks.selectors import risks_section
from suppliers import selectors as suppliers
from suppliers.models import Contact, Contract, Supplier

from .dashboard import dashboard_html
from .erasure import erase_person
from .history import contract_history as history_of
from .personal_data import labelled, personal_data

DATABASE_AWAY_SECONDS = 10


@login_required
def home(request: PortalRequest) -> HttpResponse:
    if request.user.is_supplier_contact:
        return redirect("portal:supplier_detail", request.user.supplier_id)
    return redirect("portal:dashboard")


@portfolio_required
def dashboard(request: PortalRequest) -> HttpResponse:
    show_all = request.GET.get("suppliers") == "all"
    body, made_at = dashboard_html(show_all=show_all, refresh="refresh" in request.GET)

    def page(markers: dict[str, str]) -> str:
        return render_to_string("portal/dashboard.html", {"body": body, **markers}, request)

    # The figures' time is the version: the body changes when they are worked out again.
    return shared_page(request, ("dashboard", show_all, made_at), (), page)


# A contract -----------------------------------------------------------------------------


@login_required
def contract_detail(request: PortalRequest, pk: int) -> HttpResponse:
    contract = suppliers.visible_contract(request.user, pk)
    user = request.user
    context: dict[str, Any] = {
        **relationship.goals_section(contract, user),
        **governance_model(contract, user),
        **suppliers.status_section(contract, user),
        **suppliers.notice_section(contract, user),
        **suppliers.commitments_section(contract, user),
        **suppliers.service_levels_section(contract, user),
        **relationship.expectations_section(contract, user),
        **attachments_section(contract, user),
        **risks_section(user, contract=contract),
        "contract": contract,
        "can_manage": user.can_manage,
    }
    return render(request, "portal/contract_detail.html", context)


@login_required
def contract_history(request: PortalRequest, pk: int) -> HttpResponse:
    contract = suppliers.visible_contract(request.user, pk)
    documents = Document.objects.visible_to(request.user).attached_to(contract)
    entries = history_of(contract, city_side=request.user.sees_portfolio, documents=documents)
    context = {"contract": contract, "entries": entries}
    return render(request, "portal/contract_history.html", context)


# A supplier -----------------------------------------------------------------------------

# What a supplier's page shows those who cannot change it: the supplier, its contracts and
# its contacts (whether each has an account is on the contact).
SUPPLIER_PAGE_DATA = (Supplier, Contract, Contact, Risk)


@login_required
def supplier_detail(request: PortalRequest, pk: int) -> HttpResponse:
    supplier = suppliers.visible_supplier(request.user, pk)
    user = request.user

    def body() -> str:
        context = {
            **suppliers.contacts_section(supplier, user),
            **risks_section(user, supplier=supplier),
            "contracts": supplier.contracts.order_by("reference"),
        }
        if user.can_manage:
            context |= suppliers.invitations_section(supplier, user)
        return render_to_string("portal/supplier_detail.html#body", context, request)

    if user.can_manage:  # its forms carry the person's own CSRF token: not shared
        context = {"supplier": supplier, "body": body()}
        return render(request, "portal/supplier_detail.html", context)

    def page(markers: dict[str, str]) -> str:
        context = {"supplier": supplier, "body": body(), **markers}
        return render_to_string("portal/supplier_detail.html", context, request)

    return shared_page(request, ("supplier", supplier.pk), SUPPLIER_PAGE_DATA, page)


# A meeting ------------------------------------------------------------------------------

# What a meeting page with approved minutes shows.
MEETING_PAGE_DATA = (Meeting, Forum, Minutes, MinutesPdf, MinutesComment, Expectation, Contract)


@login_required
def meeting_detail(request: PortalRequest, pk: int) -> HttpResponse:
    """Before the minutes: the agenda to come. From then on: the current version of the minutes.

    Once its current minutes are approved the page only changes with the data above: it is
    shared by everyone of an audience, with each person's CSRF token and pulse section put in
    on the way out. Before that (the agenda, a draft) the page is each person's own.

    The city's people see every meeting, so a page shared at this version of the data is this
    meeting's as it is now: they are served it without the meeting being looked up (a meeting
    deleted has moved the version, and its page is then not found). Meetings change outside
    their history only while planned (reconcile, cancellations, calendar bookkeeping), and a
    planned meeting's page is never shared. A supplier's contact is checked first."""
    user = request.user

    @functools.cache
    def the_meeting() -> Meeting:
        return visible_meeting(user, pk)

    if not user.sees_portfolio:
        the_meeting()  # not found unless their supplier takes part

    def page(markers: dict[str, str]) -> str:
        meeting = the_meeting()
        minutes = with_versions(meeting).current_minutes()
        context = {**_meeting_context(request, meeting, minutes), **markers}
        body = render_to_string("portal/meeting_detail.html", context, request)
        return body if minutes and minutes.is_approved else NotShared(body)

    # The path is in the calibrations' edit links.
    parts = ("meeting-page", pk, request.get_full_path())
    personal = {
        "pulse_section": lambda: _pulse_section(request, the_meeting()),
        # Each person's own: the documents they see, the upload form with their token.
        "attachments_section": lambda: _attachments_section(request, the_meeting()),
    }
    return shared_page(request, parts, MEETING_PAGE_DATA, page, personal)


def _pulse_section(request: PortalRequest, meeting: Meeting) -> str:
    context = relationship.pulse_section(meeting, request.user)
    if not context:
        return ""  # weekly meetings have no pulse
    return render_to_string("relationship/pulse.html#section", context, request)


def _attachments_section(request: PortalRequest, meeting: Meeting) -> SafeString:
    # Compacted like the shared page it goes into.
    return mark_safe(compact(attachments_html(request, meeting)))  # noqa: S308 - our template's


def _meeting_context(
    request: PortalRequest, meeting: Meeting, minutes: Minutes | None
) -> dict[str, Any]:
    """Everything the meeting page's body shows but the pulse."""
    user = request.user
    if minutes:
        context = minutes_page_context(request, minutes)
    else:
        agenda = meeting.forum.agenda_items()
        context = {
            "agenda": agenda,
            "attendees": meeting.forum.default_attendees(),
            "figures": (
                live_figures(meeting, user)
                if any(item.kind in FIGURE_KINDS for item in agenda)
                else None
            ),
            "carried_actions": open_actions_before(meeting),
            "proposed_items": accepted_proposals(meeting),
            "open_issues": open_issues_for(meeting, user),
            "can_start": user.can_manage and meeting.can_start_minutes(),
        }
    context.update(
        meeting=meeting,
        forum=meeting.forum,
        minutes=minutes,
        agreed_expectations=relationship.agreed_at(meeting, user),
    )
    # The city's target picture heads a key-supplier meeting until its minutes are approved
    # (an approved page is a record, shared and kept under MEETING_PAGE_DATA's version).
    if not (minutes and minutes.is_approved):
        city_goals = relationship.agenda_heading(meeting)
        context.update(headed_by_target_picture=city_goals is not None, city_goals=city_goals)
    if user.can_manage:
        context["expectation_contracts"] = meeting.contracts.only("pk", "reference")
    return context


PERSONAL_DATA_SECTIONS = {
    "contacts": _("Supplier contact entries"),
    "role_holder_slots": _("Role-holder slots"),
    "meeting_attendance": _("Meeting attendance"),
    "invitations": _("Invitations"),
    "emails_sent": _("E-mails sent"),
    "emails_held": _("E-mails held for the weekly digest"),
    "email_settings": _("E-mail settings"),
    "comments": _("Comments on minutes"),
    "action_updates": _("Updates of actions between meetings"),
    "pulse_answers": _("Pulse answers"),
    "issues_raised": _("Issues raised"),
    "documents_uploaded": _("Documents uploaded"),
    "risk_comments": _("Comments on risks"),
    "risks_owned": _("Risks owned"),
    "access_log": _("Access log"),
}


@manager_required
def personal_data_page(request: PortalRequest, pk: int) -> HttpResponse:
    """Everything the portal holds about one person (their right of access), for the register
    keepers to give them: readable here, as JSON below."""
    person = get_object_or_404(User.objects.select_related("supplier"), pk=pk)
    data = personal_data(person)
    sections = [
        (title, [labelled(row) for row in data[key]])
        for key, title in PERSONAL_DATA_SECTIONS.items()
    ]
    context = {
        "person": person,
        "data": data,
        "account": labelled(data["account"]),
        "sections": sections,
    }
    return render(request, "portal/personal_data.html", context)


@manager_required
def personal_data_json(request: PortalRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    response = JsonResponse(personal_data(person), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.json"'
    return response


@require_POST
@manager_required
def person_erase(request: PortalRequest, pk: int) -> HttpResponse:
    """Erasure on the person's request (portal.erasure); back to the People page."""
    person = get_object_or_404(User.objects.select_related("supplier"), pk=pk)
    try:
        erase_person(person=person, by=request.user)
    except ValidationError as refusal:
        return people_refusal(request, refusal.messages[0])
    person.refresh_from_db()
    messages.success(
        request,
        _("Personal data erased: the account is now shown as %(name)s.")
        % {"name": person.get_full_name()},
    )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("people"))
    return redirect("people")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, for everyone: linked from every page's footer and the invitation."""
    context = {
        "controller": settings.PRIVACY_CONTROLLER,
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "access_log_days": settings.ACCESS_LOG_DAYS,
    }
    return render(request, "portal/privacy.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the DOS Act asks for, in DIGG's model, for everyone: linked
    from every page's footer. Its facts are the city's settings (ACCESSIBILITY_*)."""
    context = {
        "organisation": settings.ACCESSIBILITY_ORGANISATION,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "reviewed_on": settings.ACCESSIBILITY_REVIEWED_ON,
        "known_problems": settings.ACCESSIBILITY_KNOWN_PROBLEMS,
    }
    return render(request, "portal/accessibility.html", context)


# Errors ---------------------------------------------------------------------------------


def _database_away() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:
        import psycopg
    except ImportError:  # SQLite: Django's own errors are all there is
        return errors
    # Closing a server-side cursor (a form's choices, read in chunks) raises psycopg's own
    # error, outside Django's wrapping of the database's errors.
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError)


DATABASE_AWAY = _database_away()


def server_error(request: HttpRequest) -> HttpResponse:
    """A database that is restarting or out of reach is a moment's wait, not a fault: 503 with
    Retry-After and a page that says so. Anything else gets the usual 500 page. Touches
    neither the database nor the session (they may be what failed)."""
    if isinstance(sys.exc_info()[1], DATABASE_AWAY):
        page = loader.get_template("503.html").render()
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(DATABASE_AWAY_SECONDS)
        return response
    return defaults.server_error(request)
