"""The risk register's pages: the list (filtered, highest score first), a risk with its
comments, history and agenda, and the city's managers' forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents.selectors import attachments_section
from governance.access import manager_required, require_manager
from governance.forms import id_from_query
from governance.htmx import PortalRequest, section
from governance.models import CITY_ROLES, User
from suppliers.models import Contact, Contract, Supplier

from . import services
from .forms import AgendaForm, CommentForm, RiskForm
from .models import SCALE, Impact, Likelihood, Risk, RiskQuerySet, RiskStatus, step_label
from .selectors import risk_history

DETAIL = "risks/risk_detail.html"


def _risks(user: User) -> RiskQuerySet:
    return Risk.objects.visible_to(user).select_related(
        "supplier", "contract", "owner_user", "owner_contact"
    )


def _visible_risk(request: PortalRequest, pk: int) -> Risk:
    return get_object_or_404(_risks(request.user), pk=pk)


def filtered_risks(user: User, query: QueryDict) -> RiskQuerySet:
    """The register's rows for `user` under the page's filters (supplier, contract, status,
    owner, a heat map cell), highest score first: the page and its export read the same."""
    status = query.get("status", "active")
    supplier_id = id_from_query(query.get("supplier"))
    contract_id = id_from_query(query.get("contract"))
    owner = query.get("owner", "")
    likelihood = id_from_query(query.get("likelihood"))
    impact = id_from_query(query.get("impact"))
    risks = _risks(user)
    if status == "active":
        risks = risks.active()
    elif status in RiskStatus.values:
        risks = risks.filter(status=status)
    if supplier_id:
        risks = risks.filter(supplier_id=supplier_id)
    if contract_id:
        risks = risks.filter(contract_id=contract_id)
    kind, _sep, owner_id = owner.partition(":")
    if kind == "user" and (pk := id_from_query(owner_id)):
        risks = risks.filter(owner_user_id=pk)
    elif kind == "contact" and (pk := id_from_query(owner_id)):
        risks = risks.filter(owner_contact_id=pk)
    if likelihood in SCALE:
        risks = risks.filter(likelihood=likelihood)
    if impact in SCALE:
        risks = risks.filter(impact=impact)
    return risks.by_score()


@login_required
def risk_list(request: PortalRequest) -> HttpResponse:
    """The register, filtered by supplier, contract, status, owner and a heat map cell; the
    highest score first."""
    user = request.user
    query = request.GET
    status = query.get("status", "active")
    supplier_id = id_from_query(query.get("supplier"))
    contract_id = id_from_query(query.get("contract"))
    owner = query.get("owner", "")
    likelihood = id_from_query(query.get("likelihood"))
    impact = id_from_query(query.get("impact"))
    suppliers = Supplier.objects.visible_to(user).only("pk", "name").order_by("name")
    contracts = Contract.objects.visible_to(user).only("pk", "reference", "supplier_id")
    if supplier_id:
        contracts = contracts.filter(supplier_id=supplier_id)
    owners = [
        (f"user:{person.pk}", person.get_full_name() or person.email)
        for person in User.objects.filter(owned_risks__in=_risks(user), role__in=CITY_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    ] + [
        (f"contact:{contact.pk}", f"{contact.name} ({contact.supplier.name})")
        for contact in Contact.objects.filter(owned_risks__in=_risks(user))
        .select_related("supplier")
        .distinct()
        .order_by("name")
    ]
    context = {
        "risks": filtered_risks(user, query),
        "status": status,
        "statuses": [("active", _("Not closed")), *RiskStatus.choices, ("all", _("All"))],
        "supplier": str(supplier_id or ""),
        "suppliers": suppliers,
        "contract": str(contract_id or ""),
        "contracts": contracts.order_by("reference"),
        "owner": owner,
        "owners": owners,
        "likelihood": likelihood if likelihood in SCALE else None,
        "impact": impact if impact in SCALE else None,
        "likelihood_label": step_label(Likelihood, likelihood) if likelihood in SCALE else "",
        "impact_label": step_label(Impact, impact) if impact in SCALE else "",
        "can_manage": user.can_manage,
    }
    return render(request, "risks/risk_list.html", context)


@manager_required
def risk_create(request: PortalRequest) -> HttpResponse:
    supplier = Supplier.objects.filter(pk=id_from_query(request.GET.get("supplier"))).first()
    form = RiskForm(
        request.POST if request.method == "POST" else None,
        supplier=supplier,
        initial={"contract": id_from_query(request.GET.get("contract"))},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        risk = services.create_risk(by=request.user, issues=data.pop("issues", []), **data)
        messages.success(request, _("Risk recorded."))
        return redirect(risk)
    context = {
        "form": form,
        "supplier": supplier,
        "suppliers": Supplier.objects.order_by("name").only("pk", "name"),
    }
    return render(request, "risks/risk_form.html", context, status=400 if form.errors else 200)


@login_required
def risk_edit(request: PortalRequest, pk: int) -> HttpResponse:
    risk = _visible_risk(request, pk)
    require_manager(request.user)
    form = RiskForm(request.POST if request.method == "POST" else None, instance=risk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        issues = data.pop("issues", None)
        services.update_risk(risk=risk, by=request.user, issues=issues, **data)
        messages.success(request, _("Risk saved."))
        return redirect(risk)
    context = {"form": form, "risk": risk, "supplier": risk.supplier}
    return render(request, "risks/risk_form.html", context, status=400 if form.errors else 200)


def _detail_context(
    request: PortalRequest,
    risk: Risk,
    comment_form: CommentForm | None = None,
    agenda_form: AgendaForm | None = None,
) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "risk": risk,
        "issues": risk.issues.all(),
        "comments": risk.comments.select_related("author__supplier"),
        "comment_form": comment_form or CommentForm(),
        "may_comment": _may_comment(user),
        "can_manage": user.can_manage,
        "history": risk_history(risk) if user.sees_portfolio else [],
        "agenda_items": risk.agenda_items.select_related("proposal__meeting__forum"),
        **attachments_section(risk, user),
    }
    if user.can_manage:
        meetings = services.coming_meetings(risk)
        context["agenda_form"] = agenda_form or AgendaForm(meetings=meetings)
        context["coming_meetings"] = meetings
    return context


def _may_comment(user: User) -> bool:
    """The city's managers and the supplier's contacts (of a risk they see) comment."""
    return user.can_manage or (user.is_active and user.is_supplier_contact)


@login_required
def risk_detail(request: PortalRequest, pk: int) -> HttpResponse:
    risk = _visible_risk(request, pk)
    return render(request, DETAIL, _detail_context(request, risk))


@require_POST
@login_required
def comment_add(request: PortalRequest, pk: int) -> HttpResponse:
    risk = _visible_risk(request, pk)
    if not _may_comment(request.user):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        services.add_comment(risk=risk, body=form.cleaned_data["body"], by=request.user)
        form = CommentForm()
        done = reverse("risks:detail", args=[risk.pk]) + "#comments"
        return section(
            request, DETAIL, _detail_context(request, risk, form), partial="comments", done=done
        )
    context = _detail_context(request, risk, comment_form=form)
    return section(request, DETAIL, context, partial="comments", status=200)


@require_POST
@login_required
def agenda_add(request: PortalRequest, pk: int) -> HttpResponse:
    risk = _visible_risk(request, pk)
    require_manager(request.user)
    form = AgendaForm(request.POST, meetings=services.coming_meetings(risk))
    if form.is_valid():
        meeting = form.cleaned_data["meeting"]
        try:
            services.put_on_agenda(risk=risk, meeting=meeting, by=request.user)
        except services.NotShared:
            form.add_error(
                "meeting",
                _(
                    "Share the risk with the supplier first: the supplier's people attend "
                    "the meeting."
                ),
            )
        except services.ProposalsClosed:
            form.add_error("meeting", _("This meeting takes no more proposals."))
        else:
            messages.success(request, _("Proposed for the meeting's agenda."))
            done = reverse("risks:detail", args=[risk.pk]) + "#agenda"
            return section(
                request, DETAIL, _detail_context(request, risk), partial="agenda", done=done
            )
    context = _detail_context(request, risk, agenda_form=form)
    return section(request, DETAIL, context, partial="agenda", status=200)
