"""The register: suppliers, contracts and their service levels, as the person may see them."""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from suppliers.models import Contract, ServiceLevel, Supplier

from ..pagination import PageQuery, paginate
from . import Id, answers, one, page_of

router = Router(tags=["register"])


class SupplierOut(Schema):
    id: int
    name: str
    organisation_number: str
    tier: str
    description: str


class ContractOut(Schema):
    id: int
    supplier_id: int
    reference: str
    title: str
    scope: str
    status: str
    start_date: date
    end_date: date | None
    notice_period_months: int
    renewal: str
    annual_value_sek: int
    notice_deadline: date | None

    @staticmethod
    def resolve_notice_deadline(contract: Contract) -> date | None:
        return contract.notice_deadline()

    @staticmethod
    def resolve_annual_value_sek(contract: Contract) -> int:
        return int(contract.annual_value_sek)


class ServiceLevelOut(Schema):
    id: int
    contract_id: int
    name: str
    metric: str
    comparison: str
    target: str
    unit: str
    period: str

    @staticmethod
    def resolve_target(service_level: ServiceLevel) -> str:
        return f"{service_level.target.normalize():f}"


def service_levels(request: HttpRequest) -> QuerySet[ServiceLevel]:
    return ServiceLevel.objects.filter(contract__in=Contract.objects.visible_to(request.user))


@router.get("suppliers", response=answers(200, page_of(SupplierOut)))
def list_suppliers(request: HttpRequest, page: Query[PageQuery]) -> dict:
    return paginate(request, Supplier.objects.visible_to(request.user), page)


@router.get("suppliers/{int:supplier_id}", response=answers(200, SupplierOut))
def get_supplier(request: HttpRequest, supplier_id: Id) -> Supplier:
    return one(Supplier.objects.visible_to(request.user), supplier_id)  # type: ignore[return-value]


@router.get("contracts", response=answers(200, page_of(ContractOut)))
def list_contracts(
    request: HttpRequest, page: Query[PageQuery], supplier: Id | None = None
) -> dict:
    contracts = Contract.objects.visible_to(request.user)
    if supplier is not None:
        contracts = contracts.filter(supplier_id=supplier)
    return paginate(request, contracts, page)


@router.get("contracts/{int:contract_id}", response=answers(200, ContractOut))
def get_contract(request: HttpRequest, contract_id: Id) -> Contract:
    return one(Contract.objects.visible_to(request.user), contract_id)  # type: ignore[return-value]


@router.get("service-levels", response=answers(200, page_of(ServiceLevelOut)))
def list_service_levels(
    request: HttpRequest, page: Query[PageQuery], contract: Id | None = None
) -> dict:
    rows = service_levels(request)
    if contract is not None:
        rows = rows.filter(contract_id=contract)
    return paginate(request, rows, page)


@router.get("service-levels/{int:service_level_id}", response=answers(200, ServiceLevelOut))
def get_service_level(request: HttpRequest, service_level_id: Id) -> ServiceLevel:
    return one(service_levels(request), service_level_id)  # type: ignore[return-value]
