from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipConfig(AppConfig):
    """The relationship side of governance: the target picture (målbild), the expectations log
    and the pulse after each quarterly key-supplier meeting."""

    name = "relationship"
    verbose_name = _("Relationship")
