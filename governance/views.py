import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from suppliers.contract_views import contract_context, visible_contract

from .access import portfolio_required, require_manager
from .dashboard import dashboard_html
from .forms import MandateForm, RoleHolderForm
from .services import remove_role_holder


@login_required
def home(request):
    if request.user.is_supplier_contact:
        return redirect("suppliers:detail", request.user.supplier_id)
    return redirect("dashboard")


@portfolio_required
def dashboard(request):
    body = dashboard_html(
        show_all=request.GET.get("suppliers") == "all", refresh="refresh" in request.GET
    )
    return render(request, "governance/dashboard.html", {"body": body})


def _render_level(request, contract_pk, level_name, *, holder_form=None, error=None):
    """The level's panel (htmx) or the whole contract page, freshly read after a change."""
    contract = visible_contract(request, contract_pk)
    level_forms = {level_name: holder_form} if holder_form is not None else {}
    context = contract_context(request, contract, level_forms=level_forms)
    if request.htmx:
        context["level"] = next(item for item in context["levels"] if item.level == level_name)
        context["level_error"] = error
        return render(request, "governance/_level.html", context)
    if holder_form is None and error is None:
        return redirect(contract.get_absolute_url() + f"#level-{level_name}")
    context["level_errors"] = {level_name: error}
    return render(request, "suppliers/contract_detail.html", context)


def _editable_level(request, pk, level):
    contract = visible_contract(request, pk)
    require_manager(request.user)
    for governance_level in contract.governance_levels.all():
        if governance_level.level == level:
            return contract, governance_level
    raise Http404


@require_POST
@vary_on_headers("HX-Request")
@login_required
def role_holder_add(request, pk, level):
    _contract, governance_level = _editable_level(request, pk, level)
    form = RoleHolderForm(request.POST, governance_level=governance_level, prefix=level)
    if form.is_valid():
        form.save()
        return _render_level(request, pk, level)
    return _render_level(request, pk, level, holder_form=form)


@require_POST
@vary_on_headers("HX-Request")
@login_required
def role_holder_remove(request, pk, level, holder_pk):
    _contract, governance_level = _editable_level(request, pk, level)
    holder = get_object_or_404(governance_level.role_holders, pk=holder_pk)
    try:
        remove_role_holder(holder)
    except ValidationError as error:
        return _render_level(request, pk, level, error=error.messages[0])
    return _render_level(request, pk, level)


@vary_on_headers("HX-Request")
@login_required
def mandate_edit(request, pk, level):
    contract, governance_level = _editable_level(request, pk, level)
    form = MandateForm(
        request.POST if request.method == "POST" else None, instance=governance_level
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        return _render_level(request, pk, level)
    context = {"contract": contract, "level": governance_level, "form": form}
    template = "governance/_mandate_form.html" if request.htmx else "governance/mandate_form.html"
    return render(request, template, context)


DATABASE_AWAY_SECONDS = 10


def server_error(request):
    """A database that is restarting or out of reach is a moment's wait, not a fault: 503 with
    Retry-After and a page that says so. Anything else gets the usual 500 page. Touches
    neither the database nor the session (they may be what failed)."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        page = loader.get_template("503.html").render()
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(DATABASE_AWAY_SECONDS)
        return response
    return defaults.server_error(request)
