"""The relationship side: the city's target picture (its own page), a contract's target picture
and the expectations log (sections of the contract page), the expectations log's own pages,
and the pulse (a section of the meeting page and a page per supplier)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.access import require_manager
from governance.forms import id_from_query
from governance.htmx import PortalRequest, section
from meetings.models import Meeting
from suppliers.models import Contract, Supplier
from suppliers.selectors import visible_contract

from . import selectors, services
from .forms import CityGoalForm, ExpectationForm, GoalForm, GoalStatusForm, PulseForm
from .models import CityGoal, Expectation, Goal
from .pulse import may_answer, pulse_open, supplier_pulse_history

EXPECTATIONS_PER_PAGE = 50


def _safe_next(request: PortalRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


# The city's target picture ----------------------------------------------------------------


def _target_picture(request: PortalRequest, **overrides: Any) -> HttpResponse:
    context = selectors.target_picture_page(request.user, **overrides)
    done = None if overrides else reverse("relationship:target_picture")
    return section(request, "relationship/target_picture.html", context, done=done)


def _managed_city_goal(request: PortalRequest, pk: int) -> CityGoal:
    # Every party may read every city-wide goal: a refusal first says nothing of which exist.
    require_manager(request.user)
    return get_object_or_404(CityGoal.objects.visible_to(request.user), pk=pk)


@login_required
def target_picture(request: PortalRequest) -> HttpResponse:
    """The city's target picture: everyone signed in reads it, the city's managers write it."""
    context = selectors.target_picture_page(request.user)
    return render(request, "relationship/target_picture.html", context)


@require_POST
@login_required
def city_goal_add(request: PortalRequest) -> HttpResponse:
    require_manager(request.user)
    form = CityGoalForm(request.POST, prefix="city-goal")
    if not form.is_valid():
        return _target_picture(request, city_goal_form=form)
    services.add_city_goal(by=request.user, **form.cleaned_data)
    return _target_picture(request)


@require_http_methods(["GET", "POST"])
@login_required
def city_goal_edit(request: PortalRequest, pk: int) -> HttpResponse:
    goal = _managed_city_goal(request, pk)
    data = request.POST if request.method == "POST" else None
    form = CityGoalForm(data, instance=goal, prefix=f"city-goal-{goal.pk}")
    if request.method == "POST" and form.is_valid():
        services.change_city_goal(goal=goal, by=request.user, **form.cleaned_data)
        return _target_picture(request)
    return _target_picture(request, editing_city_goal=goal.pk, city_goal_edit_form=form)


@require_POST
@login_required
def city_goal_retire(request: PortalRequest, pk: int) -> HttpResponse:
    goal = _managed_city_goal(request, pk)
    if not goal.is_retired:
        services.retire_city_goal(goal=goal, by=request.user)
    return _target_picture(request)


@require_POST
@login_required
def city_goal_reinstate(request: PortalRequest, pk: int) -> HttpResponse:
    goal = _managed_city_goal(request, pk)
    if goal.is_retired:
        services.reinstate_city_goal(goal=goal, by=request.user)
    return _target_picture(request)


# A contract's target picture --------------------------------------------------------------


def _goals(request: PortalRequest, contract: Contract, **overrides: Any) -> HttpResponse:
    context = selectors.goals_section(contract, request.user, **overrides)
    done = None if overrides else f"{contract.get_absolute_url()}#goals"
    return section(request, "relationship/goals.html", context, done=done)


def _managed_goal(request: PortalRequest, pk: int, goal_pk: int) -> tuple[Contract, Goal]:
    contract = visible_contract(request.user, pk)
    goal = get_object_or_404(contract.goals, pk=goal_pk)
    require_manager(request.user)
    return contract, goal


@require_POST
@login_required
def goal_add(request: PortalRequest, pk: int) -> HttpResponse:
    contract = visible_contract(request.user, pk)
    require_manager(request.user)
    form = GoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        return _goals(request, contract, goal_form=form)
    services.add_goal(contract=contract, by=request.user, **form.cleaned_data)
    return _goals(request, contract)


@require_http_methods(["GET", "POST"])
@login_required
def goal_edit(request: PortalRequest, pk: int, goal_pk: int) -> HttpResponse:
    contract, goal = _managed_goal(request, pk, goal_pk)
    data = request.POST if request.method == "POST" else None
    form = GoalForm(data, instance=goal, prefix=f"goal-{goal.pk}")
    if request.method == "POST" and form.is_valid():
        services.change_goal(goal=goal, by=request.user, **form.cleaned_data)
        return _goals(request, contract)
    return _goals(request, contract, editing_goal=goal.pk, goal_edit_form=form)


@require_POST
@login_required
def goal_status(request: PortalRequest, pk: int, goal_pk: int) -> HttpResponse:
    contract, goal = _managed_goal(request, pk, goal_pk)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        return _goals(request, contract, goal_status_error=goal.pk)
    services.change_goal_status(goal=goal, status=form.cleaned_data["status"], by=request.user)
    return _goals(request, contract)


# The expectations log -------------------------------------------------------------------


@login_required
def expectation_list(request: PortalRequest, pk: int) -> HttpResponse:
    contract = visible_contract(request.user, pk)
    expectations = Expectation.objects.filter(contract=contract).select_related(
        "meeting__forum", "recorded_by"
    )
    page = Paginator(expectations, EXPECTATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"contract": contract, "page": page, "can_manage": request.user.can_manage}
    return render(request, "relationship/expectation_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def expectation_add(request: PortalRequest, pk: int) -> HttpResponse:
    """Record a calibration: from the contract page's section (htmx or not) or its own page."""
    contract = visible_contract(request.user, pk)
    require_manager(request.user)
    next_url = _safe_next(request, f"{contract.get_absolute_url()}#expectations")
    if request.method == "GET":
        form = ExpectationForm(contract=contract, initial={"meeting": request.GET.get("meeting")})
        return _expectation_page(request, contract, form, next_url)
    form = ExpectationForm(request.POST, contract=contract)
    if form.is_valid():
        services.record_expectation(contract=contract, by=request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, _("The expectation was recorded."))
            return redirect(next_url)
        context = selectors.expectations_section(contract, request.user)
    elif request.htmx:
        context = selectors.expectations_section(contract, request.user, expectation_form=form)
    else:
        return _expectation_page(request, contract, form, next_url)
    return section(request, "relationship/expectations.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def expectation_edit(request: PortalRequest, pk: int) -> HttpResponse:
    expectation = get_object_or_404(
        Expectation.objects.visible_to(request.user).select_related("contract__supplier"), pk=pk
    )
    require_manager(request.user)
    contract = expectation.contract
    next_url = _safe_next(request, f"{contract.get_absolute_url()}#expectations")
    data = request.POST if request.method == "POST" else None
    form = ExpectationForm(data, instance=expectation, contract=contract)
    if request.method == "POST" and form.is_valid():
        services.change_expectation(expectation=expectation, by=request.user, **form.cleaned_data)
        messages.success(request, _("The expectation was saved."))
        return redirect(next_url)
    return _expectation_page(request, contract, form, next_url, expectation=expectation)


def _expectation_page(
    request: PortalRequest,
    contract: Contract,
    form: ExpectationForm,
    next_url: str,
    expectation: Expectation | None = None,
) -> HttpResponse:
    context = {"contract": contract, "form": form, "next": next_url, "expectation": expectation}
    return render(request, "relationship/expectation_form.html", context)


# The pulse ------------------------------------------------------------------------------


@require_POST
@login_required
def pulse_answer(request: PortalRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("forum"), pk=pk
    )
    if not pulse_open(meeting):
        if not meeting.forum.is_key_supplier_meeting:
            message = _("Only quarterly key-supplier meetings have a pulse.")
        else:
            message = _("The pulse opens when the meeting has started, unless it was cancelled.")
        messages.error(request, message)
        return redirect(meeting.get_absolute_url())
    if not may_answer(request.user, meeting):
        raise PermissionDenied
    form = PulseForm(request.POST)
    if not form.is_valid():
        context = selectors.pulse_section(meeting, request.user, form=form)
        return section(request, "relationship/pulse.html", context)
    services.answer_pulse(meeting=meeting, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, _("Thank you: your pulse was saved."))
    context = selectors.pulse_section(meeting, request.user, pulse_saved=True)
    return section(
        request, "relationship/pulse.html", context, done=f"{meeting.get_absolute_url()}#pulse"
    )


@login_required
def pulse_list(request: PortalRequest) -> HttpResponse:
    """A supplier's pulse over time. The city's people choose any supplier; a supplier
    contact sees their own (another supplier's is a 404)."""
    suppliers = Supplier.objects.visible_to(request.user).order_by("name")
    wanted = request.GET.get("supplier", "")
    supplier = None
    if wanted:
        if (supplier_id := id_from_query(wanted)) is None:
            raise Http404
        supplier = get_object_or_404(suppliers, pk=supplier_id)
    elif not request.user.sees_portfolio:
        supplier = get_object_or_404(suppliers, pk=request.user.supplier_id)
    context = {
        "suppliers": suppliers if request.user.sees_portfolio else [],
        "supplier": supplier,
        "meetings": supplier_pulse_history(supplier, request.user) if supplier else [],
    }
    return render(request, "relationship/pulse_list.html", context)
