"""The minutes as a tagged PDF/A-3a document, rendered by WeasyPrint from a Django template.

The template autoescapes every user-written text, and the URL fetcher refuses every URL, so
nothing in the minutes can make the renderer read a local file or call the network.

WeasyPrint is imported on the first render, not with this module: importing it loads Pango, and
a machine without Pango (a fresh demo install) must still migrate, serve every page and run the
worker. pdf_renderer_problem() tells the page and the worker why no PDF can be made there.
"""

import contextlib
import functools
import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation

from governance.outbox import Postpone

logger = logging.getLogger(__name__)

# The Debian/Ubuntu packages of the libraries WeasyPrint loads (the Dockerfile and
# bin/ensure-system-packages install the same).
PDF_PACKAGES_INSTALL = "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


@functools.cache
def pdf_renderer_problem() -> str | None:
    """Why this process cannot render PDFs (WeasyPrint cannot load its system libraries), or
    None. Asked once per process: the libraries are loaded once, so installing them takes a
    restart anyway."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        logger.warning(
            "Minutes PDFs cannot be made here: WeasyPrint cannot load its system libraries "
            "(%s). Install them with `%s` and restart.",
            error,
            PDF_PACKAGES_INSTALL,
        )
        return str(error)
    return None


class PdfRendererMissing(Postpone):
    """This machine lacks WeasyPrint's system libraries: the PDF job waits in the outbox, with
    this as its last error, until they are installed."""

    def __init__(self, problem):
        super().__init__(
            f"PDFs need the system packages WeasyPrint loads: `{PDF_PACKAGES_INSTALL}`, "
            f"then restart the portal and the worker. ({problem})"
        )


@functools.cache
def _no_fetching_class():
    if problem := pdf_renderer_problem():
        raise PdfRendererMissing(problem)
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Refuses file://, http(s):// and every other URL: the minutes need nothing from
        outside."""

        def fetch(self, url, headers=None):
            raise ValueError(f"The minutes PDF fetches no URLs: {url[:100]}")

    return NoFetching


def __getattr__(name):
    # NoFetching subclasses WeasyPrint's fetcher, so it is made when first asked for.
    if name == "NoFetching":
        return _no_fetching_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What apps above add at the head of a meeting's minutes, registered from their
# AppConfig.ready() (the relationship app: the city's target picture atop a quarterly
# key-supplier meeting's): each takes the minutes and returns HTML, or "" for nothing. Called
# in the forum's language; the approved version's PDF keeps what they said when it was made.
MINUTES_HEADINGS: list[Callable[[Any], str]] = []


def minutes_context(minutes):
    meeting = minutes.meeting
    items = list(minutes.items.all())
    actions = list(minutes.actions.select_related("origin__minutes__meeting"))
    # One query for the contracts and their suppliers, not one a contract.
    prefetch_related_objects([meeting], "contracts__supplier")
    suppliers = meeting.supplier_names()
    return {
        "minutes": minutes,
        "meeting": meeting,
        "forum": meeting.forum,
        "starts_at": timezone.localtime(meeting.starts_at),
        "items": items,
        "actions": actions,
        "decisions": [(item, line) for item in items for line in item.decision_lines()],
        "attendance": list(minutes.attendance.all()),
        "suppliers": suppliers,
        # One document goes to every attendee: a joint forum's PDF leaves out the suppliers'
        # figures, which each supplier sees (its own only) in the portal.
        "figures_in_pdf": len(suppliers) <= 1,
        "headings": [heading for add in MINUTES_HEADINGS if (heading := add(minutes))],
    }


def minutes_html(minutes):
    """The HTML document the PDF is printed from, with its stylesheet inline, in the language
    the forum meets in: one document goes to every attendee, whatever their own language."""
    with translation.override(minutes.meeting.forum.language):
        return render_to_string("meetings/minutes_pdf.html", minutes_context(minutes))


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector stays off during a render and afterwards frees only
    what the render left. Mid-render it walked the live layout tree again and again, and every
    second render paid for a full collection of the whole process."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        # With the collector off, all the render's objects are still in the youngest generation.
        gc.collect(0)


class _Renderer:
    """What the renders of one process share: the font configuration (Pango's font map, with
    its fonts loaded and their shaping cached) and the template's stylesheet, parsed once per
    text (each language has its own "Page X of Y"). Pango's font map is not thread-safe, so
    renders take turns."""

    def __init__(self):
        self.fetcher = _no_fetching_class()()  # first: says why when WeasyPrint cannot load
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        self.css_class, self.html_class = CSS, HTML
        self.font_config = FontConfiguration()
        self.stylesheets = {}
        self.lock = threading.Lock()

    def _stylesheet(self, css):
        if css not in self.stylesheets:
            self.stylesheets[css] = self.css_class(
                string=css, url_fetcher=self.fetcher, font_config=self.font_config
            )
        return self.stylesheets[css]

    def write_pdf(self, html, **options):
        # The template's one <style> sits in its head, before any text a user wrote (which is
        # escaped anyway): cut it out and render with its parsed form instead.
        head, _style_tag, rest = html.partition("<style>")
        css, _end_tag, body = rest.partition("</style>")
        with self.lock, _collector_paused():
            document = self.html_class(
                string=head + body,
                # Links resolve against the portal, so a reader can follow them; nothing is
                # fetched.
                base_url=settings.PORTAL_BASE_URL + "/",
                url_fetcher=self.fetcher,
            )
            return document.write_pdf(
                stylesheets=[self._stylesheet(css)], font_config=self.font_config, **options
            )


_renderers: list[_Renderer] = []
_renderers_lock = threading.Lock()


def _renderer():
    with _renderers_lock:  # two first renders at once still share one font map
        if not _renderers:
            _renderers.append(_Renderer())
        return _renderers[0]


def render_minutes_pdf(minutes):
    """The PDF bytes of one version of the minutes (A4, page X of Y). PDF/A-3a, archival and
    tagged (headings, lists, tables, /Lang, /DisplayDocTitle), so a screen reader can read what
    is archived; WeasyPrint's PDF/UA variant would not be PDF/A."""
    return _renderer().write_pdf(
        minutes_html(minutes),
        pdf_variant="pdf/a-3a",
        pdf_identifier=f"minutes-{minutes.pk}".encode(),
        custom_metadata=True,
    )
