"""The governance model of the contracts a person may see: each level's mandate, response
time and role holders on both sides (as the contract's governance page shows them), and the
forums that meet at each level."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from governance.models import GovernanceLevel, RoleHolder
from meetings.models import Forum
from suppliers.models import Contract

from ..pagination import PageQuery, paginate
from . import Id, answers, one, page_of

router = Router(tags=["governance"])


class RoleHolderOut(Schema):
    id: int
    side: str
    role_title: str
    name: str
    email: str
    phone: str


class GovernanceLevelOut(Schema):
    id: int
    contract_id: int
    level: str
    mandate: str
    response_days: int
    role_holders: list[RoleHolderOut]

    @staticmethod
    def resolve_mandate(level: GovernanceLevel) -> str:
        return str(level.mandate_text)

    @staticmethod
    def resolve_response_days(level: GovernanceLevel) -> int:
        return level.response_time

    @staticmethod
    def resolve_role_holders(level: GovernanceLevel) -> list[RoleHolder]:
        return list(level.role_holders.all())


class ForumOut(Schema):
    id: int
    name: str
    level: str
    cadence: str
    mode: str
    is_active: bool
    contract_ids: list[int]

    @staticmethod
    def resolve_contract_ids(forum: Forum, context: dict[str, Any]) -> list[int]:
        # Of a joint forum, only the contracts the person may see.
        visible = Contract.objects.visible_to(context["request"].user).values("pk")
        return sorted(forum.contracts.filter(pk__in=visible).values_list("pk", flat=True))


def _levels(request: HttpRequest) -> QuerySet[GovernanceLevel]:
    holders = RoleHolder.objects.order_by("side", "pk")
    return GovernanceLevel.objects.visible_to(request.user).prefetch_related(
        Prefetch("role_holders", queryset=holders)
    )


@router.get("governance-levels", response=answers(200, page_of(GovernanceLevelOut)))
def list_governance_levels(
    request: HttpRequest, page: Query[PageQuery], contract: Id | None = None
) -> dict:
    levels = _levels(request)
    if contract is not None:
        levels = levels.filter(contract_id=contract)
    return paginate(request, levels, page)


@router.get(
    "governance-levels/{int:governance_level_id}", response=answers(200, GovernanceLevelOut)
)
def get_governance_level(request: HttpRequest, governance_level_id: Id) -> GovernanceLevel:
    return one(_levels(request), governance_level_id)  # type: ignore[return-value]


@router.get("forums", response=answers(200, page_of(ForumOut)))
def list_forums(request: HttpRequest, page: Query[PageQuery], contract: Id | None = None) -> dict:
    forums = Forum.objects.visible_to(request.user)
    if contract is not None:
        forums = forums.filter(contracts=contract)
    return paginate(request, forums, page)


@router.get("forums/{int:forum_id}", response=answers(200, ForumOut))
def get_forum(request: HttpRequest, forum_id: Id) -> Forum:
    return one(Forum.objects.visible_to(request.user), forum_id)  # type: ignore[return-value]
