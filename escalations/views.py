from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance.access import require_manager
from governance.forms import id_from_query
from governance.htmx import PortalRequest
from governance.models import LEVEL_ORDER, Level, User
from suppliers.models import Contract, Supplier

from . import services
from .forms import CommentForm, IssueForm, ReasonForm
from .models import Issue, IssueQuerySet, IssueStatus

# Sections an app above adds to an issue's page (documents: its attachments), each the HTML a
# function of the request and the issue gives.
ISSUE_PAGE_SECTIONS: list[Callable[[PortalRequest, Issue], str]] = []

MOVES = {
    "escalate": (
        services.escalate,
        gettext_lazy("Escalated. The role holders at that level are told."),
    ),
    "de_escalate": (services.de_escalate, gettext_lazy("Handed back one level down.")),
    "resolve": (services.resolve, gettext_lazy("Resolved.")),
}


def _issues(user: User) -> IssueQuerySet:
    return Issue.objects.visible_to(user).prefetch_related(
        Prefetch("contracts", queryset=Contract.objects.select_related("supplier"))
    )


def filtered_issues(user: User, params: QueryDict) -> tuple[IssueQuerySet, dict[str, Any]]:
    """The issue list's rows for a person and its filters (the page and its export)."""
    status = params.get("status", IssueStatus.OPEN)
    level = params.get("level", "")
    supplier = params.get("supplier", "")
    supplier_id = id_from_query(supplier)
    flagged = params.get("flagged") == "1"
    issues = _issues(user)
    if status in IssueStatus.values:
        issues = issues.filter(status=status)
    if level in Level.values:
        issues = issues.filter(level=level)
    if supplier_id:
        issues = issues.filter(contracts__supplier_id=supplier_id).distinct()
    if flagged:
        issues = issues.filter(flagged_at__isnull=False)
    filters = {"status": status, "level": level, "supplier": supplier, "flagged": flagged}
    return issues, filters


@login_required
def issue_list(request: PortalRequest) -> HttpResponse:
    """Issues, filtered by status, level, supplier and flag (the dashboard links here)."""
    issues, filters = filtered_issues(request.user, request.GET)
    suppliers = Supplier.objects.visible_to(request.user).only("pk", "name")
    context = {
        "issues": issues,
        **filters,
        "statuses": IssueStatus.choices,
        "levels": [(value, Level(value).label) for value in LEVEL_ORDER],
        "suppliers": suppliers,
        "today": timezone.localdate(),
        "can_raise": request.user.may_contribute,
    }
    return render(request, "escalations/issue_list.html", context)


@login_required
def issue_create(request: PortalRequest) -> HttpResponse:
    if not request.user.may_contribute:
        raise PermissionDenied
    form = IssueForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        issue = services.raise_issue(by=request.user, **form.cleaned_data)
        messages.success(request, _("Issue raised."))
        return redirect(issue)
    return render(request, "escalations/issue_form.html", {"form": form})


def _detail_context(
    request: PortalRequest,
    issue: Issue,
    reason_form: ReasonForm | None = None,
    move: str | None = None,
    comment_form: CommentForm | None = None,
) -> dict[str, Any]:
    return {
        "may_comment": request.user.may_contribute and issue.status == IssueStatus.OPEN,
        "comment_form": comment_form or CommentForm(),
        "issue": issue,
        "events": issue.events.select_related("by"),
        "next_meeting": services.next_meeting(issue) if issue.status == IssueStatus.OPEN else None,
        "can_manage": request.user.can_manage,
        "reason_form": reason_form or ReasonForm(),
        "failed_move": move,
        "more_sections": [render_section(request, issue) for render_section in ISSUE_PAGE_SECTIONS],
    }


@login_required
def issue_detail(request: PortalRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(_issues(request.user), pk=pk)
    return render(request, "escalations/issue_detail.html", _detail_context(request, issue))


@require_POST
@login_required
def issue_move(request: PortalRequest, pk: int, move: str) -> HttpResponse:
    issue = get_object_or_404(_issues(request.user), pk=pk)
    require_manager(request.user)
    if move not in MOVES:
        return redirect(issue)
    service, done = MOVES[move]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, issue, reason_form=form, move=move)
        return render(request, "escalations/issue_detail.html", context, status=400)
    try:
        service(issue=issue, reason=form.cleaned_data["reason"], by=request.user)
    except services.CannotMove:
        messages.error(request, _("The issue cannot move that way any more."))
    else:
        messages.success(request, done)
    return redirect(issue)


@require_POST
@login_required
def issue_comment(request: PortalRequest, pk: int) -> HttpResponse:
    """A party's comment on an open issue: the city's managers and the suppliers' contacts on
    it; the IT director reads."""
    issue = get_object_or_404(_issues(request.user), pk=pk)
    if not request.user.may_contribute:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, issue, comment_form=form)
        return render(request, "escalations/issue_detail.html", context, status=400)
    try:
        services.comment_on_issue(issue=issue, text=form.cleaned_data["comment"], by=request.user)
    except services.IssueClosed:
        messages.error(request, _("The issue is resolved: it takes no more comments."))
    else:
        messages.success(request, _("Comment added."))
    return redirect(f"{issue.get_absolute_url()}#history")
