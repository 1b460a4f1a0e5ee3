"""Meetings, their approved minutes and the actions, as the person may see them (a supplier's
contact: the meetings its contracts were on)."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from meetings.models import Action, Meeting, Minutes
from suppliers.models import Contract

from ..pagination import PageQuery, paginate
from . import Id, answers, one, page_of

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    forum_id: int
    forum_name: str
    level: str
    starts_at: datetime
    ends_at: datetime
    status: str
    contract_ids: list[int]

    @staticmethod
    def resolve_forum_name(meeting: Meeting) -> str:
        return meeting.forum.name

    @staticmethod
    def resolve_level(meeting: Meeting) -> str:
        return meeting.forum.level

    @staticmethod
    def resolve_contract_ids(meeting: Meeting, context: dict[str, Any]) -> list[int]:
        # Of a joint meeting, only the contracts the person may see.
        visible = Contract.objects.visible_to(context["request"].user).values("pk")
        return sorted(meeting.contracts.filter(pk__in=visible).values_list("pk", flat=True))


class ItemOut(Schema):
    position: int
    title: str
    kind: str
    notes: str
    decisions: list[str]

    @staticmethod
    def resolve_decisions(item: Any) -> list[str]:
        return item.decision_lines()


class AttendeeOut(Schema):
    name: str
    organisation: str
    side: str
    role_title: str
    present: bool


class MinutesOut(Schema):
    """An approved version of a meeting's minutes (drafts are not the record yet). The figures
    frozen into an item stay on the portal's page, which shows each supplier its own."""

    id: int
    meeting_id: int
    number: int
    approved_at: datetime
    approved_by_name: str
    correction_reason: str
    items: list[ItemOut]
    attendance: list[AttendeeOut]

    @staticmethod
    def resolve_items(minutes: Minutes) -> list[Any]:
        return list(minutes.items.all())

    @staticmethod
    def resolve_attendance(minutes: Minutes) -> list[Any]:
        return list(minutes.attendance.all())


class ActionOut(Schema):
    id: int
    minutes_id: int
    meeting_id: int
    description: str
    owner_name: str
    owner_organisation: str
    due_on: date | None
    status: str

    @staticmethod
    def resolve_meeting_id(action: Action) -> int:
        return action.minutes.meeting_id

    @staticmethod
    def resolve_status(action: Action) -> str:
        # The latest update between meetings, else what the minutes record.
        return getattr(action, "state", None) or action.status


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(request.user).select_related("forum")


def _minutes(request: HttpRequest) -> QuerySet[Minutes]:
    return Minutes.objects.visible_to(request.user).filter(approved_at__isnull=False)


def _actions(request: HttpRequest) -> Any:
    return Action.objects.visible_to(request.user).with_latest_update().select_related("minutes")


@router.get("meetings", response=answers(200, page_of(MeetingOut)))
def list_meetings(request: HttpRequest, page: Query[PageQuery], forum: Id | None = None) -> dict:
    meetings = _meetings(request)
    if forum is not None:
        meetings = meetings.filter(forum_id=forum)
    return paginate(request, meetings, page)


@router.get("meetings/{int:meeting_id}", response=answers(200, MeetingOut))
def get_meeting(request: HttpRequest, meeting_id: Id) -> Meeting:
    return one(_meetings(request), meeting_id)  # type: ignore[return-value]


@router.get("minutes", response=answers(200, page_of(MinutesOut)))
def list_minutes(request: HttpRequest, page: Query[PageQuery], meeting: Id | None = None) -> dict:
    minutes = _minutes(request)
    if meeting is not None:
        minutes = minutes.filter(meeting_id=meeting)
    return paginate(request, minutes, page)


@router.get("minutes/{int:minutes_id}", response=answers(200, MinutesOut))
def get_minutes(request: HttpRequest, minutes_id: Id) -> Minutes:
    return one(_minutes(request), minutes_id)  # type: ignore[return-value]


@router.get("actions", response=answers(200, page_of(ActionOut)))
def list_actions(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """Each action as its forum's latest minutes record it, with its owner's latest status."""
    return paginate(request, _actions(request).current(), page)


@router.get("actions/{int:action_id}", response=answers(200, ActionOut))
def get_action(request: HttpRequest, action_id: Id) -> Action:
    return one(_actions(request), action_id)  # type: ignore[return-value]
