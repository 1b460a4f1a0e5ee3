"""Reads of the governance model: who holds which role at each level of a contract."""

from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import Prefetch, prefetch_related_objects

from .forms import RoleHolderForm
from .models import GovernanceLevel, Side, User


class GovernedContract(Protocol):
    """What this floor needs of a contract (suppliers.Contract, one floor up, is one)."""

    @property
    def pk(self) -> Any: ...

    @property
    def governance_levels(self) -> Any: ...

    def missing_roles(self) -> Any: ...

    def get_absolute_url(self) -> str: ...


def with_role_holders(contracts: Iterable[Any]) -> None:
    """Load the contracts' levels and role holders, so missing_roles() needs no more queries."""
    prefetch_related_objects(
        list(contracts),
        Prefetch(
            "governance_levels", queryset=GovernanceLevel.objects.prefetch_related("role_holders")
        ),
    )


def governance_model(
    contract: GovernedContract,
    user: User,
    *,
    holder_forms: dict[str, RoleHolderForm] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The contract page's governance section: each level with its mandate and role holders
    per side; a manager also gets each level's form (holder_forms carry bound ones) and the
    error a refused change left (errors, by level)."""
    holder_forms = holder_forms or {}
    errors = errors or {}
    levels = sorted(contract.governance_levels.all(), key=lambda level: level.rank)
    for level in levels:
        holders = list(level.role_holders.all())
        level.sides = [(side, [h for h in holders if h.side == side]) for side in Side]
        level.error = errors.get(level.level)
        if user.can_manage:
            level.holder_form = holder_forms.get(level.level) or RoleHolderForm(
                governance_level=level, prefix=level.level
            )
    return {
        "contract": contract,
        "levels": levels,
        "missing_roles": contract.missing_roles(),
        "can_manage": user.can_manage,
    }
