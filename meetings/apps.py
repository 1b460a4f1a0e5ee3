from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Forums, meetings, agendas, minutes and their PDFs."""

    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # The floors below call back through these hooks instead of importing this app.
        from escalations.services import find_next_meeting_with
        from governance import exports, notifications, outbox
        from governance.models import OutboxKind
        from suppliers.signals import contract_ending

        from .exports import ACTIONS, MEETINGS
        from .selectors import next_meeting_for
        from .services import minutes_pdf_attachment, on_contract_ending, publish_minutes_pdf

        outbox.register_handler(OutboxKind.MINUTES_PDF, publish_minutes_pdf)
        exports.register(ACTIONS)
        exports.register(MEETINGS)
        outbox.register_attachment("minutes_pdf", minutes_pdf_attachment)
        find_next_meeting_with(next_meeting_for)
        contract_ending.connect(on_contract_ending, dispatch_uid="meetings.end_contract_meetings")
        # Invitations, updates, cancellations and reminders of meetings always go.
        notifications.register_kind(
            "meeting",
            _("Meeting invitations, changes and cancellations"),
            may_switch_off=False,
            may_wait_for_digest=False,
        )
        notifications.register_kind(
            "minutes-mail",
            _("Approved minutes"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
        notifications.register_kind(
            "action-reminder",
            _("Reminders of your actions before their due date"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
        notifications.register_kind(
            "action-overdue",
            _("Reminders of your overdue actions"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
        notifications.register_kind(
            "agenda-proposal",
            _("Agenda items proposed for meetings you chair"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
        notifications.register_kind(
            "agenda-decision",
            _("Decisions on the agenda items you proposed"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
