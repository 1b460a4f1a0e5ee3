"""Reads of the register that views and other apps share."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance.models import (
    LEVEL_ORDER,
    GovernanceLevel,
    RoleHolder,
    RoleHolderQuerySet,
    User,
)

from . import notice
from .forms import (
    ContactForm,
    ContractFilterForm,
    InvitationForm,
    NoticeDecisionForm,
    NoticeSnoozeForm,
    OutcomeCommitmentForm,
    ServiceLevelForm,
    StatusChangeForm,
)
from .models import RUNNING_STATUSES, Contract, ContractQuerySet, ContractStatus, Supplier

INVITATIONS_SHOWN = 20
# Levels in the governance model's order (business, contract, operational), for ordering.
LEVEL_RANK = Case(
    *(
        When(governance_level__level=level, then=Value(rank))
        for rank, level in enumerate(LEVEL_ORDER)
    ),
    output_field=IntegerField(),
)


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


def filtered_contracts(user: User, params: Any) -> tuple[ContractQuerySet, ContractFilterForm]:
    """The contract list's rows for a person, with its filters applied (the page, its export
    and the export of the listed contracts' role holders)."""
    filters = ContractFilterForm(params)
    contracts = filters.filter(Contract.objects.visible_to(user).with_supplier())
    return contracts.order_by("reference"), filters


def role_holders_of_listed_contracts(user: User, params: Any) -> RoleHolderQuerySet:
    """The role holders of the contracts the contract list shows with these filters, as the
    contract page's governance model names them."""
    contracts, _filters = filtered_contracts(user, params)
    return (
        RoleHolder.objects.visible_to(user)
        .filter(governance_level__contract__in=contracts.values("pk"))
        .select_related("governance_level__contract__supplier")
        .order_by(
            "governance_level__contract__reference",
            LEVEL_RANK,
            "side",
            "role_title",
            "name",
        )
    )


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


def status_section(
    contract: Contract, user: User, *, status_form: StatusChangeForm | None = None
) -> dict[str, Any]:
    """The contract's status and the business level's decisions behind notice and ending; a
    manager gets the next statuses, giving notice and ending with who decided and why
    (status_form: a refused change with its errors and what was typed)."""
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "status_decisions": contract.status_decisions.all(),
        "status_errors": [],
    }
    if user.can_manage:
        refused = status_form.data.get("status") if status_form is not None else None
        transitions = []
        for transition in contract.allowed_transitions():
            if transition == refused:
                transitions.append((transition, status_form))
            else:
                transitions.append((transition, StatusChangeForm(contract=contract)))
        context["transitions"] = transitions
        if status_form is not None and refused not in contract.allowed_transitions():
            context["status_errors"] = [
                message for messages in status_form.errors.values() for message in messages
            ]
        context["has_deciders"] = contract.business_deciders().exists()
    return context


def notice_section(
    contract: Contract,
    user: User,
    *,
    notice_form: NoticeDecisionForm | None = None,
    snooze_form: NoticeSnoozeForm | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The city's side of the notice deadline: the decision for the current term (or that
    none is recorded), a snooze of its alerts, and for managers the forms. A supplier's
    contact gets nothing (what the city will do is the city's until notice is given)."""
    if not user.sees_portfolio:
        return {"notice": None}
    today = today or timezone.localdate()
    deadline = contract.notice_deadline(today)
    decision = notice.current_decision(contract, today)
    open_to_decide = bool(
        contract.status == ContractStatus.ACTIVE
        and deadline is not None
        and deadline >= today
        and decision is None
    )
    context: dict[str, Any] = {
        "contract": contract,
        "can_manage": user.can_manage,
        "notice": {
            "deadline": deadline,
            "term_end": contract.current_term_end(today),
            "decision": decision,
            "snooze": notice.current_snooze(contract, today),
            "open_to_decide": open_to_decide,
            "next_alert": notice.next_alert_day(deadline, today) if deadline else None,
        },
    }
    if user.can_manage:  # a refused form is shown with its errors, whatever the state now
        if notice_form is not None or open_to_decide:
            context["notice_form"] = notice_form or NoticeDecisionForm(contract=contract)
        if snooze_form is not None or open_to_decide:
            context["snooze_form"] = snooze_form or NoticeSnoozeForm()
    return context
