"""The standing items that show the reported figures: live while the minutes are a draft,
frozen into the items when the minutes are approved (the governance record keeps what the
meeting saw, whatever is corrected later)."""

from simple_history.utils import bulk_update_with_history

from operations.figures import standing_figures
from suppliers.models import Contract

from .models import ItemKind

# The item kinds are the keys of operations.figures.standing_figures().
FIGURE_KINDS = (ItemKind.AVAILABILITY, ItemKind.SUPPORT_TICKETS, ItemKind.SUPPORT_QUESTIONS)


def live_figures(meeting, user):
    """The figures of the meeting's contracts that the user may see, as they stand now."""
    return standing_figures(Contract.objects.visible_to(user).filter(meetings=meeting))


def freeze_figures(minutes, by=None):
    """Copy the figures as they stand into the draft's figure items (kept if already frozen,
    as in a correction copied from an approved version); the items' history records it."""
    items = [
        item for item in minutes.items.all() if item.kind in FIGURE_KINDS and item.figures is None
    ]
    if not items:
        return
    figures = standing_figures(minutes.meeting.contracts.all())
    for item in items:
        item.figures = {"as_of": figures["as_of"], item.kind: figures[item.kind]}
    bulk_update_with_history(items, type(items[0]), ["figures"], default_user=by)


def visible_part(figures, user, contract_ids):
    """Frozen figures without the rows of contracts the user may not see (a joint forum's
    minutes hold every party's figures; each supplier sees its own)."""
    if figures is None or user.sees_portfolio:
        return figures
    return {
        key: [row for row in rows if row["contract_id"] in contract_ids]
        if isinstance(rows, list)
        else rows
        for key, rows in figures.items()
    }


def figures_for_items(minutes, items, user):
    """What each figure item shows, by item pk, with a fixed number of queries."""
    figure_items = [item for item in items if item.kind in FIGURE_KINDS]
    if not figure_items:
        return {}
    if minutes.is_approved:
        contract_ids = (
            set()
            if user.sees_portfolio
            else set(Contract.objects.visible_to(user).values_list("pk", flat=True))
        )
        return {item.pk: visible_part(item.figures, user, contract_ids) for item in figure_items}
    live = live_figures(minutes.meeting, user)
    return {item.pk: live for item in figure_items}
