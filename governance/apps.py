from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

# What a role holder shows of their person (governance.services.keep_holders_in_step).
PERSON_FIELDS = {"first_name", "last_name", "email", "name"}


def _holders_in_step(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from .services import keep_holders_in_step

    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not PERSON_FIELDS & set(update_fields)):
        return
    keep_holders_in_step(person=instance)


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from . import access_log, exports, mfa, outbox  # noqa: F401 - connect their signal receivers
        from .models import OutboxKind

        # The worker writes large exports through the outbox, as it does figure imports.
        outbox.register_handler(OutboxKind.EXPORT, exports.perform_export)

        # A role holder's name and address are their person's (a Contact is one floor up:
        # named by its label, not imported).
        post_save.connect(_holders_in_step, sender="governance.User", dispatch_uid="holders-user")
        post_save.connect(
            _holders_in_step, sender="suppliers.Contact", dispatch_uid="holders-contact"
        )
