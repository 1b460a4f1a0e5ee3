from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    """Issues that move between the three governance levels (see the escalations issue)."""

    name = "escalations"
    verbose_name = _("Escalations")
