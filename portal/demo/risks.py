"""The demo's risk register: a few risks of the demo suppliers, shared and not, one due for
review today and one linked to the escalated storage issue, so the dashboard's heat map and a
supplier's own view have something to show."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from escalations.models import Issue
from governance.models import User
from risks.models import Risk, RiskStatus
from risks.services import add_comment, create_risk
from suppliers.models import Contract, ContractStatus, Supplier, Tier

# (supplier index among the key suppliers first, title, description, likelihood, impact,
#  shared, owned by the supplier's first contact, review in days, status, mitigation)
RISKS = [
    (
        0,
        "Storage platform out of vendor support",
        "The storage arrays behind the night-time outages leave the vendor's support next year.",
        4,
        5,
        True,
        True,
        0,
        RiskStatus.OPEN,
        "Replacement plan and budget to the quarterly meeting.",
    ),
    (
        1,
        "Key person dependency in the case-management move",
        "One architect at the supplier holds the migration plan.",
        3,
        4,
        True,
        False,
        20,
        RiskStatus.OPEN,
        "A second architect shadows the migration from next month.",
    ),
    (
        2,
        "Exit plan untested",
        "The contract's exit plan has never been rehearsed; data export formats are unclear.",
        2,
        5,
        False,
        False,
        60,
        RiskStatus.MONITORING,
        "A desk exercise of the exit plan before the renewal decision.",
    ),
    (
        0,
        "Licence audit finds under-licensing",
        "",
        3,
        2,
        True,
        False,
        45,
        RiskStatus.OPEN,
        "",
    ),
]


def seed_risks(by: User, stdout: Any = None) -> None:
    """Record the demo risks (once: a risk of that title is left alone)."""
    suppliers = list(Supplier.objects.order_by("tier", "name"))
    key_first = sorted(suppliers, key=lambda supplier: supplier.tier != Tier.KEY)
    storage_issue = Issue.objects.filter(title="Storage outages recur").first()
    today = timezone.localdate()
    for index, title, description, likelihood, impact, shared, theirs, days, status, plan in RISKS:
        if Risk.objects.filter(title=title).exists() or index >= len(key_first):
            continue
        supplier = key_first[index]
        contract = (
            Contract.objects.filter(supplier=supplier, status=ContractStatus.ACTIVE)
            .order_by("reference")
            .first()
        )
        contact = supplier.contacts.order_by("pk").first() if theirs else None
        risk = create_risk(
            by=by,
            supplier=supplier,
            contract=contract,
            title=title,
            description=description,
            likelihood=likelihood,
            impact=impact,
            owner_user=None if contact else by,
            owner_contact=contact,
            mitigation=plan,
            review_on=today + timedelta(days=days),
            status=status,
            shared_with_supplier=shared,
            issues=[storage_issue] if storage_issue and index == 0 else [],
        )
        if theirs:
            note = "Please bring the replacement plan to the quarterly meeting."
            add_comment(risk=risk, body=note, by=by)
    if stdout is not None:
        stdout.write(f"Risk register: {Risk.objects.count()} risks.")
