"""The register: suppliers, their contacts and invitations, contracts and what they commit to.
A supplier's page and a contract's page are the portal's (they show several apps); the
sections of them that this app owns are answered here."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
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
from governance.fragments import audience, shared_fragment, shared_page
from governance.htmx import PortalRequest, section
from governance.models import GovernanceLevel, Role, RoleHolder, User
from governance.views import people_changed, people_refusal

from . import notice, selectors, services
from .forms import (
    AcceptInvitationForm,
    ContactForm,
    ContractForm,
    InvitationForm,
    NoticeDecisionForm,
    NoticeSnoozeForm,
    OutcomeCommitmentForm,
    ServiceLevelForm,
    StatusChangeForm,
    SupplierForm,
)
from .models import DECIDED_STATUSES, Contract, ContractStatus, Supplier

CONTRACTS_PER_PAGE = 50
# What the contract list shows: contracts, their suppliers, and who holds each level's roles.
CONTRACT_LIST_DATA = (Contract, Supplier, GovernanceLevel, RoleHolder)


def _form_data(request: PortalRequest) -> Any:
    return request.POST if request.method == "POST" else None


# Suppliers ------------------------------------------------------------------------------


@login_required
def supplier_list(request: PortalRequest) -> HttpResponse:
    if not request.user.sees_portfolio:
        # A supplier contact has exactly one supplier: their list is that page.
        return redirect("portal:supplier_detail", request.user.supplier_id)
    context = {"suppliers": selectors.suppliers_with_totals(request.user)}
    return render(request, "suppliers/supplier_list.html", context)


@manager_required
def supplier_create(request: PortalRequest) -> HttpResponse:
    form = SupplierForm(_form_data(request))
    if request.method == "POST" and form.is_valid():
        supplier = services.create_supplier(by=request.user, **form.cleaned_data)
        messages.success(request, _("Supplier %(name)s was added.") % {"name": supplier.name})
        return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form})


@login_required
def supplier_edit(request: PortalRequest, pk: int) -> HttpResponse:
    supplier = selectors.visible_supplier(request.user, pk)
    require_manager(request.user)
    form = SupplierForm(_form_data(request), instance=supplier)
    if request.method == "POST" and form.is_valid():
        services.update_supplier(supplier=supplier, by=request.user, **form.cleaned_data)
        messages.success(request, _("The supplier was saved."))
        return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form, "supplier": supplier})


def _managed_supplier(request: PortalRequest, pk: int) -> Supplier:
    supplier = selectors.visible_supplier(request.user, pk)
    require_manager(request.user)
    return supplier


def _contacts(request: PortalRequest, supplier: Supplier, **overrides: Any) -> HttpResponse:
    context = selectors.contacts_section(supplier, request.user, **overrides)
    done = None if overrides else f"{supplier.get_absolute_url()}#contacts"
    return section(request, "suppliers/contacts.html", context, done=done)


@require_POST
@login_required
def contact_add(request: PortalRequest, pk: int) -> HttpResponse:
    supplier = _managed_supplier(request, pk)
    form = ContactForm(request.POST, supplier=supplier)
    if not form.is_valid():
        return _contacts(request, supplier, contact_form=form)
    services.add_contact(supplier=supplier, by=request.user, **form.cleaned_data)
    return _contacts(request, supplier)


@require_POST
@login_required
def contact_delete(request: PortalRequest, pk: int, contact_pk: int) -> HttpResponse:
    supplier = _managed_supplier(request, pk)
    contact = get_object_or_404(supplier.contacts, pk=contact_pk)
    services.remove_contact(contact=contact, by=request.user)
    return _contacts(request, supplier)


def _invitations(request: PortalRequest, supplier: Supplier, **overrides: Any) -> HttpResponse:
    context = selectors.invitations_section(supplier, request.user, **overrides)
    done = None if overrides else f"{supplier.get_absolute_url()}#invitations"
    return section(request, "suppliers/invitations.html", context, done=done)


def _tell_invitation_sent(request: PortalRequest, sent: bool, email: str) -> None:
    if sent:
        messages.success(request, _("An invitation was e-mailed to %(email)s.") % {"email": email})
    else:
        messages.error(
            request,
            _(
                "The invitation to %(email)s was saved but the e-mail could not be sent. "
                "Try Resend in a while."
            )
            % {"email": email},
        )


@require_POST
@login_required
def invitation_create(request: PortalRequest, pk: int) -> HttpResponse:
    supplier = _managed_supplier(request, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _invitations(request, supplier, invitation_form=form)
    invitation, token = services.invite_contact(
        supplier=supplier, by=request.user, **form.cleaned_data
    )
    sent = services.send_invitation_email(invitation=invitation, token=token)
    _tell_invitation_sent(request, sent, invitation.email)
    return _invitations(request, supplier)


@require_POST
@login_required
def invitation_resend(request: PortalRequest, pk: int, invitation_pk: int) -> HttpResponse:
    supplier = _managed_supplier(request, pk)
    old = get_object_or_404(supplier.invitations, pk=invitation_pk, accepted_at__isnull=True)
    invitation, token = services.invite_contact(
        supplier=supplier, name=old.name, email=old.email, by=request.user
    )
    if services.send_invitation_email(invitation=invitation, token=token):
        messages.success(
            request, _("A new invitation was e-mailed to %(email)s.") % {"email": old.email}
        )
    else:
        messages.error(request, _("The e-mail could not be sent. Try again in a while."))
    return _invitations(request, supplier)


@require_POST
@login_required
def invitation_revoke(request: PortalRequest, pk: int, invitation_pk: int) -> HttpResponse:
    supplier = _managed_supplier(request, pk)
    services.revoke_invitation(supplier=supplier, invitation_id=invitation_pk, by=request.user)
    return _invitations(request, supplier)


@require_POST
@manager_required
def person_reinvite(request: PortalRequest, pk: int) -> HttpResponse:
    """From the People page: a deactivated supplier's contact invited back."""
    person = get_object_or_404(User, pk=pk)
    if person.role != Role.SUPPLIER_CONTACT or person.supplier_id is None:
        return people_refusal(request, _("Only a supplier's contact is invited."))
    if person.erased_at is not None:
        return people_refusal(request, _("This person's data was erased: add them as new."))
    if person.is_active:
        return people_refusal(request, _("This account is active: nothing to invite to."))
    sent = services.reinvite_contact(person=person, by=request.user)
    _tell_invitation_sent(request, sent, person.email)
    return people_changed(request)


def accept_invitation(request: PortalRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render(
            request,
            "suppliers/invitation_unusable.html",
            {"invitation": invitation},
            status=404 if invitation is None else 410,
        )
    if request.user.is_authenticated:
        # Accepting would sign this browser in as the new account: never without a word.
        return render(
            request,
            "suppliers/invitation_accept.html",
            {"invitation": invitation, "signed_in_as": request.user},
            status=409,
        )
    form = AcceptInvitationForm(
        _form_data(request), invitation=invitation, initial={"name": invitation.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="governance.auth.PortalBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:home")
    return render(
        request, "suppliers/invitation_accept.html", {"form": form, "invitation": invitation}
    )


# Contracts ------------------------------------------------------------------------------


def _contract_list_context(request: PortalRequest) -> dict[str, Any]:
    suppliers = Supplier.objects.visible_to(request.user).values_list("pk", "name")
    contracts, filters = selectors.filtered_contracts(request.user, request.GET)
    page = Paginator(contracts, CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.count_missing_roles(page.object_list)
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
def contract_list(request: PortalRequest) -> HttpResponse:
    """Everyone with the same view of the contracts shares one rendering of each list page
    until a contract, supplier or role holder changes (governance.fragments); htmx's filters
    ask for the table alone."""
    filters = request.GET.urlencode()
    if request.htmx:
        template = "suppliers/contract_list.html#table"
        table = shared_fragment(
            ("contract_list", template, audience(request.user), filters),
            CONTRACT_LIST_DATA,
            lambda: render_to_string(template, _contract_list_context(request), request),
        )
        return HttpResponse(table)

    def page(markers: dict[str, str]) -> str:
        context = {**_contract_list_context(request), **markers}
        return render_to_string("suppliers/contract_list.html", context, request)

    return shared_page(request, ("contract_list", filters), CONTRACT_LIST_DATA, page)


@manager_required
def contract_create(request: PortalRequest) -> HttpResponse:
    form = ContractForm(_form_data(request), initial={"supplier": request.GET.get("supplier")})
    if request.method == "POST" and form.is_valid():
        contract = services.create_contract(by=request.user, **form.cleaned_data)
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


def _managed_contract(request: PortalRequest, pk: int) -> Contract:
    contract = selectors.visible_contract(request.user, pk)
    require_manager(request.user)
    return contract


@login_required
def contract_edit(request: PortalRequest, pk: int) -> HttpResponse:
    contract = _managed_contract(request, pk)
    form = ContractForm(_form_data(request), instance=contract)
    if request.method == "POST" and form.is_valid():
        services.update_contract(contract=contract, by=request.user, **form.cleaned_data)
        messages.success(request, _("The contract was saved."))
        return redirect(contract)
    return render(request, "suppliers/contract_form.html", {"form": form, "contract": contract})


def _status(
    request: PortalRequest, contract: Contract, status_form: StatusChangeForm | None = None
) -> HttpResponse:
    # A change of status changes the whole page (its heading, what may be done): the browser
    # goes back to it; a refused one shows the section as a page, its errors and text kept.
    context = selectors.status_section(contract, request.user, status_form=status_form)
    done = None if status_form else f"{contract.get_absolute_url()}#status"
    return section(request, "suppliers/contract_status.html", context, done=done)


@require_POST
@login_required
def contract_status(request: PortalRequest, pk: int) -> HttpResponse:
    """Make active, give notice, withdraw it, end: notice and ending name the business-level
    role holder of the city who decided, and the reason."""
    contract = _managed_contract(request, pk)
    form = StatusChangeForm(request.POST, contract=contract)
    if not form.is_valid() and "status" in form.errors:
        messages.error(request, _("Choose a status."))
        return redirect(contract)
    if form.is_valid():
        status = form.cleaned_data["status"]
        try:
            services.change_contract_status(
                contract=contract,
                status=status,
                by=request.user,
                decided_by=form.cleaned_data["decided_by"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if status not in DECIDED_STATUSES:
                # Nothing typed to keep: the page says why (e.g. which roles are missing).
                for message in error.messages:
                    messages.error(request, message)
                return redirect(contract)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The contract is now %(status)s.")
                % {"status": contract.get_status_display().lower()},
            )
            return _status(request, contract)
    contract.refresh_from_db(fields=["status"])
    return _status(request, contract, form)


def _notice(request: PortalRequest, contract: Contract, **forms: Any) -> HttpResponse:
    context = selectors.notice_section(contract, request.user, **forms)
    done = None if forms else f"{contract.get_absolute_url()}#notice"
    return section(request, "suppliers/notice.html", context, done=done)


@require_POST
@login_required
def notice_decide(request: PortalRequest, pk: int) -> HttpResponse:
    """The city's decision for the current term (renew, let it run, terminate): its notice
    alerts stop; terminate gives notice."""
    contract = _managed_contract(request, pk)
    form = NoticeDecisionForm(request.POST, contract=contract)
    if form.is_valid():
        try:
            notice.decide_on_notice(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return _notice(request, contract)
    contract.refresh_from_db(fields=["status"])
    return _notice(request, contract, notice_form=form)


@require_POST
@login_required
def notice_snooze(request: PortalRequest, pk: int) -> HttpResponse:
    """Hold the current term's notice alerts back until a chosen day."""
    contract = _managed_contract(request, pk)
    form = NoticeSnoozeForm(request.POST)
    if form.is_valid():
        try:
            snooze = notice.snooze_notice_alerts(
                contract=contract, until=form.cleaned_data["until"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The alerts are held back until %(day)s.") % {"day": snooze.until.isoformat()},
            )
            return _notice(request, contract)
    return _notice(request, contract, snooze_form=form)


def _commitments(request: PortalRequest, contract: Contract, **overrides: Any) -> HttpResponse:
    context = selectors.commitments_section(contract, request.user, **overrides)
    done = None if overrides else f"{contract.get_absolute_url()}#commitments"
    return section(request, "suppliers/commitments.html", context, done=done)


@require_POST
@login_required
def commitment_add(request: PortalRequest, pk: int) -> HttpResponse:
    contract = _managed_contract(request, pk)
    form = OutcomeCommitmentForm(request.POST)
    if not form.is_valid():
        return _commitments(request, contract, commitment_form=form)
    services.add_commitment(contract=contract, by=request.user, **form.cleaned_data)
    return _commitments(request, contract)


@require_POST
@login_required
def commitment_delete(request: PortalRequest, pk: int, commitment_pk: int) -> HttpResponse:
    contract = _managed_contract(request, pk)
    commitment = get_object_or_404(contract.commitments, pk=commitment_pk)
    services.remove_commitment(commitment=commitment, by=request.user)
    return _commitments(request, contract)


def _service_levels(request: PortalRequest, contract: Contract, **overrides: Any) -> HttpResponse:
    context = selectors.service_levels_section(contract, request.user, **overrides)
    done = None if overrides else f"{contract.get_absolute_url()}#service-levels"
    return section(request, "suppliers/service_levels.html", context, done=done)


@require_POST
@login_required
def service_level_add(request: PortalRequest, pk: int) -> HttpResponse:
    contract = _managed_contract(request, pk)
    form = ServiceLevelForm(request.POST)
    if not form.is_valid():
        return _service_levels(request, contract, service_level_form=form)
    services.add_service_level(contract=contract, by=request.user, **form.cleaned_data)
    return _service_levels(request, contract)


@require_POST
@login_required
def service_level_delete(request: PortalRequest, pk: int, service_level_pk: int) -> HttpResponse:
    contract = _managed_contract(request, pk)
    service_level = get_object_or_404(contract.service_levels, pk=service_level_pk)
    services.remove_service_level(service_level=service_level, by=request.user)
    return _service_levels(request, contract)
