"""The minutes as a PDF/A-3b document, rendered by WeasyPrint from a Django template.

The template autoescapes every user-written text, and the URL fetcher refuses every URL, so
nothing in the minutes can make the renderer read a local file or call the network.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class NoFetching(URLFetcher):
    """Refuses file://, http(s):// and every other URL: the minutes need nothing from outside."""

    def fetch(self, url, headers=None):
        raise ValueError(f"The minutes PDF fetches no URLs: {url[:100]}")


def minutes_context(minutes):
    meeting = minutes.meeting
    items = list(minutes.items.all())
    actions = list(minutes.actions.select_related("origin__minutes__meeting"))
    return {
        "minutes": minutes,
        "meeting": meeting,
        "forum": meeting.forum,
        "starts_at": timezone.localtime(meeting.starts_at),
        "items": items,
        "actions": actions,
        "decisions": [(item, line) for item in items for line in item.decision_lines()],
        "attendance": list(minutes.attendance.all()),
        "suppliers": meeting.forum.supplier_names(),
        # One document goes to every attendee: a joint forum's PDF leaves out the suppliers'
        # figures, which each supplier sees (its own only) in the portal.
        "figures_in_pdf": len(meeting.forum.supplier_names()) <= 1,
    }


def render_minutes_pdf(minutes):
    """The PDF bytes of one version of the minutes (PDF/A-3b, A4, page X of Y)."""
    html = render_to_string("meetings/minutes_pdf.html", minutes_context(minutes))
    # Links resolve against the portal, so a reader can follow them; nothing is fetched.
    base_url = settings.PORTAL_BASE_URL + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=NoFetching())
    return document.write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=f"minutes-{minutes.pk}".encode(),
        custom_metadata=True,
    )
