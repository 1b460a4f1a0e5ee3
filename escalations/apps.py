from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    """Issues that move between the three governance levels (see the escalations issue)."""

    name = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        from governance import exports, notifications
        from governance.services import response_time_changed

        from .exports import ISSUES
        from .services import retime_issues

        exports.register(ISSUES)

        def retime(sender, governance_level, by=None, **kwargs):
            retime_issues(governance_level=governance_level, by=by)

        response_time_changed.connect(retime, weak=False, dispatch_uid="escalations.retime")
        notifications.register_kind(
            "issue",
            _("Issues raised, escalated or handed back at your level"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
        notifications.register_kind(
            "issue-late", _("Late issues"), may_switch_off=True, may_wait_for_digest=True
        )
