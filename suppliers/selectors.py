from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from governance.models import GovernanceLevel, RoleHolder
from meetings.models import Expectation

from .models import Contract, Goal, OutcomeCommitment, ServiceLevel

HISTORY_LIMIT = 200
ACTIONS = {"+": _("added"), "~": _("changed"), "-": _("removed")}


def count_missing_roles(contracts):
    """Set missing_role_count on each contract of a page, in one query (counting them in the
    list's own query would count every contract's role holders before the page is cut)."""
    contracts = list(contracts)
    counts = dict(
        Contract.objects.filter(pk__in=[contract.pk for contract in contracts])
        .with_missing_role_count()
        .values_list("pk", "missing_role_count")
    )
    for contract in contracts:
        contract.missing_role_count = counts[contract.pk]
    return contracts


def contracts_with_governance(queryset):
    """Contracts with their levels and role holders, so missing_roles() needs no more queries."""
    return queryset.select_related("supplier").prefetch_related(
        Prefetch(
            "governance_levels",
            queryset=GovernanceLevel.objects.prefetch_related("role_holders"),
        )
    )


@dataclass
class HistoryEntry:
    when: object
    who: object
    action: str
    subject: str
    changes: list = field(default_factory=list)


def _readable_change(model, change):
    """(field label, old, new), with choice values shown by their labels."""
    model_field = model._meta.get_field(change.field)
    labels = dict(model_field.flatchoices)
    return (
        model_field.verbose_name,
        labels.get(change.old, change.old),
        labels.get(change.new, change.new),
    )


def _entries(records, describe):
    """Turn one object's history records, oldest first, into entries with field-level diffs."""
    entries = []
    previous_by_object = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields={"updated_at", "created_at"})
            changes = [_readable_change(record.instance_type, change) for change in delta.changes]
            if not changes:
                previous_by_object[record.id] = record
                continue
        previous_by_object[record.id] = record
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                action=ACTIONS[record.history_type],
                subject=describe(record),
                changes=changes,
            )
        )
    return entries


def contract_history(contract):
    """Every recorded change to a contract and its governance model, newest first.

    A fixed number of queries whatever the length of the history.
    """
    level_names = dict(GovernanceLevel.objects.filter(contract=contract).values_list("id", "level"))
    level_labels = {
        pk: GovernanceLevel(level=name).get_level_display() for pk, name in level_names.items()
    }

    def ordered(history):
        return history.select_related("history_user").order_by("history_date", "history_id")

    sources = [
        (ordered(contract.history.all()), lambda record: _("Contract")),
        (
            ordered(GovernanceLevel.history.filter(contract_id=contract.pk)),
            lambda record: _("Mandate, %(level)s") % {"level": level_labels.get(record.id, "")},
        ),
        (
            ordered(RoleHolder.history.filter(governance_level_id__in=list(level_names))),
            lambda record: (
                _("%(level)s, %(side)s: %(role)s %(name)s")
                % {
                    "level": level_labels.get(record.governance_level_id, ""),
                    "side": record.get_side_display(),
                    "role": record.role_title,
                    "name": record.name,
                }
            ),
        ),
        (
            ordered(OutcomeCommitment.history.filter(contract_id=contract.pk)),
            lambda record: _("Outcome: %(title)s") % {"title": record.title},
        ),
        (
            ordered(ServiceLevel.history.filter(contract_id=contract.pk)),
            lambda record: _("Service level: %(name)s") % {"name": record.name},
        ),
        (
            ordered(Goal.history.filter(contract_id=contract.pk)),
            lambda record: _("Goal: %(title)s") % {"title": record.title},
        ),
        (
            ordered(Expectation.history.filter(contract_id=contract.pk)),
            lambda record: _("Expectation: %(requirement)s") % {"requirement": record.requirement},
        ),
    ]
    entries = [entry for records, describe in sources for entry in _entries(records, describe)]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:HISTORY_LIMIT]
