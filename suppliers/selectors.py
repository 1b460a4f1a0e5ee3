"""Reads of the register that views and other apps share."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from governance.models import GovernanceLevel, User

from .forms import ContactForm, InvitationForm, OutcomeCommitmentForm, ServiceLevelForm
from .models import RUNNING_STATUSES, Contract, ContractQuerySet, Supplier

INVITATIONS_SHOWN = 20


def count_missing_roles(contracts: Iterable[Contract]) -> list[Contract]:
    """Set missing_role_count on each contract of a page, in one query (counting them in the
    list's own query would count every contract's role holders before the page is cut)."""
    contracts = list(contracts)
    counts = dict(
        Contract.objects.filter(pk__in=[contract.pk for contract in contracts])
        .with_missing_role_count()
        .values_list("pk", "missing_role_count")
    )
    for contract in contracts:
        contract.missing_role_count = counts[contract.pk]  # type: ignore[attr-defined]
    return contracts


def contracts_with_governance(queryset: ContractQuerySet) -> ContractQuerySet:
    """Contracts with their levels and role holders, so missing_roles() needs no more queries."""
    return queryset.select_related("supplier").prefetch_related(
        Prefetch(
            "governance_levels",
            queryset=GovernanceLevel.objects.prefetch_related("role_holders"),
        )
    )


def visible_contract(user: User, pk: int) -> Contract:
    """A contract the person may see, with its governance model loaded; else 404."""
    return get_object_or_404(contracts_with_governance(Contract.objects.visible_to(user)), pk=pk)


def visible_supplier(user: User, pk: int) -> Supplier:
    if user.is_active and user.is_supplier_contact and (own := user.supplier) is not None:
        # Their own supplier, loaded with them (governance.auth); any other is not found.
        if pk != own.pk:
            raise Http404
        return own
    return get_object_or_404(Supplier.objects.visible_to(user), pk=pk)


def suppliers_with_totals(user: User) -> Any:
    """The supplier list: each supplier with its contract count and running contracts' value."""
    return (
        Supplier.objects.visible_to(user)
        .annotate(
            contract_count=Count("contracts", distinct=True),
            annual_value=Sum(
                "contracts__annual_value_sek",
                filter=Q(contracts__status__in=RUNNING_STATUSES),
            ),
        )
        .order_by("name")
    )


def commitments_section(contract: Contract, user: User, **overrides: Any) -> dict[str, Any]:
    """The contract page's outcome commitments; overrides carry a bound form with errors."""
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "commitments": contract.commitments.all(),
    }
    if user.can_manage:
        context["commitment_form"] = OutcomeCommitmentForm()
    return context | overrides


def service_levels_section(contract: Contract, user: User, **overrides: Any) -> dict[str, Any]:
    """The contract page's service levels; overrides carry a bound form with errors."""
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "service_levels": contract.service_levels.all(),
    }
    if user.can_manage:
        context["service_level_form"] = ServiceLevelForm()
    return context | overrides


def contacts_section(supplier: Supplier, user: User, **overrides: Any) -> dict[str, Any]:
    """A supplier's contacts (whether each has an account); a manager's form to add one."""
    context: dict[str, Any] = {
        "supplier": supplier,
        "can_manage": user.can_manage,
        "contacts": supplier.contacts.select_related("user"),
        "contact_form": ContactForm(supplier=supplier) if user.can_manage else None,
    }
    return context | overrides


def invitations_section(supplier: Supplier, user: User, **overrides: Any) -> dict[str, Any]:
    """A supplier's latest invitations and the form to invite someone (managers only)."""
    context: dict[str, Any] = {
        "supplier": supplier,
        "can_manage": user.can_manage,
        "invitations": supplier.invitations.select_related("invited_by")[:INVITATIONS_SHOWN],
        "invitation_form": InvitationForm(),
    }
    return context | overrides
