"""Reported figures: overview, a contract's figures, the report form, CSV upload with preview
and progress, and the city's corrections.

Every view starts from visible_to(user): another supplier's object is a 404. Supplier contacts
write their own supplier's figures, procurement staff anyone's; the IT director reads.
"""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from escalations.models import Issue, IssueStatus
from governance.access import require_manager
from governance.forms import id_from_query
from governance.htmx import PortalRequest, section
from governance.models import User
from suppliers.models import Contract, Period, ServiceLevel, Supplier

from . import imports, services
from .figures import standing_figures
from .forms import CorrectionForm, ReportForm, UploadForm
from .models import (
    FigureImport,
    ImportStatus,
    Measurement,
    Priority,
    QuestionCount,
    Source,
    TicketCount,
    period_start,
)

PREVIEW_ROWS = 20


def _require_writer(user: User, supplier_id: int) -> None:
    if not user.may_report_for(supplier_id):
        raise PermissionDenied


def _contracts(user: User) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user).select_related("supplier")


def figure_rows(user: User, params: QueryDict) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The figure list's rows for a person (each service level's latest value) and its
    filters (the page and its export)."""
    contracts = _contracts(user)
    supplier_id = id_from_query(params.get("supplier"))
    if supplier_id:
        contracts = contracts.filter(supplier_id=supplier_id)
    missed_only = params.get("missed") == "1"
    latest = Measurement.objects.filter(service_level=OuterRef("pk")).order_by("-period_start")
    service_levels = list(
        ServiceLevel.objects.filter(contract__in=contracts)
        .select_related("contract__supplier")
        .annotate(latest_pk=Subquery(latest.values("pk")[:1]))
        .order_by("contract__supplier__name", "contract__reference", "pk")
    )
    measurements = Measurement.objects.select_related("breach_issue").in_bulk(
        [sl.latest_pk for sl in service_levels if sl.latest_pk]
    )
    rows = []
    for service_level in service_levels:
        measurement = measurements.get(service_level.latest_pk)
        if measurement:
            measurement.service_level = service_level
        met = measurement.meets_target if measurement else None
        if missed_only and met is not False:
            continue
        label = (
            imports.period_label(measurement.period_start, service_level.period)
            if measurement
            else None
        )
        rows.append(
            {"service_level": service_level, "measurement": measurement, "met": met, "label": label}
        )
    return rows, {"supplier_id": supplier_id, "missed_only": missed_only}


@login_required
def figure_list(request: PortalRequest) -> HttpResponse:
    rows, filters = figure_rows(request.user, request.GET)
    context = {
        "rows": rows,
        "suppliers": Supplier.objects.visible_to(request.user).only("pk", "name"),
        **filters,
        "can_upload": request.user.may_contribute,
    }
    return render(request, "operations/figure_list.html", context)


@login_required
def contract_figures(request: PortalRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(_contracts(request.user), pk=pk)
    measurements = (
        Measurement.objects.filter(service_level__contract=contract)
        .select_related("service_level", "breach_issue", "reported_by")
        .order_by("-period_start", "service_level_id")[:120]
    )
    for measurement in measurements:
        measurement.label = imports.period_label(  # type: ignore[attr-defined]
            measurement.period_start, measurement.service_level.period
        )
    context = {
        "contract": contract,
        "figures": standing_figures([contract]),
        "measurements": measurements,
        "can_report": request.user.may_report_for(contract.supplier_id),
        "can_correct": request.user.can_manage,
    }
    return render(request, "operations/contract_figures.html", context)


def _last_month() -> date:
    return period_start(timezone.localdate(), Period.MONTH) - relativedelta(months=1)


def _reported_initial(
    contract: Contract, service_levels: list[ServiceLevel], day: date
) -> dict[str, Any]:
    """What is already reported for the period, to correct it in the same form."""
    initial: dict[str, Any] = {"period": f"{day:%Y-%m}"}
    month = period_start(day, Period.MONTH)
    starts = {sl.pk: period_start(day, sl.period) for sl in service_levels}
    for measurement in Measurement.objects.filter(
        service_level__in=service_levels, period_start__in=set(starts.values())
    ):
        if starts[measurement.service_level_id] == measurement.period_start:
            initial[f"sl_{measurement.service_level_id}"] = f"{measurement.value.normalize():f}"
    for row in TicketCount.objects.filter(contract=contract, period_start=month):
        initial[f"opened_{row.priority}"] = row.opened
        initial[f"closed_{row.priority}"] = row.closed
    for index, question in enumerate(
        QuestionCount.objects.filter(contract=contract, period_start=month)[:5]
    ):
        initial[f"category_{index}"] = question.category
        initial[f"questions_{index}"] = question.questions
    return initial


@login_required
def report(request: PortalRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(_contracts(request.user), pk=pk)
    _require_writer(request.user, contract.supplier_id)
    service_levels = list(contract.service_levels.all())
    if request.method == "POST":
        form = ReportForm(request.POST, contract=contract, service_levels=service_levels)
        if form.is_valid():
            recorded = services.report_figures(
                contract=contract,
                measurements=form.measurements(),
                month=form.month(),
                tickets=form.tickets(),
                questions=form.questions(),
                by=request.user,
            )
            raised = sum(1 for result in recorded if result.raised)
            messages.success(request, _("The figures are saved."))
            if raised:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s value missed its target: an operational issue was raised.",
                        "%(count)s values missed their targets: operational issues were raised.",
                        raised,
                    )
                    % {"count": raised},
                )
            url = reverse("operations:contract_figures", args=[contract.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        try:
            day = imports.parse_period(request.GET.get("period", ""))
        except ValueError:
            day = _last_month()
        form = ReportForm(
            initial=_reported_initial(contract, service_levels, day),
            contract=contract,
            service_levels=service_levels,
        )
    context = {"contract": contract, "form": form, "priorities": Priority}
    return section(request, "operations/report_form.html", context, partial="form")


def _imports(user: User) -> QuerySet[FigureImport]:
    return FigureImport.objects.visible_to(user).select_related("supplier", "uploaded_by")


@login_required
def import_upload(request: PortalRequest) -> HttpResponse:
    if not request.user.may_contribute:
        raise PermissionDenied
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        filename, text = form.cleaned_data["file"]
        try:
            figure_import, _parsed = services.create_import(
                supplier=form.supplier(), filename=filename, text=text, by=request.user
            )
        except imports.FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("operations:import_detail", pk=figure_import.pk)
    context = {"form": form, "recent": _imports(request.user)[:20]}
    return render(request, "operations/import_upload.html", context)


def _status_context(request: PortalRequest, figure_import: FigureImport) -> dict[str, Any]:
    context = {"import": figure_import, "done": 0, "breach_issues": []}
    if figure_import.status == ImportStatus.QUEUED:
        context["done"] = min(
            cache.get(services.progress_key(figure_import.pk)) or 0, figure_import.rows_total
        )
    elif figure_import.status == ImportStatus.DONE:
        touched = Measurement.history.filter(
            history_change_reason=services.import_reason(figure_import)
        ).values("id")
        context["done"] = figure_import.rows_total
        context["breach_issues"] = (
            Issue.objects.visible_to(request.user).filter(breaches__in=touched).order_by("pk")
        )
    return context


@login_required
def import_detail(request: PortalRequest, pk: int) -> HttpResponse:
    figure_import = get_object_or_404(_imports(request.user), pk=pk)
    if request.htmx and request.htmx.target == "import-status":
        context = _status_context(request, figure_import)
        return section(request, "operations/import_detail.html", context, partial="status")
    context = _status_context(request, figure_import)
    context["can_confirm"] = False
    if figure_import.status == ImportStatus.PREVIEW:
        try:
            parsed = imports.parse(figure_import.content, figure_import.supplier)
        except imports.FileError as error:
            context["file_error"] = str(error)
        else:
            context["parsed"] = parsed
            context["preview"] = parsed.rows[:PREVIEW_ROWS]
            context["can_confirm"] = not parsed.errors and request.user.may_report_for(
                figure_import.supplier_id
            )
    response = render(request, "operations/import_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])  # the status alone goes to htmx's poll
    return response


@require_POST
@login_required
def import_confirm(request: PortalRequest, pk: int) -> HttpResponse:
    figure_import = get_object_or_404(_imports(request.user), pk=pk)
    _require_writer(request.user, figure_import.supplier_id)
    try:
        services.confirm_import(figure_import=figure_import, by=request.user)
    except services.ImportNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The file is queued for import."))
    return redirect("operations:import_detail", pk=figure_import.pk)


def _history(measurement: Measurement) -> list[dict[str, Any]]:
    """Each change of the figure: when, who, old → new value, how and why."""
    records = list(
        measurement.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows = []
    previous = None
    for record in records:
        rows.append(
            {
                "at": record.history_date,
                "by": record.history_user,
                "old": previous.value if previous else None,
                "new": record.value,
                "source": record.get_source_display(),
                "reason": record.history_change_reason or "",
            }
        )
        previous = record
    return list(reversed(rows))


@login_required
def measurement_correct(request: PortalRequest, pk: int) -> HttpResponse:
    measurement = get_object_or_404(
        Measurement.objects.visible_to(request.user).select_related(
            "service_level__contract__supplier", "breach_issue"
        ),
        pk=pk,
    )
    require_manager(request.user)
    service_level = measurement.service_level
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"value": f"{measurement.value.normalize():f}"},
        service_level=service_level,
    )
    if request.method == "POST" and form.is_valid():
        recorded = services.record_measurement(
            service_level=service_level,
            period_start=measurement.period_start,
            value=form.cleaned_data["value"],
            by=request.user,
            source=Source.CORRECTION,
            reason=form.cleaned_data["reason"],
        )
        corrected = recorded.measurement
        if recorded.raised:
            messages.warning(
                request,
                _("Corrected. The value misses its target: an operational issue was raised."),
            )
        elif (
            corrected.meets_target
            and corrected.breach_issue
            and corrected.breach_issue.status == IssueStatus.OPEN
        ):
            messages.success(
                request,
                _(
                    "Corrected. The value now meets its target; the issue raised for the breach "
                    "stays open until someone resolves it."
                ),
            )
        else:
            messages.success(request, _("Corrected."))
        return redirect("operations:measurement_correct", pk=measurement.pk)
    context = {
        "measurement": measurement,
        "service_level": service_level,
        "contract": service_level.contract,
        "label": imports.period_label(measurement.period_start, service_level.period),
        "form": form,
        "history": _history(measurement),
    }
    return render(request, "operations/measurement_correct.html", context)
