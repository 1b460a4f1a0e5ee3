from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .models import DEFAULT_MANDATES, LEVEL_ORDER, GovernanceLevel, RoleHolder


def ensure_governance_levels(contract):
    """Give a contract its three governance levels, with the standard mandates, once; the
    contract's history shows them added (by the request's user, if any)."""
    existing = set(contract.governance_levels.values_list("level", flat=True))
    bulk_create_with_history(
        [
            GovernanceLevel(contract=contract, level=level, mandate=str(DEFAULT_MANDATES[level]))
            for level in LEVEL_ORDER
            if level not in existing
        ],
        GovernanceLevel,
    )


@transaction.atomic
def remove_role_holder(holder):
    """Remove a role holder, unless that leaves a running contract with a side unmanned."""
    governance_level = holder.governance_level
    contract = governance_level.contract
    if contract.status in ("active", "terminating"):
        others_on_side = (
            RoleHolder.objects.select_for_update()
            .filter(governance_level=governance_level, side=holder.side)
            .exclude(pk=holder.pk)
        )
        if not others_on_side.exists():
            raise ValidationError(
                _(
                    "%(name)s is the only %(side)s role holder at the %(level)s of a running "
                    "contract. Name a successor before removing them."
                ),
                params={
                    "name": holder.name,
                    "side": holder.get_side_display().lower(),
                    "level": governance_level.get_level_display().lower(),
                },
            )
    holder.delete()
