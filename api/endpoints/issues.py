"""Issues the person may see, with their moves; raising one goes through the issue page's form
and service (escalations.forms.IssueForm, escalations.services.raise_issue)."""

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from escalations.forms import IssueForm
from escalations.models import Issue, IssueEvent, IssueQuerySet, IssueStatus, Severity
from escalations.services import IssueClosed, comment_on_issue, raise_issue
from governance.models import Level, User
from suppliers.models import Contract

from ..auth import require_write
from ..pagination import PageQuery, paginate
from ..problems import ProblemError
from . import Id, answers, one, page_of

router = Router(tags=["issues"])


class IssueEventOut(Schema):
    kind: str
    from_level: str
    to_level: str
    reason: str
    by: str | None
    at: datetime

    @staticmethod
    def resolve_by(event: IssueEvent) -> str | None:
        return str(event.by) if event.by is not None else None


class IssueOut(Schema):
    id: int
    title: str
    description: str
    level: str
    status: str
    severity: str
    owner_name: str
    owner_organisation: str
    due_on: date | None
    flagged: bool
    created_at: datetime
    contract_ids: list[int]
    events: list[IssueEventOut]

    @staticmethod
    def resolve_flagged(issue: Issue) -> bool:
        return issue.is_flagged

    @staticmethod
    def resolve_contract_ids(issue: Issue, context: dict[str, Any]) -> list[int]:
        # Of a joint matter, only the contracts the person may see.
        user = context["request"].user
        visible = Contract.objects.visible_to(user).values("pk")
        return sorted(issue.contracts.filter(pk__in=visible).values_list("pk", flat=True))

    @staticmethod
    def resolve_events(issue: Issue) -> list[IssueEvent]:
        return list(issue.events.all())


class IssueIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    level: Level = Level.OPERATIONAL
    contract_ids: list[Id] = Field(min_length=1, max_length=50)
    owner_name: str = Field(max_length=120)
    owner_organisation: str = Field(max_length=200)
    severity: Severity = Severity.MEDIUM
    due_on: date | None = None


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


# The form's field names as the API names them.
FIELDS = {"contracts": "contract_ids", "__all__": "__all__"}


def _issues(request: HttpRequest) -> IssueQuerySet:
    events = IssueEvent.objects.select_related("by")
    return Issue.objects.visible_to(request.user).prefetch_related(
        Prefetch("events", queryset=events)
    )


@router.get("issues", response=answers(200, page_of(IssueOut)))
def list_issues(
    request: HttpRequest, page: Query[PageQuery], status: IssueStatus | None = None
) -> dict:
    issues = _issues(request)
    if status is not None:
        issues = issues.filter(status=status)
    return paginate(request, issues, page)


@router.get("issues/{int:issue_id}", response=answers(200, IssueOut))
def get_issue(request: HttpRequest, issue_id: Id) -> Issue:
    return one(_issues(request), issue_id)  # type: ignore[return-value]


@router.post("issues", response=answers(201, IssueOut))
def create_issue(request: HttpRequest, payload: IssueIn) -> Status:
    """Raise an issue, as the issue page does: the level's role holders on both sides are told.
    A supplier's contact raises issues on their own supplier's contracts."""
    require_write(request)
    user: User = request.user  # type: ignore[assignment]
    if not user.may_contribute:
        raise ProblemError(403, _("You may not raise issues."))
    data = payload.dict()
    data["contracts"] = data.pop("contract_ids")
    data["due_on"] = data["due_on"].isoformat() if data["due_on"] else ""
    form = IssueForm(data, user=user)
    if not form.is_valid():
        errors = [
            {"field": f"body.{FIELDS.get(name, name)}", "message": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise ProblemError(422, _("Nothing was saved: see errors."), errors=errors)
    issue = raise_issue(by=user, **form.cleaned_data)
    return Status(201, one(_issues(request), issue.pk))


@router.post("issues/{int:issue_id}/comments", response=answers(201, IssueEventOut))
def comment_issue(request: HttpRequest, issue_id: Id, payload: CommentIn) -> Status:
    """Comment on an open issue, as its page does: the comment goes into its history. The
    city's managers and the contacts of a supplier on the issue comment; the director reads."""
    require_write(request)
    user: User = request.user  # type: ignore[assignment]
    issue = one(_issues(request), issue_id)
    if not user.may_contribute:
        raise ProblemError(403, _("You may not comment on issues."))
    if not payload.text.strip():
        errors = [{"field": "body.text", "message": str(_("This field is required."))}]
        raise ProblemError(422, _("Nothing was saved: see errors."), errors=errors)
    try:
        event = comment_on_issue(issue=issue, text=payload.text.strip(), by=user)  # type: ignore[arg-type]
    except IssueClosed:
        raise ProblemError(422, _("The issue is resolved: it takes no more comments.")) from None
    return Status(201, event)
