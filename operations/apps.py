from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Reported figures: service levels measured, support tickets and questions, imports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = "Operational follow-up"

    def ready(self) -> None:
        # The outbox (governance, the ground floor) runs confirmed imports through this hook.
        from governance import exports, outbox
        from governance.models import OutboxKind

        from .exports import FIGURES
        from .services import perform_import

        outbox.register_handler(OutboxKind.FIGURE_IMPORT, perform_import)
        exports.register(FIGURES)
