from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipConfig(AppConfig):
    """The relationship side of governance: the target picture (målbild), the expectations log
    and the pulse after each quarterly key-supplier meeting."""

    name = "relationship"
    verbose_name = _("Relationship")

    def ready(self) -> None:
        from meetings.pdf import MINUTES_HEADINGS

        from .selectors import target_picture_in_minutes

        MINUTES_HEADINGS.append(target_picture_in_minutes)
