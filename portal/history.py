"""The change history of a contract: every recorded change to it, its governance model, what
it commits to, its target picture and calibrations (records of four apps, so it lives here)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from documents.models import Document, DocumentVersion
from governance.models import GovernanceLevel, RoleHolder
from relationship.models import CityGoal, Expectation, Goal
from suppliers.models import (
    Contract,
    NoticeDecision,
    OutcomeCommitment,
    ServiceLevel,
    StatusDecision,
)

HISTORY_LIMIT = 200
ACTIONS = {"+": _("added"), "~": _("changed"), "-": _("removed")}


@dataclass
class HistoryEntry:
    when: Any
    who: Any
    action: Any  # a lazily translated label
    subject: str
    changes: list = field(default_factory=list)


def _readable_change(
    model: Any, change: Any, names: dict[str, dict[Any, str]]
) -> tuple[Any, Any, Any]:
    """(field label, old, new), with choice values shown by their labels and the records a
    field points to by `names` ({field: {id: name}})."""
    model_field = model._meta.get_field(change.field)
    labels = dict(model_field.flatchoices) | names.get(change.field, {})
    return (
        model_field.verbose_name,
        labels.get(change.old, change.old),
        labels.get(change.new, change.new),
    )


def _entries(
    records: Any, describe: Callable[[Any], Any], names: dict[str, dict[Any, str]]
) -> list[HistoryEntry]:
    """Turn one object's history records, oldest first, into entries with field-level diffs."""
    entries = []
    previous_by_object: dict[Any, Any] = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields={"updated_at", "created_at"})
            changes = [
                _readable_change(record.instance_type, change, names) for change in delta.changes
            ]
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


def contract_history(
    contract: Contract, *, city_side: bool = False, documents: Any = None
) -> list[HistoryEntry]:
    """Every recorded change to a contract and its governance model, newest first; for the
    city's side (city_side) also its decisions before each notice deadline; each upload of
    the documents attached to it (`documents`: those the reader sees; all when not given).

    A fixed number of queries whatever the length of the history.
    """
    level_names = dict(GovernanceLevel.objects.filter(contract=contract).values_list("id", "level"))
    level_labels = {
        pk: GovernanceLevel(level=name).get_level_display() for pk, name in level_names.items()
    }

    def ordered(history: Any) -> Any:
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
        (
            ordered(StatusDecision.history.filter(contract_id=contract.pk)),
            lambda record: (
                _("%(status)s, decided by %(name)s (business level): %(reason)s")
                % {
                    "status": record.get_status_display(),
                    "name": record.decided_by_name,
                    "reason": record.reason,
                }
            ),
        ),
    ]
    if city_side:
        sources.append(
            (
                ordered(NoticeDecision.history.filter(contract_id=contract.pk)),
                lambda record: (
                    _("Notice decision for the term ending %(term_end)s: %(decision)s")
                    % {"term_end": record.term_end, "decision": record.get_decision_display()}
                ),
            )
        )
    if documents is None:
        documents = Document.objects.attached_to(contract)
    attached = {document.pk: document for document in documents.only("title", "document_type")}

    def upload(record: Any) -> Any:
        document = attached[record.document_id]
        names = {
            "title": document.title,
            "type": document.get_document_type_display(),
            "file": record.file_name,
            "number": record.number,
        }
        if record.number == 1:
            return _("Document attached: %(title)s (%(type)s), %(file)s") % names
        return _("Document %(title)s (%(type)s): version %(number)s, %(file)s") % names

    sources.append(
        (ordered(DocumentVersion.history.filter(document_id__in=list(attached))), upload)
    )
    # A goal's city-wide goal by its title (the city's few goals, one query).
    names = {"city_goal": dict(CityGoal.objects.values_list("id", "title"))}
    entries = [
        entry for records, describe in sources for entry in _entries(records, describe, names)
    ]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:HISTORY_LIMIT]
