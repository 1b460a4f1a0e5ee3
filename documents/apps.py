from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents attached to the portal's records: a contract and its annexes, the reports
    presented at a meeting, an issue's evidence; each kept with every version it has had."""

    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from escalations.views import ISSUE_PAGE_SECTIONS
        from governance.security import LARGER_REQUESTS
        from meetings.minutes_views import MINUTES_PAGE_SECTIONS

        from . import kinds  # noqa: F401 - registers the kinds of record on the floors below
        from .views import section_html

        LARGER_REQUESTS["/documents/"] = "ATTACHMENT_MAX_REQUEST_BYTES"
        ISSUE_PAGE_SECTIONS.append(section_html)
        MINUTES_PAGE_SECTIONS.append(section_html)  # the meeting's documents
