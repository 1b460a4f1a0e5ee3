"""The action list and the meetings as files (governance.exports): the pages' rows and columns."""

from django.utils.translation import gettext_lazy as _

from governance.exports import Column, ExportList

from .models import ActionStatus, MeetingStatus
from .views import filtered_actions, meetings_for


def _action_status(action):
    if action.state != action.status:
        return _("%(status)s (updated since the minutes)") % {
            "status": ActionStatus(action.state).label
        }
    return action.get_status_display()


def _first_recorded(action):
    first = action.origin.minutes if action.origin else action.minutes
    return first.meeting.starts_at.date()


def _minutes_state(meeting):
    if meeting.has_draft:
        return _("Draft")
    if meeting.has_approved:
        return _("Approved")
    if meeting.status != MeetingStatus.CANCELLED:
        return _("Not started")
    return ""


ACTIONS = ExportList(
    name="actions",
    title=_("Actions"),
    rows=lambda user, params: filtered_actions(user, params)[0],
    columns=(
        Column(_("Action"), lambda action: action.description),
        Column(_("Owner"), lambda action: action.owner_name),
        Column(_("Owner's organisation"), lambda action: action.owner_organisation),
        Column(_("Due"), lambda action: action.due_on),
        Column(_("Status"), _action_status),
        Column(_("Forum"), lambda action: action.minutes.meeting.forum.name),
        Column(_("Minutes of"), lambda action: action.minutes.meeting.starts_at),
        Column(_("First recorded"), _first_recorded),
    ),
)

MEETINGS = ExportList(
    name="meetings",
    title=_("Meetings"),
    rows=lambda user, params: meetings_for(user).order_by("starts_at", "pk"),
    columns=(
        Column(_("When (Stockholm)"), lambda meeting: meeting.starts_at),
        Column(_("Forum"), lambda meeting: meeting.forum.name),
        Column(_("Status"), lambda meeting: meeting.get_status_display()),
        Column(_("Minutes"), _minutes_state),
    ),
)
