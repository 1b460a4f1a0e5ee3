"""Minutes: the agenda before a meeting, the htmx editor during it, approval and versions after.

Every view starts from Minutes.objects.visible_to(user); only managers change a draft, and
everyone who sees the minutes may comment. Inline edits answer with their partial to htmx and
with a small page otherwise, so a browser without JavaScript loses nothing either.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from escalations.models import Issue
from governance.access import require_manager
from governance.fragments import audience, shared_fragment

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


def _visible_minutes(request, pk):
    return get_object_or_404(
        Minutes.objects.visible_to(request.user)
        .for_page()
        .select_related("meeting__forum", "created_by"),
        pk=pk,
    )


def _visible_row(request, model, pk):
    """An item, action or attendance row of minutes the user may see (else 404)."""
    return get_object_or_404(
        model.objects.filter(minutes__in=Minutes.objects.visible_to(request.user)).select_related(
            "minutes__meeting__forum"
        ),
        pk=pk,
    )


def _render_partial(request, template, context, status=200):
    if request.htmx:
        return render(request, template, context, status=status)
    return render(
        request, "meetings/partial_page.html", {**context, "partial": template}, status=status
    )


def _locked_response(request, minutes):
    messages.error(
        request, _("These minutes are approved and locked. Start a correction to change them.")
    )
    if request.htmx:
        return HttpResponseClientRedirect(minutes.meeting.get_absolute_url())
    return redirect(minutes.meeting)


def _locked_item(request, item, form):
    """Approved while this person was writing: show the locked item and give their unsaved
    text back, to carry into a correction."""
    item.minutes.refresh_from_db()
    context = item_context(request, item)
    context["unsaved"] = {"notes": form["notes"].value(), "decisions": form["decisions"].value()}
    return _render_partial(request, "meetings/_minutes_item.html", context)


def _conflict_form(request, form, current):
    """The form again with what this person typed, now at the saved revision: their text is
    kept, and saving it again is a conscious choice over the other person's."""
    data = request.POST.copy()
    data[form.add_prefix("revision")] = current.revision
    return type(form)(data, instance=current)


def open_issues_for(forum, user):
    """The open issues at the forum's level for its contracts, as far as the user may see them:
    escalated matters stay on each agenda of that level until resolved or moved."""
    return list(
        Issue.objects.visible_to(user)
        .open_at(forum.level, forum.contracts.all())
        .only("pk", "title", "severity", "owner_name", "owner_organisation", "due_on")
    )


def item_context(request, item, form=None, conflict=None, saved=False, figures=None):
    editing = request.user.can_manage and not item.minutes.is_approved  # forms only then
    if figures is None and item.kind in FIGURE_KINDS:
        figures = figures_for_items(item.minutes, [item], request.user).get(item.pk)
    return {
        "figures": figures,
        "open_issues": (
            open_issues_for(item.minutes.meeting.forum, request.user)
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


@login_required
def minutes_detail(request, pk):
    minutes = _visible_minutes(request, pk)
    if request.htmx and request.htmx.target == "pdf-status":
        context = {"minutes": minutes, **pdf_status_context(minutes)}
        return render(request, "meetings/_pdf_status.html", context)
    return render(request, "meetings/minutes_detail.html", minutes_page_context(request, minutes))


def pdf_status_context(minutes):
    """Why an approved version's PDF cannot come: this machine cannot make PDFs (asked only
    while the PDF is missing, so a page with its PDF never loads WeasyPrint)."""
    waiting = minutes.is_approved and getattr(minutes, "pdf", None) is None
    return {
        "pdf_problem": pdf_renderer_problem() if waiting else None,
        "pdf_packages_install": PDF_PACKAGES_INSTALL,
    }


def _minutes_record(request, minutes, versions):
    """The minutes themselves: versions, attendance, items with their actions and figures."""
    items = list(
        minutes.items.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("origin__minutes__meeting"))
        )
    )
    figures = figures_for_items(minutes, items, request.user)
    attendance = list(minutes.attendance.all())
    context = {
        "minutes": minutes,
        "editing": request.user.can_manage and not minutes.is_approved,
        "items": [item_context(request, item, figures=figures.get(item.pk)) for item in items],
        "attendance": attendance,
        "attendee_form": AttendeeForm(),
        "add_item_form": AddItemForm(),
        "versions": versions,
        "organisations": sorted({row.organisation for row in attendance}),
        **pdf_status_context(minutes),
    }
    return render_to_string("meetings/_minutes_record.html", context, request)


def minutes_page_context(request, minutes):
    # The meeting page has them already (its prefetch); the minutes page looks them up here.
    versions_of_meeting = Prefetch("minutes_versions", queryset=Minutes.objects.for_page())
    prefetch_related_objects([minutes.meeting], versions_of_meeting)
    versions = list(minutes.meeting.minutes_versions.all())
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
        record = shared_fragment(parts, (), lambda: _minutes_record(request, minutes, versions))
    else:
        record = _minutes_record(request, minutes, versions)  # a draft, with its forms
    return {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "forum": minutes.meeting.forum,
        "minutes_record": record,
        "comments": minutes.comments.select_related("author__supplier"),
        "comment_form": CommentForm(),
        "correction_form": CorrectionForm(),
    }


@require_POST
@login_required
def minutes_start(request, pk):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    require_manager(request.user)
    if not meeting.can_start_minutes():
        messages.error(request, _("Minutes can be started from the day before the meeting."))
        return redirect(meeting)
    services.start_minutes(meeting, request.user)
    messages.success(request, _("Minutes started from the agenda."))
    return redirect(meeting)


@require_POST
@login_required
def minutes_item_edit(request, pk):
    item = _visible_row(request, MinutesItem, pk)
    require_manager(request.user)
    form = MinutesItemForm(request.POST, instance=item)
    if not form.is_valid():
        return _render_partial(
            request, "meetings/_minutes_item.html", item_context(request, item, form)
        )
    try:
        item = services.save_item(
            item,
            revision=form.cleaned_data["revision"],
            notes=form.cleaned_data["notes"],
            decisions=form.cleaned_data["decisions"],
            by=request.user,
        )
    except services.MinutesLocked:
        return _locked_item(request, item, form)
    except services.EditConflict as conflict:
        form = _conflict_form(request, form, conflict.current)
        return _render_partial(
            request,
            "meetings/_minutes_item.html",
            item_context(request, conflict.current, form, conflict=conflict.current),
        )
    return _render_partial(
        request, "meetings/_minutes_item.html", item_context(request, item, saved=True)
    )


@require_POST
@login_required
def minutes_item_add(request, pk):
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = AddItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_item(minutes, form.cleaned_data["title"], by=request.user)
        except services.MinutesLocked:
            return _locked_response(request, minutes)
    else:
        messages.error(request, _("Give the new item a title (at most 200 characters)."))
    return redirect(minutes.meeting)


@require_POST
@login_required
def action_add(request, pk):
    item = _visible_row(request, MinutesItem, pk)
    require_manager(request.user)
    form = ActionForm(request.POST, prefix=f"new-action-{item.pk}")
    context = item_context(request, item)
    if form.is_valid():
        try:
            services.add_action(
                item.minutes,
                item=item,
                **{
                    field: form.cleaned_data[field]
                    for field in ("description", "owner_name", "owner_organisation", "due_on")
                },
                by=request.user,
            )
        except services.MinutesLocked:
            return _locked_response(request, item.minutes)
        context = item_context(request, item)
    else:
        context["new_action_form"] = form
    return _render_partial(request, "meetings/_minutes_item.html", context)


@require_POST
@login_required
def action_edit(request, pk):
    action = _visible_row(request, Action, pk)
    require_manager(request.user)
    form = ActionForm(request.POST, instance=action)
    context = {"action": action, "minutes": action.minutes, "editing": True, "form": form}
    if form.is_valid():
        fields = {field: form.cleaned_data[field] for field in ActionForm.Meta.fields}
        try:
            action = services.save_action(
                action, revision=form.cleaned_data["revision"], by=request.user, **fields
            )
        except services.MinutesLocked:
            return _locked_response(request, action.minutes)
        except services.EditConflict as conflict:
            context.update(
                action=conflict.current,
                form=_conflict_form(request, form, conflict.current),
                conflict=conflict.current,
            )
            return _render_partial(request, "meetings/_action.html", context)
        context.update(action=action, form=ActionForm(instance=action), saved=True)
    return _render_partial(request, "meetings/_action.html", context)


@require_POST
@login_required
def attendance_toggle(request, pk):
    row = _visible_row(request, Attendance, pk)
    require_manager(request.user)
    try:
        row = services.set_presence(row, request.POST.get("present") == "on", by=request.user)
    except services.MinutesLocked:
        return _locked_response(request, row.minutes)
    return _render_partial(
        request,
        "meetings/_attendance_row.html",
        {"row": row, "minutes": row.minutes, "editing": True},
    )


@require_POST
@login_required
def attendee_add(request, pk):
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.add_attendee(minutes, by=request.user, **form.cleaned_data)
        except services.MinutesLocked:
            return _locked_response(request, minutes)
        form = AttendeeForm()
    attendance = list(minutes.attendance.all())
    context = {
        "minutes": minutes,
        "editing": True,
        "attendance": attendance,
        "attendee_form": form,
        "organisations": sorted({row.organisation for row in attendance}),
    }
    return _render_partial(request, "meetings/_attendance.html", context)


@require_POST
@login_required
def minutes_approve(request, pk):
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    try:
        services.approve_minutes(minutes, request.user)
    except services.MinutesLocked:
        messages.info(request, _("These minutes were already approved."))
        return redirect(minutes.meeting)
    messages.success(
        request,
        _("Minutes approved and locked. The PDF is being produced and sent to the attendees."),
    )
    return redirect(minutes.meeting)


@require_POST
@login_required
def minutes_correct(request, pk):
    minutes = _visible_minutes(request, pk)
    require_manager(request.user)
    form = CorrectionForm(request.POST)
    if not minutes.is_approved:
        messages.info(request, _("This is still a draft: edit it directly."))
        return redirect(minutes.meeting)
    if not form.is_valid():
        context = minutes_page_context(request, minutes)
        context["correction_form"] = form
        return render(request, "meetings/minutes_detail.html", context, status=400)
    correction = services.start_correction(minutes, request.user, form.cleaned_data["reason"])
    messages.success(
        request,
        _("Version %(number)s started. Version %(old)s stays as it was approved.")
        % {"number": correction.number, "old": minutes.number},
    )
    return redirect(minutes.meeting)


@require_POST
@login_required
def comment_add(request, pk):
    minutes = _visible_minutes(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.add_comment(minutes, request.user, form.cleaned_data["body"])
        form = CommentForm()
    context = {
        "minutes": minutes,
        "comments": minutes.comments.select_related("author__supplier"),
        "comment_form": form,
    }
    return _render_partial(request, "meetings/_comments.html", context)


@login_required
def minutes_pdf(request, pk):
    minutes = _visible_minutes(request, pk)
    pdf = MinutesPdf.objects.filter(minutes=minutes).first()
    if pdf is None:
        raise Http404(_("The PDF of this version is not ready yet."))
    pdf.minutes = minutes  # already fetched, with its meeting and forum, for the file name
    response = HttpResponse(bytes(pdf.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename}"'
    response["X-Content-SHA256"] = pdf.sha256
    return response
