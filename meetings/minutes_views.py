"""Minutes: the htmx editor during a meeting, approval and versions after it.

Every view starts from Minutes.objects.visible_to(user); only managers change a draft, and
everyone who sees the minutes may comment. Each inline edit answers htmx with its section and
a browser without JavaScript with the page it belongs to (or sends it back there), so nothing
is lost either way.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from governance.access import require_manager
from governance.fragments import audience, shared_fragment
from governance.htmx import PortalRequest, message_above_the_page, section
from governance.models import TEXT_MAX_LENGTH

from . import services
from .figures import FIGURE_KINDS, figures_for_items
from .forms import (
    ActionForm,
    AddItemForm,
    AttendeeForm,
    CommentForm,
    CorrectionForm,
    MinutesItemForm,
)
from .models import Action, Attendance, ItemKind, Meeting, Minutes, MinutesItem, MinutesPdf
from .pdf import PDF_PACKAGES_INSTALL, pdf_renderer_problem
from .selectors import open_issues_for, visible_meeting, with_versions

MINUTES = "meetings/minutes_detail.html"
ITEM = "meetings/minutes_item.html"
ACTION = "meetings/minutes_action.html"


# Sections an app above adds to the minutes' own page about their meeting (documents: the
# reports presented), each the HTML a function of the request and the meeting gives.
MINUTES_PAGE_SECTIONS: list[Callable[[PortalRequest, Meeting], str]] = []


def _visible_minutes(request: PortalRequest, pk: int) -> Minutes:
    return get_object_or_404(
        Minutes.objects.visible_to(request.user)
        .for_page()
        .select_related("meeting__forum", "created_by"),
        pk=pk,
    )


def _visible_row(request: PortalRequest, model: type[Model], pk: int) -> Any:
    """An item, action or attendance row of minutes the user may see (else 404)."""
    return get_object_or_404(
        model.objects.filter(  # type: ignore[attr-defined]
            minutes__in=Minutes.objects.visible_to(request.user)
        ).select_related("minutes__meeting__forum"),
        pk=pk,
    )


def _at(minutes: Minutes, anchor: str) -> str:
    """Where a change lands on the meeting page, for a browser without JavaScript."""
    return f"{minutes.meeting.get_absolute_url()}#{anchor}"


def _locked_response(request: PortalRequest, minutes: Minutes) -> HttpResponse:
    messages.error(
        request, _("These minutes are approved and locked. Start a correction to change them.")
    )
    if request.htmx:
        return HttpResponseClientRedirect(minutes.meeting.get_absolute_url())
    return redirect(minutes.meeting)


def _conflict_form(request: PortalRequest, form: Any, current: Any) -> Any:
    """The form again with what this person typed, now at the saved revision: their text is
    kept, and saving it again is a conscious choice over the other person's."""
    data = request.POST.copy()
    data[form.add_prefix("revision")] = current.revision
    return type(form)(data, instance=current)


def item_context(
    request: PortalRequest,
    item: MinutesItem,
    form: MinutesItemForm | None = None,
    conflict: MinutesItem | None = None,
    saved: bool = False,
    figures: Any = None,
) -> dict[str, Any]:
    editing = request.user.can_manage and not item.minutes.is_approved  # forms only then
    if figures is None and item.kind in FIGURE_KINDS:
        figures = figures_for_items(item.minutes, [item], request.user).get(item.pk)
    return {
        "figures": figures,
        "open_issues": (
            open_issues_for(item.minutes.meeting, request.user)
            if item.kind == ItemKind.ESCALATIONS and not item.minutes.is_approved
            else []  # approved minutes do not list today's open issues
        ),
        "item": item,
        "minutes": item.minutes,
        "form": form or (MinutesItemForm(instance=item) if editing else None),
        "conflict": conflict,
        "saved": saved,
        "editing": editing,
        "item_actions": [
            (action, ActionForm(instance=action) if editing else None)
            for action in item.actions.all()
        ],
        "new_action_form": ActionForm(prefix=f"new-action-{item.pk}") if editing else None,
    }


def pdf_status_context(minutes: Minutes) -> dict[str, Any]:
    """Why an approved version's PDF cannot come: this machine cannot make PDFs (asked only
    while the PDF is missing, so a page with its PDF never loads WeasyPrint)."""
    waiting = minutes.is_approved and getattr(minutes, "pdf", None) is None
    return {
        "pdf_problem": pdf_renderer_problem() if waiting else None,
        "pdf_packages_install": PDF_PACKAGES_INSTALL,
    }


def _item_section(
    request: PortalRequest, context: dict[str, Any], *, changed: bool = False
) -> HttpResponse:
    done = _at(context["minutes"], f"item-{context['item'].pk}") if changed else None
    return section(request, ITEM, context, partial="item", done=done)


def _record(
    request: PortalRequest, minutes: Minutes, versions: list[Minutes], **overrides: Any
) -> str:
    """The minutes themselves: versions, attendance, items with their actions and figures."""
    items = list(
        minutes.items.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("origin__minutes__meeting"))
        )
    )
    figures = figures_for_items(minutes, items, request.user)
    attendance = list(minutes.attendance.all())
    editing = request.user.can_manage and not minutes.is_approved
    context = {
        "minutes": minutes,
        "editing": editing,
        "key_supplier_meeting": minutes.meeting.forum.is_key_supplier_meeting,
        "mandate_gaps": minutes.mandate_gaps() if editing else [],
        "items": [item_context(request, item, figures=figures.get(item.pk)) for item in items],
        "attendance": attendance,
        "attendee_form": AttendeeForm(),
        "add_item_form": AddItemForm(),
        "versions": versions,
        "organisations": sorted({row.organisation for row in attendance}),
        # Owners named from the attendance get the action as theirs between meetings.
        "attendees": sorted({row.name for row in attendance}),
        **pdf_status_context(minutes),
        **overrides,
    }
    return render_to_string(f"{MINUTES}#record", context, request)


def minutes_page_context(
    request: PortalRequest, minutes: Minutes, **overrides: Any
) -> dict[str, Any]:
    """What the minutes show, on their own page and on the meeting page; overrides carry a
    bound form with its errors (attendee_form into the record, comment_form, correction_form)."""
    # The meeting page has them already (its prefetch); the minutes page looks them up here.
    versions = list(with_versions(minutes.meeting).minutes_versions.all())
    record_overrides = {
        name: overrides.pop(name)
        for name in ("attendee_form", "add_item_form")
        if name in overrides
    }
    if minutes.is_approved:
        # Approved minutes are locked in the database: their record only changes look when
        # the PDF arrives, a correction adds a version, or a day passes (overdue actions).
        has_pdf = getattr(minutes, "pdf", None) is not None
        # A machine that cannot make PDFs says so in the record; one that can never shows it.
        no_pdf_here = not has_pdf and pdf_renderer_problem() is not None
        shape = tuple((version.pk, version.is_approved) for version in versions)
        parts = (
            "approved-minutes",
            minutes.pk,
            has_pdf,
            no_pdf_here,
            shape,
            audience(request.user),
        )
        record: str = shared_fragment(parts, (), lambda: _record(request, minutes, versions))
    else:
        record = SafeString(_record(request, minutes, versions, **record_overrides))
    return {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "forum": minutes.meeting.forum,
        "minutes_record": record,
        "comments": minutes.comments.select_related("author__supplier"),
        "comment_form": CommentForm(),
        "correction_form": CorrectionForm(),
        **overrides,
    }


@login_required
def minutes_detail(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    if request.htmx and request.htmx.target == "pdf-status":
        context = {"minutes": minutes, **pdf_status_context(minutes)}
        return section(request, MINUTES, context, partial="pdf_status")
    if request.htmx and request.htmx.target == "mandate":
        editing = request.user.can_manage and not minutes.is_approved
        context = {"minutes": minutes, "mandate_gaps": minutes.mandate_gaps() if editing else []}
        return section(request, MINUTES, context, partial="mandate_gaps")
    context = minutes_page_context(request, minutes)
    context["more_sections"] = [show(request, minutes.meeting) for show in MINUTES_PAGE_SECTIONS]
    return render(request, MINUTES, context)


def _minutes_page(
    request: PortalRequest, minutes: Minutes, status: int = 200, **overrides: Any
) -> HttpResponse:
    context = minutes_page_context(request, minutes, **overrides)
    return render(request, MINUTES, context, status=status)


@require_POST
@login_required
def minutes_start(request: PortalRequest, pk: int) -> HttpResponse:
    meeting: Meeting = visible_meeting(request.user, pk)
    require_manager(request.user)
    if not meeting.can_start_minutes():
        messages.error(
            request, _("Minutes can be started from 24 hours before the meeting starts.")
        )
        return redirect(meeting)
    services.start_minutes(meeting=meeting, by=request.user)
    messages.success(request, _("Minutes started from the agenda."))
    return redirect(meeting)


def _whole_item(request: PortalRequest, context: dict[str, Any], autosave: bool) -> HttpResponse:
    """The item's section; an autosave (which swaps only its "Saved" note) is told to swap the
    whole item instead, to show a conflict, an error or the lock with the typed text kept."""
    response = _item_section(request, context)
    if autosave:
        response["HX-Retarget"] = f"#item-{context['item'].pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_POST
@login_required
def minutes_item_edit(request: PortalRequest, pk: int) -> HttpResponse:
    item = _visible_row(request, MinutesItem, pk)
    require_manager(request.user)
    autosave = bool(request.htmx) and request.POST.get("autosave") == "1"
    form = MinutesItemForm(request.POST, instance=item)
    if not form.is_valid():
        return _whole_item(request, item_context(request, item, form), autosave)
    try:
        item = services.save_item(
            item=item,
            revision=form.cleaned_data["revision"],
            notes=form.cleaned_data["notes"],
            decisions=form.cleaned_data["decisions"],
            by=request.user,
        )
    except services.MinutesLocked:
        # Approved while this person was writing: show the locked item and give their
        # unsaved text back, to carry into a correction.
        item.minutes.refresh_from_db()
        context = item_context(request, item)
        context["unsaved"] = {
            "notes": form["notes"].value(),
            "decisions": form["decisions"].value(),
        }
        return _whole_item(request, context, autosave)
    except services.EditConflict as conflict:
        form = _conflict_form(request, form, conflict.current)
        context = item_context(request, conflict.current, form, conflict=conflict.current)
        return _whole_item(request, context, autosave)
    if autosave:
        context = {"item": item, "autosaved": True}
        return section(request, ITEM, context, partial="autosaved")
    return _item_section(request, item_context(request, item, saved=True), changed=True)


@require_POST
@login_required
def minutes_item_add(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = AddItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_item(minutes=minutes, title=form.cleaned_data["title"], by=request.user)
        except services.MinutesLocked:
            return _locked_response(request, minutes)
    else:
        messages.error(request, _("Give the new item a title (at most 200 characters)."))
    return redirect(minutes.meeting)


@require_POST
@login_required
def action_add(request: PortalRequest, pk: int) -> HttpResponse:
    item = _visible_row(request, MinutesItem, pk)
    require_manager(request.user)
    form = ActionForm(request.POST, prefix=f"new-action-{item.pk}")
    if not form.is_valid():
        context = item_context(request, item)
        context["new_action_form"] = form
        return _item_section(request, context)
    fields = ("description", "owner_name", "owner_organisation", "due_on")
    try:
        services.add_action(
            minutes=item.minutes,
            item=item,
            by=request.user,
            **{field: form.cleaned_data[field] for field in fields},
        )
    except services.MinutesLocked:
        return _locked_response(request, item.minutes)
    return _item_section(request, item_context(request, item), changed=True)


@require_POST
@login_required
def action_edit(request: PortalRequest, pk: int) -> HttpResponse:
    action = _visible_row(request, Action, pk)
    require_manager(request.user)
    form = ActionForm(request.POST, instance=action)
    context = {"action": action, "minutes": action.minutes, "editing": True, "form": form}
    if not form.is_valid():
        return section(request, ACTION, context, partial="action")
    fields = {field: form.cleaned_data[field] for field in ActionForm.Meta.fields}
    try:
        action = services.save_action(
            action=action, revision=form.cleaned_data["revision"], by=request.user, **fields
        )
    except services.MinutesLocked:
        return _locked_response(request, action.minutes)
    except services.EditConflict as conflict:
        context.update(
            action=conflict.current,
            form=_conflict_form(request, form, conflict.current),
            conflict=conflict.current,
        )
        return section(request, ACTION, context, partial="action")
    context.update(action=action, form=ActionForm(instance=action), saved=True)
    done = _at(action.minutes, f"action-{action.pk}")
    return section(request, ACTION, context, partial="action", done=done)


@require_POST
@login_required
def attendance_toggle(request: PortalRequest, pk: int) -> HttpResponse:
    row = _visible_row(request, Attendance, pk)
    require_manager(request.user)
    try:
        row = services.set_presence(
            row=row, present=request.POST.get("present") == "on", by=request.user
        )
    except services.MinutesLocked:
        return _locked_response(request, row.minutes)
    context = {"row": row, "minutes": row.minutes, "editing": True}
    done = _at(row.minutes, f"attendance-{row.pk}")
    response = section(request, MINUTES, context, partial="attendance_row", done=done)
    response["HX-Trigger"] = "attendance-changed"  # the mandate notice looks again
    return response


@require_POST
@login_required
def attendee_add(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.add_attendee(minutes=minutes, by=request.user, **form.cleaned_data)
        except services.MinutesLocked:
            return _locked_response(request, minutes)
        if not request.htmx:
            return redirect(_at(minutes, "attendance"))
        form = AttendeeForm()
    elif not request.htmx:
        return _minutes_page(request, minutes, attendee_form=form)
    attendance = list(minutes.attendance.all())
    context = {
        "minutes": minutes,
        "editing": True,
        "attendance": attendance,
        "attendee_form": form,
        "organisations": sorted({row.organisation for row in attendance}),
    }
    return section(request, MINUTES, context, partial="attendance")


def _unsaved_items(request: PortalRequest, minutes: Minutes) -> list[MinutesItem]:
    """The items whose text the page sent with the approval (htmx includes the item forms)
    differs from the saved text: typed, and neither saved nor autosaved yet."""
    unsaved = []
    for item in minutes.items.all():
        for field in ("notes", "decisions"):
            sent = request.POST.get(f"item-{item.pk}-{field}")
            # As the item form cleans it: browsers send CRLF, and the text is stripped.
            if sent is not None and sent.replace("\r\n", "\n").strip() != getattr(item, field):
                unsaved.append(item)
                break
    return unsaved


@require_POST
@login_required
def minutes_approve(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)

    def refuse(refusal: str) -> HttpResponse:
        if request.htmx:
            return message_above_the_page(refusal, status=409)
        messages.error(request, refusal)
        return redirect(minutes.meeting)

    reason = request.POST.get("absent_mandate_reason", "")
    if len(reason) > TEXT_MAX_LENGTH:
        return refuse(
            _("The reason is %(length)s characters long; at most %(limit)s fit.")
            % {"length": len(reason), "limit": TEXT_MAX_LENGTH}
        )
    if unsaved := _unsaved_items(request, minutes):
        return refuse(
            _(
                "Not approved: %(items)s has text that is not saved yet. It is still on the "
                "page: save it (or wait a second for the autosave), then approve."
            )
            % {"items": ", ".join(f"{item.position}. {item.title}" for item in unsaved)}
        )
    try:
        services.approve_minutes(minutes=minutes, by=request.user, absent_mandate_reason=reason)
    except services.MinutesLocked:
        messages.info(request, _("These minutes were already approved."))
        return _to_the_meeting(request, minutes)
    except services.NobodyPresent:
        return refuse(_("Mark who was present before approving. The minutes are still a draft."))
    except services.MandateAbsent as absent:
        return refuse(
            _(
                "Nobody with the contract-level mandate was marked present for: %(parties)s. "
                "Mark them present, or give the reason for approving without them. The minutes "
                "are still a draft."
            )
            % {"parties": ", ".join(gap.party for gap in absent.gaps)}
        )
    messages.success(
        request,
        _("Minutes approved and locked. The PDF is being produced and sent to the attendees."),
    )
    return _to_the_meeting(request, minutes)


def _to_the_meeting(request: PortalRequest, minutes: Minutes) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(minutes.meeting.get_absolute_url())
    return redirect(minutes.meeting)


@require_POST
@login_required
def minutes_correct(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = CorrectionForm(request.POST)
    if not minutes.is_approved:
        messages.info(request, _("This is still a draft: edit it directly."))
        return redirect(minutes.meeting)
    if not form.is_valid():
        return _minutes_page(request, minutes, status=400, correction_form=form)
    correction = services.start_correction(
        minutes=minutes, reason=form.cleaned_data["reason"], by=request.user
    )
    messages.success(
        request,
        _("Version %(number)s started. Version %(old)s stays as it was approved.")
        % {"number": correction.number, "old": minutes.number},
    )
    return redirect(minutes.meeting)


@require_POST
@login_required
def comment_add(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.add_comment(minutes=minutes, body=form.cleaned_data["body"], by=request.user)
        if not request.htmx:
            return redirect(_at(minutes, "comments"))
        form = CommentForm()
    elif not request.htmx:
        return _minutes_page(request, minutes, comment_form=form)
    context = {
        "minutes": minutes,
        "comments": minutes.comments.select_related("author__supplier"),
        "comment_form": form,
    }
    return section(request, MINUTES, context, partial="comments")


@login_required
def minutes_pdf(request: PortalRequest, pk: int) -> HttpResponse:
    minutes = _visible_minutes(request, pk)
    pdf = MinutesPdf.objects.filter(minutes=minutes).first()
    if pdf is None:
        raise Http404(_("The PDF of this version is not ready yet."))
    pdf.minutes = minutes  # already fetched, with its meeting and forum, for the file name
    response = HttpResponse(bytes(pdf.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename}"'
    response["X-Content-SHA256"] = pdf.sha256
    return response
