from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Forums, meetings, agendas, minutes and their PDFs (see the meetings issue)."""

    name = "meetings"
    verbose_name = _("Meetings")
