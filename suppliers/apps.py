from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers and contracts")

    def ready(self) -> None:
        from governance import exports, notifications

        from .exports import CONTRACTS, ROLE_HOLDERS, SUPPLIERS

        for export_list in (SUPPLIERS, CONTRACTS, ROLE_HOLDERS):
            exports.register(export_list)

        # A sign-off request carries the single-use link to sign with: it always goes.
        notifications.register_kind(
            "signoff",
            _("Governance model sign-off"),
            may_switch_off=False,
            may_wait_for_digest=False,
        )
        notifications.register_kind(
            "notice-alert",
            _("Notice deadline alerts"),
            may_switch_off=True,
            may_wait_for_digest=True,
        )
