"""The target picture on the contract page: procurement staff add, edit and settle goals."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from governance.access import require_manager

from .contract_views import contract_context, visible_contract
from .forms import GoalForm, GoalStatusForm
from .goals import change_goal_status

ANCHOR = "#goals"


def _goals_section(request, contract, **overrides):
    """The section for htmx; without JS, the contract page (with a form's errors, if any)."""
    if not request.htmx and not overrides:
        return redirect(contract.get_absolute_url() + ANCHOR)
    template = "suppliers/_goals.html" if request.htmx else "suppliers/contract_detail.html"
    return render(request, template, contract_context(request, contract, **overrides))


def _managed_goal(request, pk, goal_pk):
    contract = visible_contract(request, pk)
    goal = get_object_or_404(contract.goals, pk=goal_pk)
    require_manager(request.user)
    return contract, goal


@require_POST
@vary_on_headers("HX-Request")
@login_required
def goal_add(request, pk):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    form = GoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        return _goals_section(request, contract, goal_form=form)
    goal = form.save(commit=False)
    goal.contract = contract
    goal.save()
    return _goals_section(request, contract)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@login_required
def goal_edit(request, pk, goal_pk):
    contract, goal = _managed_goal(request, pk, goal_pk)
    form = GoalForm(
        request.POST if request.method == "POST" else None, instance=goal, prefix=f"goal-{goal.pk}"
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        return _goals_section(request, contract)
    return _goals_section(request, contract, editing_goal=goal.pk, goal_edit_form=form)


@require_POST
@vary_on_headers("HX-Request")
@login_required
def goal_status(request, pk, goal_pk):
    contract, goal = _managed_goal(request, pk, goal_pk)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        return _goals_section(request, contract, goal_status_error=goal.pk)
    change_goal_status(goal, form.cleaned_data["status"])
    return _goals_section(request, contract)
