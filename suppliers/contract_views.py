from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from governance.access import manager_required, require_manager
from governance.forms import RoleHolderForm
from governance.fragments import audience, shared_fragment
from governance.models import GovernanceLevel, RoleHolder, Side
from meetings.forms import ExpectationForm
from meetings.models import Expectation

from . import selectors, services
from .forms import (
    ContractFilterForm,
    ContractForm,
    GoalForm,
    OutcomeCommitmentForm,
    ServiceLevelForm,
)
from .goals import goals_of
from .models import Contract, ContractStatus, GoalStatus, Supplier
from .selectors import contracts_with_governance, count_missing_roles

CONTRACTS_PER_PAGE = 50
EXPECTATIONS_ON_PAGE = 10


# What the contract list shows: contracts, their suppliers, and who holds each level's roles.
CONTRACT_LIST_DATA = (Contract, Supplier, GovernanceLevel, RoleHolder)


def _contract_list_context(request):
    contracts = Contract.objects.visible_to(request.user).with_supplier()
    suppliers = Supplier.objects.visible_to(request.user).values_list("pk", "name")
    filters = ContractFilterForm(request.GET)
    contracts = filters.filter(contracts)
    page = Paginator(contracts.order_by("reference"), CONTRACTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = count_missing_roles(page.object_list)
    other_params = request.GET.copy()
    other_params.pop("page", None)
    return {
        "page": page,
        "suppliers": suppliers,
        "statuses": ContractStatus.choices,
        "filters": filters.cleaned_data,
        "filter_query": other_params.urlencode(),
    }


@login_required
@vary_on_headers("HX-Request")
def contract_list(request):
    """Everyone with the same view of the contracts shares one rendering of each list page
    until a contract, supplier or role holder changes (governance.fragments)."""
    template = "suppliers/_contract_table.html" if request.htmx else "suppliers/_contract_list.html"
    body = shared_fragment(
        ("contract_list", template, audience(request.user), request.GET.urlencode()),
        CONTRACT_LIST_DATA,
        lambda: render_to_string(template, _contract_list_context(request), request),
    )
    if request.htmx:
        return HttpResponse(body)
    return render(request, "suppliers/contract_list.html", {"body": body})


@manager_required
def contract_create(request):
    initial = {"supplier": request.GET.get("supplier")}
    form = ContractForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contract = services.save_contract(form.save(commit=False))
        messages.success(
            request,
            _(
                "Contract %(reference)s was created as a draft. Name the role holders at each "
                "level before you activate it."
            )
            % {"reference": contract.reference},
        )
        return redirect(contract)
    return render(request, "suppliers/contract_form.html", {"form": form})


def visible_contract(request, pk):
    queryset = contracts_with_governance(Contract.objects.visible_to(request.user))
    return get_object_or_404(queryset, pk=pk)


def contract_context(request, contract, **overrides):
    """Everything the contract page shows; overrides carry bound forms with their errors."""
    can_manage = request.user.can_manage
    levels = list(contract.governance_levels.all())
    levels.sort(key=lambda level: level.rank)
    level_forms = overrides.pop("level_forms", {})
    for level in levels:
        holders = list(level.role_holders.all())
        level.sides = [
            (side, [holder for holder in holders if holder.side == side]) for side in Side
        ]
        if can_manage:
            level.holder_form = level_forms.get(level.level) or RoleHolderForm(
                governance_level=level, prefix=level.level
            )
    context = {
        "contract": contract,
        "levels": levels,
        "missing_roles": contract.missing_roles(),
        "can_manage": can_manage,
        "commitments": contract.commitments.all(),
        "service_levels": contract.service_levels.all(),
        "transitions": contract.allowed_transitions() if can_manage else [],
        "goals": goals_of(contract),
        "goal_statuses": GoalStatus.choices,
    }
    # One row more than shown tells whether the full log has more.
    expectations = list(
        Expectation.objects.filter(contract=contract).select_related("meeting__forum")[
            : EXPECTATIONS_ON_PAGE + 1
        ]
    )
    context["expectations"] = expectations[:EXPECTATIONS_ON_PAGE]
    context["more_expectations"] = len(expectations) > EXPECTATIONS_ON_PAGE
    if can_manage:
        context["commitment_form"] = OutcomeCommitmentForm()
        context["service_level_form"] = ServiceLevelForm()
        context["goal_form"] = GoalForm(prefix="goal")
        if "expectation_form" not in overrides:
            context["expectation_form"] = ExpectationForm(contract=contract)
    context.update(overrides)
    return context


@login_required
def contract_detail(request, pk):
    contract = visible_contract(request, pk)
    return render(request, "suppliers/contract_detail.html", contract_context(request, contract))


@login_required
def contract_edit(request, pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    form = ContractForm(request.POST if request.method == "POST" else None, instance=contract)
    if request.method == "POST" and form.is_valid():
        services.save_contract(form.save(commit=False))
        messages.success(request, _("The contract was saved."))
        return redirect(contract)
    return render(request, "suppliers/contract_form.html", {"form": form, "contract": contract})


@require_POST
@login_required
def contract_status(request, pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    new_status = request.POST.get("status", "")
    if new_status not in ContractStatus.values:
        messages.error(request, _("Choose a status."))
        return redirect(contract)
    try:
        services.change_contract_status(contract, new_status)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The contract is now %(status)s.")
            % {"status": contract.get_status_display().lower()},
        )
    return redirect(contract)


def _contract_section(request, contract, partial, anchor, **overrides):
    if not request.htmx and not overrides:
        return redirect(contract.get_absolute_url() + anchor)
    template = partial if request.htmx else "suppliers/contract_detail.html"
    return render(request, template, contract_context(request, contract, **overrides))


@require_POST
@vary_on_headers("HX-Request")
@login_required
def commitment_add(request, pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    form = OutcomeCommitmentForm(request.POST)
    if form.is_valid():
        commitment = form.save(commit=False)
        commitment.contract = contract
        commitment.save()
        return _contract_section(request, contract, "suppliers/_commitments.html", "#commitments")
    return _contract_section(
        request, contract, "suppliers/_commitments.html", "#commitments", commitment_form=form
    )


@require_POST
@vary_on_headers("HX-Request")
@login_required
def commitment_delete(request, pk, commitment_pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    get_object_or_404(contract.commitments, pk=commitment_pk).delete()
    return _contract_section(request, contract, "suppliers/_commitments.html", "#commitments")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def service_level_add(request, pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    form = ServiceLevelForm(request.POST)
    if form.is_valid():
        service_level = form.save(commit=False)
        service_level.contract = contract
        service_level.save()
        return _contract_section(
            request, contract, "suppliers/_service_levels.html", "#service-levels"
        )
    return _contract_section(
        request,
        contract,
        "suppliers/_service_levels.html",
        "#service-levels",
        service_level_form=form,
    )


@require_POST
@vary_on_headers("HX-Request")
@login_required
def service_level_delete(request, pk, service_level_pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    get_object_or_404(contract.service_levels, pk=service_level_pk).delete()
    return _contract_section(request, contract, "suppliers/_service_levels.html", "#service-levels")


@login_required
def contract_history(request, pk):
    contract = visible_contract(request, pk)
    return render(
        request,
        "suppliers/contract_history.html",
        {"contract": contract, "entries": selectors.contract_history(contract)},
    )
