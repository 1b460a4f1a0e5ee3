from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    """The risk register: a supplier's and its contracts' risks, their reviews and comments."""

    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from governance import notifications

        notifications.register_kind(
            "risk-review",
            _("Reminders to review the risks you own"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
