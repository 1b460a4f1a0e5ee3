"""The relationship side of governance: the expectations log and the quarterly pulse."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from governance.access import require_manager
from suppliers.contract_views import contract_context, visible_contract
from suppliers.models import Supplier

from .forms import ExpectationForm, PulseForm
from .models import Cadence, Expectation, Meeting, PulseResponse
from .pulse import answer_pulse, may_answer, meeting_results, pulse_open, supplier_pulse_history

EXPECTATIONS_PER_PAGE = 50


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


@login_required
def expectation_list(request, pk):
    contract = visible_contract(request, pk)
    expectations = Expectation.objects.filter(contract=contract).select_related(
        "meeting__forum", "recorded_by"
    )
    page = Paginator(expectations, EXPECTATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"contract": contract, "page": page, "can_manage": request.user.can_manage}
    return render(request, "meetings/expectation_list.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@login_required
def expectation_add(request, pk):
    """Record a calibration: from the contract page's section (htmx or not) or its own page."""
    contract = visible_contract(request, pk)
    require_manager(request.user)
    fallback = contract.get_absolute_url() + "#expectations"
    if request.method == "GET":
        form = ExpectationForm(contract=contract, initial={"meeting": request.GET.get("meeting")})
        return _expectation_page(request, contract, form, _safe_next(request, fallback))
    form = ExpectationForm(request.POST, contract=contract)
    if form.is_valid():
        expectation = form.save(commit=False)
        expectation.recorded_by = request.user
        expectation.save()
        if not request.htmx:
            messages.success(request, _("The expectation was recorded."))
            return redirect(_safe_next(request, fallback))
        return render(request, "meetings/_expectations.html", contract_context(request, contract))
    if request.htmx:
        return render(
            request,
            "meetings/_expectations.html",
            contract_context(request, contract, expectation_form=form),
        )
    return _expectation_page(request, contract, form, _safe_next(request, fallback))


@require_http_methods(["GET", "POST"])
@login_required
def expectation_edit(request, pk):
    expectation = get_object_or_404(
        Expectation.objects.visible_to(request.user).select_related("contract__supplier"), pk=pk
    )
    require_manager(request.user)
    contract = expectation.contract
    next_url = _safe_next(request, contract.get_absolute_url() + "#expectations")
    form = ExpectationForm(
        request.POST if request.method == "POST" else None, instance=expectation, contract=contract
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The expectation was saved."))
        return redirect(next_url)
    return _expectation_page(request, contract, form, next_url, expectation=expectation)


def _expectation_page(request, contract, form, next_url, expectation=None):
    context = {"contract": contract, "form": form, "next": next_url, "expectation": expectation}
    return render(request, "meetings/expectation_form.html", context)


def pulse_context(request, meeting, form=None):
    """What the meeting page's pulse section needs; empty for a weekly meeting."""
    if meeting.forum.cadence != Cadence.QUARTERLY:
        return {}
    user = request.user
    is_open = pulse_open(meeting)
    can_answer = is_open and may_answer(user, meeting)
    mine = PulseResponse.objects.filter(meeting=meeting, respondent=user).first()
    if can_answer and form is None:
        form = PulseForm(instance=mine)
    return {
        "pulse": {
            "open": is_open,
            "can_answer": can_answer,
            "form": form if can_answer else None,
            "mine": mine,
            **(meeting_results(meeting, user) if is_open else {"sides": [], "comments": []}),
        }
    }


@require_POST
@vary_on_headers("HX-Request")
@login_required
def pulse_answer(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("forum"), pk=pk
    )
    if not pulse_open(meeting):
        if meeting.forum.cadence != Cadence.QUARTERLY:
            message = _("Only quarterly key-supplier meetings have a pulse.")
        else:
            message = _("The pulse opens when the meeting has started, unless it was cancelled.")
        messages.error(request, message)
        return redirect(meeting.get_absolute_url())
    if not may_answer(request.user, meeting):
        raise PermissionDenied
    form = PulseForm(request.POST)
    if form.is_valid():
        answer_pulse(meeting, request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, _("Thank you: your pulse was saved."))
            return redirect(meeting.get_absolute_url() + "#pulse")
        context = {"meeting": meeting, "pulse_saved": True, **pulse_context(request, meeting)}
        return render(request, "meetings/_pulse.html", context)
    if request.htmx:
        context = {"meeting": meeting, **pulse_context(request, meeting, form=form)}
        return render(request, "meetings/_pulse.html", context)
    # Imported here: the meeting page comes from views, which imports this module.
    from .views import meeting_page

    return meeting_page(request, meeting, pulse_form=form)


@login_required
def pulse_list(request):
    """A supplier's pulse over time. The city's people choose any supplier; a supplier
    contact sees their own (another supplier's is a 404)."""
    suppliers = Supplier.objects.visible_to(request.user).order_by("name")
    wanted = request.GET.get("supplier", "")
    supplier = None
    if wanted:
        if not wanted.isdigit() or len(wanted) > 18:
            raise Http404
        supplier = get_object_or_404(suppliers, pk=int(wanted))
    elif not request.user.sees_portfolio:
        supplier = get_object_or_404(suppliers, pk=request.user.supplier_id)
    context = {
        "suppliers": suppliers if request.user.sees_portfolio else [],
        "supplier": supplier,
        "meetings": supplier_pulse_history(supplier) if supplier else [],
    }
    return render(request, "meetings/pulse_list.html", context)
