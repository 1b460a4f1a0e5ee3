"""Reads of the governance model: who holds which role at each level of a contract."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from .forms import RoleHolderForm
from .models import GovernanceLevel, Level, RoleHolder, Side, SignOff, SignOffRound, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


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


@dataclass
class SignOffState:
    """Where a contract's sign-off of its governance model stands: not asked (no round),
    waiting for one side or both, or signed off by both; `reopened` is the round a change made
    void, when the current one was opened by it."""

    round: SignOffRound | None = None
    signatures: dict[str, SignOff] = field(default_factory=dict)
    reopened: SignOffRound | None = None

    @property
    def asked(self) -> bool:
        return self.round is not None

    @property
    def complete(self) -> bool:
        return self.round is not None and set(self.signatures) == set(Side)

    @property
    def waiting_for(self) -> list[Side]:
        return [side for side in Side if side not in self.signatures] if self.round else []

    @property
    def city(self) -> SignOff | None:
        return self.signatures.get(Side.BUYER)

    @property
    def supplier(self) -> SignOff | None:
        return self.signatures.get(Side.SUPPLIER)

    @property
    def waiting_text(self) -> str:
        """Whose sign-off is still to come, as the page and refusals say it."""
        waiting = set(self.waiting_for)
        if waiting == set(Side):
            return _("Waiting for the city and the supplier")
        if Side.BUYER in waiting:
            return _("Waiting for the city")
        if Side.SUPPLIER in waiting:
            return _("Waiting for the supplier")
        return ""

    def refusal(self) -> str:
        """Why a contract cannot go active yet, in a sentence (empty when it can)."""
        if self.complete:
            return ""
        if not self.asked:
            return _(
                "The contract cannot be made active: both sides' business level must sign off "
                "the governance model first, and nobody has been asked yet."
            )
        return _(
            "The contract cannot be made active: the governance model is not yet signed off "
            "by both sides (%(waiting)s)."
        ) % {"waiting": self.waiting_text.lower()}


def sign_off_state(contract: Any) -> SignOffState:
    """The sign-off of a contract's current governance model (two queries)."""
    rounds = list(
        SignOffRound.objects.filter(contract=contract)
        .prefetch_related("signatures")
        .order_by("-opened_at", "-pk")[:2]
    )
    current = next((item for item in rounds if item.closed_at is None), None)
    if current is None:
        return SignOffState()
    reopened = None
    if current.reopened_by_change:
        reopened = next((item for item in rounds if item.closed_at is not None), None)
    signatures = {signature.side: signature for signature in current.signatures.all()}
    return SignOffState(round=current, signatures=signatures, reopened=reopened)


def signing_holder(
    contract: Any, user: "User | AnonymousUser", state: SignOffState
) -> RoleHolder | None:
    """The business-level role holder the signed-in person is on a side still to sign off
    (whose button they see), or None."""
    if not user.is_authenticated or not state.asked:
        return None
    holders = RoleHolder.objects.people_at(Level.BUSINESS, [contract]).select_related(
        "user", "contact__user", "governance_level"
    )
    for holder in holders:
        if holder.side not in state.signatures and holder.is_held_by(user):
            return holder
    return None


def governance_model(
    contract: GovernedContract,
    user: "User | AnonymousUser",
    *,
    holder_forms: dict[str, RoleHolderForm] | None = None,
    errors: dict[str, str] | None = None,
    read_only: bool = False,
) -> dict[str, Any]:
    """The contract page's governance section: each level with its mandate and role holders
    per side, and the state of its sign-off; a manager also gets each level's form
    (holder_forms carry bound ones) and the error a refused change left (errors, by level).
    read_only: as the e-mailed sign-off link shows it, without forms or buttons."""
    holder_forms = holder_forms or {}
    errors = errors or {}
    can_manage = not read_only and getattr(user, "can_manage", False)
    levels = sorted(contract.governance_levels.all(), key=lambda level: level.rank)
    for level in levels:
        holders = list(level.role_holders.all())
        level.sides = [(side, [h for h in holders if h.side == side]) for side in Side]
        level.error = errors.get(level.level)
        if can_manage:
            level.holder_form = holder_forms.get(level.level) or RoleHolderForm(
                governance_level=level, prefix=level.level
            )
    state = sign_off_state(contract)
    return {
        "contract": contract,
        "levels": levels,
        "missing_roles": contract.missing_roles(),
        "can_manage": can_manage,
        "sign_off": state,
        "signing_holder": None if read_only else signing_holder(contract, user, state),
        "read_only": read_only,
    }
