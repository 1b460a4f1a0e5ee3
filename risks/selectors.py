"""Reads of the risk register that other pages show: a supplier's or a contract's open risks,
and the likelihood x impact heat map of the dashboard."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import User

from .models import ACTIVE_STATUSES, SCALE, Impact, Likelihood, Risk, step_label

SECTION_SHOWN = 10


def band(score: int) -> tuple[str, Any]:
    """The band of a score, as a class and the word people read next to its colour."""
    if score >= 15:
        return "critical", _("very high")
    if score >= 8:
        return "high", _("high")
    if score >= 4:
        return "medium", _("medium")
    return "low", _("low")


def risks_section(user: User, *, supplier: Any = None, contract: Any = None) -> dict[str, Any]:
    """The open (not closed) risks a person may see of a supplier or a contract, highest score
    first, for the supplier's and the contract's pages."""
    risks = (
        Risk.objects.visible_to(user)
        .active()
        .select_related("supplier", "contract", "owner_user", "owner_contact")
    )
    if contract is not None:
        risks = risks.filter(contract=contract)
        query = f"?supplier={contract.supplier_id}&contract={contract.pk}"
    else:
        risks = risks.filter(supplier=supplier)
        query = f"?supplier={supplier.pk}"
    shown = list(risks.by_score()[: SECTION_SHOWN + 1])
    return {
        "open_risks": shown[:SECTION_SHOWN],
        "more_risks": len(shown) > SECTION_SHOWN,
        "risks_url": reverse("risks:list") + query,
        "may_add_risk": user.can_manage,
        "add_risk_url": reverse("risks:create") + query,
    }


@dataclass
class Cell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        return band(self.score)[0]

    @property
    def band_label(self) -> Any:
        return band(self.score)[1]

    @property
    def url(self) -> str:
        return (
            reverse("risks:list")
            + f"?status=active&likelihood={self.likelihood}&impact={self.impact}"
        )


def heat_map_counts() -> dict[tuple[int, int], int]:
    """The risks not closed, counted per (likelihood, impact): one query."""
    rows = (
        Risk.objects.filter(status__in=ACTIVE_STATUSES)
        .values_list("likelihood", "impact")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(likelihood, impact): count for likelihood, impact, count in rows}


def heat_map(counts: dict[tuple[int, int], int]) -> dict[str, Any]:
    """The 5 x 5 table: likelihood rows (the most likely on top), impact columns."""
    rows = [
        (
            step_label(Likelihood, likelihood),
            [Cell(likelihood, impact, counts.get((likelihood, impact), 0)) for impact in SCALE],
        )
        for likelihood in reversed(SCALE)
    ]
    return {
        "rows": rows,
        "impacts": [step_label(Impact, impact) for impact in SCALE],
        "total": sum(counts.values()),
        "bands": [band(score) for score in (25, 9, 4, 1)],
    }


SHOWN_IN_HISTORY = (
    "title",
    "description",
    "contract",
    "likelihood",
    "impact",
    "owner_user",
    "owner_contact",
    "mitigation",
    "review_on",
    "status",
    "shared_with_supplier",
)


def _shown(record: Any, name: str) -> str:
    value = getattr(record, name)
    if name in {"contract", "owner_user", "owner_contact"}:
        related = getattr(record, f"{name}_id")
        if related is None:
            return "-"
        model = Risk._meta.get_field(name).related_model
        found = model._default_manager.filter(pk=related).first()  # type: ignore[union-attr]
        return str(found) if found is not None else "-"
    if name == "likelihood":
        return step_label(Likelihood, value)
    if name == "impact":
        return step_label(Impact, value)
    if name == "status":
        return str(record.instance.__class__(status=value).get_status_display())
    if name == "shared_with_supplier":
        return str(_("yes") if value else _("no"))
    if name == "review_on":
        return f"{value:%Y-%m-%d}"
    return str(value)


def risk_history(risk: Risk) -> list[dict[str, Any]]:
    """The risk's history as its page shows it: when, who, and each field changed from what to
    what (the first record: created)."""
    records = list(
        risk.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries = []
    previous = None
    for record in records:
        changes: list[dict[str, Any]] = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=list(SHOWN_IN_HISTORY))
            changes = [
                {
                    "field": Risk._meta.get_field(change.field).verbose_name,  # type: ignore[union-attr]
                    "old": _shown(previous, change.field),
                    "new": _shown(record, change.field),
                }
                for change in delta.changes
            ]
        if previous is None or changes:
            entries.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "created": previous is None,
                    "changes": changes,
                }
            )
        previous = record
    return list(reversed(entries))
