"""The risk register: a supplier's contacts read their own supplier's risks the city shared
with them, the city's people every risk (Risk.objects.visible_to)."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from risks.models import Risk

from ..pagination import PageQuery, paginate
from . import Id, answers, one, page_of

router = Router(tags=["risks"])


class RiskOut(Schema):
    id: int
    supplier_id: int
    contract_id: int | None
    title: str
    description: str
    likelihood: int
    impact: int
    score: int
    mitigation: str
    review_on: date
    status: str
    owner_name: str
    shared_with_supplier: bool


@router.get("risks", response=answers(200, page_of(RiskOut)))
def list_risks(
    request: HttpRequest,
    page: Query[PageQuery],
    supplier: Id | None = None,
    contract: Id | None = None,
) -> dict:
    risks = Risk.objects.visible_to(request.user).select_related("owner_user", "owner_contact")
    if supplier is not None:
        risks = risks.filter(supplier_id=supplier)
    if contract is not None:
        risks = risks.filter(contract_id=contract)
    return paginate(request, risks, page)


@router.get("risks/{int:risk_id}", response=answers(200, RiskOut))
def get_risk(request: HttpRequest, risk_id: Id) -> Risk:
    risks = Risk.objects.visible_to(request.user).select_related("owner_user", "owner_contact")
    return one(risks, risk_id)  # type: ignore[return-value]
