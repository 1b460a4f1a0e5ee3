from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.access import manager_required, require_manager
from governance.fragments import NotShared, audience, shared_with_personal
from suppliers.models import Contract

from .figures import FIGURE_KINDS, live_figures
from .forms import ForumForm
from .ics import meeting_ics
from .minutes_views import minutes_page_context, open_issues_for
from .models import Expectation, Forum, Meeting, Minutes, MinutesComment, MinutesPdf
from .relationship_views import pulse_context
from .services import cancel_meeting, open_actions_before, save_forum

UPCOMING_LIMIT = 12


@login_required
def forum_list(request):
    forums = (
        Forum.objects.visible_to(request.user)
        .select_related("chair")
        .prefetch_related(
            Prefetch("contracts", queryset=Contract.objects.select_related("supplier"))
        )
    )
    meetings = Meeting.objects.visible_to(request.user).select_related("forum").with_minutes_state()
    now = timezone.now()
    context = {
        "forums": forums,
        "upcoming": meetings.filter(starts_at__gte=now)[:UPCOMING_LIMIT],
        "recent": meetings.filter(starts_at__lt=now).order_by("-starts_at")[:UPCOMING_LIMIT],
    }
    return render(request, "meetings/forum_list.html", context)


def _save_forum(request, form):
    forum, created, cancelled = save_forum(form)
    messages.success(
        request,
        _("Forum saved. %(created)s meetings planned, %(cancelled)s cancelled.")
        % {"created": created, "cancelled": cancelled},
    )
    return redirect(forum)


@manager_required
def forum_create(request):
    form = ForumForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _save_forum(request, form)
    return render(request, "meetings/forum_form.html", {"form": form})


def _visible_forum(request, pk):
    return get_object_or_404(Forum.objects.visible_to(request.user), pk=pk)


@login_required
def forum_detail(request, pk):
    forum = _visible_forum(request, pk)
    now = timezone.now()
    recent = (
        forum.meetings.filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=365))
        .with_minutes_state()
        .order_by("-starts_at")
    )
    context = {
        "forum": forum,
        "contracts": forum.contracts.select_related("supplier"),
        "attendees": forum.default_attendees(),
        "upcoming": forum.meetings.filter(starts_at__gte=timezone.now())[:UPCOMING_LIMIT],
        # ?past=year: the whole last year, which the dashboard's held/due figures count.
        "recent": recent if request.GET.get("past") == "year" else recent[:UPCOMING_LIMIT],
        "can_manage": request.user.can_manage,
    }
    return render(request, "meetings/forum_detail.html", context)


@login_required
def forum_edit(request, pk):
    forum = _visible_forum(request, pk)
    require_manager(request.user)
    form = ForumForm(request.POST if request.method == "POST" else None, instance=forum)
    if request.method == "POST" and form.is_valid():
        return _save_forum(request, form)
    return render(request, "meetings/forum_form.html", {"form": form, "forum": forum})


@login_required
def meeting_detail(request, pk):
    """Before the minutes: the agenda to come. From then on: the current version of the minutes."""
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("forum"), pk=pk
    )
    return meeting_page(request, meeting)


# What a meeting page with approved minutes shows besides the meeting itself.
MEETING_PAGE_DATA = (Forum, Minutes, MinutesPdf, MinutesComment, Expectation, Contract)


def meeting_page(request, meeting, pulse_form=None):
    """The meeting page; pulse_form carries a bound pulse form's errors.

    Once its current minutes are approved the page only changes with the data above: its body
    is shared by everyone of an audience, with each person's CSRF token and pulse section put
    in on the way out. Before that (the agenda, a draft) the body is each person's own."""

    def render_body(markers):
        prefetch_related_objects(
            [meeting], Prefetch("minutes_versions", queryset=Minutes.objects.for_page())
        )
        minutes = meeting.current_minutes()
        body = _meeting_body(request, meeting, **markers)
        return body if minutes and minutes.is_approved else NotShared(body)

    parts = (
        "meeting-page",
        meeting.pk,
        meeting.status,
        meeting.starts_at,
        meeting.ends_at,
        request.get_full_path(),  # in the calibrations' edit links
        audience(request.user),
    )
    personal = {
        "csrf_token": get_token(request),
        "pulse_section": _pulse_section(request, meeting, pulse_form),
    }
    body = shared_with_personal(parts, MEETING_PAGE_DATA, render_body, personal)
    context = {"meeting": meeting, "forum": meeting.forum, "body": body}
    return render(request, "meetings/meeting_detail.html", context)


def _pulse_section(request, meeting, form):
    context = pulse_context(request, meeting, form=form)
    if not context:
        return ""  # weekly meetings have no pulse
    return render_to_string("meetings/_pulse.html", {"meeting": meeting, **context}, request)


def _meeting_body(request, meeting, **personal):
    context = meeting_page_context(request, meeting)
    context.update(personal)
    return render_to_string("meetings/_meeting.html", context, request)


def meeting_page_context(request, meeting):
    """Everything the meeting page's body shows but the pulse."""
    minutes = meeting.current_minutes()
    if minutes:
        context = minutes_page_context(request, minutes)
    else:
        agenda = meeting.forum.agenda_items()
        context = {
            "agenda": agenda,
            "attendees": meeting.forum.default_attendees(),
            "figures": (
                live_figures(meeting.forum, request.user)
                if any(item.kind in FIGURE_KINDS for item in agenda)
                else None
            ),
            "carried_actions": open_actions_before(meeting),
            "open_issues": open_issues_for(meeting.forum, request.user),
            "can_start": request.user.can_manage and meeting.can_start_minutes(),
        }
    context.update(
        meeting=meeting,
        forum=meeting.forum,
        minutes=minutes,
        agreed_expectations=Expectation.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("contract"),
    )
    if request.user.can_manage:
        context["expectation_contracts"] = meeting.forum.contracts.only("pk", "reference")
    return context


@require_POST
@login_required
def meeting_cancel(request, pk):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    require_manager(request.user)
    if meeting.starts_at <= timezone.now() or meeting.minutes_versions.exists():
        messages.error(request, _("Only a coming meeting without minutes can be cancelled."))
    elif cancel_meeting(meeting, by=request.user):
        messages.success(request, _("Meeting cancelled. The invitees are sent a cancellation."))
    return redirect(meeting)


@login_required
def meeting_calendar(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("forum__chair"), pk=pk
    )
    response = HttpResponse(
        meeting_ics(meeting, meeting.forum.default_attendees()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
