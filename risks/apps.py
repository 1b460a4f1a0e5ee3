from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    """The risk register: a supplier's and its contracts' risks, their reviews and comments."""

    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from documents.registry import register
        from governance import exports, notifications

        from .exports import RISKS
        from .models import Risk

        exports.register(RISKS)
        # A risk's documents (an assessment, a mitigation plan): seen as the risk is; the
        # register is the city's to keep, so its managers attach, a supplier's contacts read.
        register("risk", Risk, supplier_uploads=False)

        notifications.register_kind(
            "risk-review",
            _("Reminders to review the risks you own"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
