from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: pages that show several apps at once (home, dashboard, the contract,
    supplier and meeting pages), the demo loader and the error pages."""

    name = "portal"
    verbose_name = _("Portal")
