from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (OpenAPI 3, /api/v1/) and the personal API tokens it is used with."""

    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from governance import account

        from . import receivers  # noqa: F401 - connects them

        account.register_section(
            "api-tokens",
            heading=_("API tokens"),
            link_text=_("Make and revoke the tokens your own tools use with the portal's API"),
            url_name="api:tokens",
        )
