"""The minutes PDF is tagged and archival (PDF/A-3a): its structure read back with pikepdf, not
only its metadata, in the language the forum meets in."""

import io
import itertools
import logging
from decimal import Decimal

import pikepdf
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from meetings.pdf import render_minutes_pdf
from meetings.services import approve_minutes
from operations.services import record_measurement
from tests.factories import make_held_minutes, make_service_level
from tests.meetings.test_minutes_pdf import pdf_text

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@pytest.fixture
def minutes_in(contract_a, procurement):
    """Approved minutes of a forum that meets in the given language, with an availability
    table and its chart among the figures."""

    def make(language):
        minutes = make_held_minutes(contract_a, procurement)
        forum = minutes.meeting.forum
        forum.language = language
        forum.save(update_fields=["language"])
        service_level = make_service_level(contract_a)
        record_measurement(
            service_level=service_level,
            period_start=timezone.localdate().replace(day=1),
            value=Decimal("99.7"),
            by=procurement,
        )
        return approve_minutes(minutes=minutes, by=procurement)

    return make


def structure_elements(pdf):
    """The structure tree's elements in reading order, below its Document element."""
    (document,) = pdf.Root.StructTreeRoot.K
    assert document.S == "/Document"
    elements = []

    def walk(element):
        elements.append(element)
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                walk(kid)

    for kid in document.K:
        walk(kid)
    return elements


def children(element, tag):
    return [kid for kid in element.K if isinstance(kid, pikepdf.Dictionary) and str(kid.S) == tag]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_minutes_pdf_is_tagged_in_the_forums_language(minutes_in, language, caplog):
    minutes = minutes_in(language)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = render_minutes_pdf(minutes)
    # WeasyPrint logs an error for what it cannot tag: no lang, an image without alt text.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]

    with pikepdf.open(io.BytesIO(content)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == language
        assert root.ViewerPreferences.DisplayDocTitle is True
        with translation.override(language):
            title = f"{gettext('Minutes')}: Weekly operations: Alpha "
        title += f"{timezone.localtime(minutes.meeting.starts_at):%Y-%m-%d}"
        assert str(pdf.docinfo.Title) == title
        assert pdf.open_metadata()["dc:title"] == title
        for page in pdf.pages:
            assert page.obj.Tabs == "/S"  # tab order follows the structure
            assert "/StructParents" in page.obj

        elements = structure_elements(pdf)
        tags = [str(element.S)[1:] for element in elements]
        # One h1, then the sections (h2) and the items (h3), no level skipped.
        headings = [int(tag[1]) for tag in tags if tag in ("H1", "H2", "H3", "H4", "H5", "H6")]
        assert headings[0] == 1 and headings.count(1) == 1
        assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(headings))
        assert headings.count(2) == 4  # attendance, items, decisions, actions
        assert headings.count(3) >= minutes.items.count()

        # Lists: each item with its label (the number) and its body.
        lists = [element for element in elements if element.S == "/L"]
        assert lists
        for element in lists:
            items = children(element, "/LI")
            assert items
            for item in items:
                assert children(item, "/Lbl") and children(item, "/LBody")
        decisions = [element for element in lists if len(children(element, "/LI")) == 2]
        assert decisions  # "Keep the target", "Review in Q1"

        # Tables: header rows of TH, and every data cell names its column's headers.
        tables = [element for element in elements if element.S == "/Table"]
        assert len(tables) >= 4  # attendance, availability, decisions, actions
        for table in tables:
            (head,) = children(table, "/THead")
            header_ids = set()
            for row in children(head, "/TR"):
                for header in children(row, "/TH"):
                    assert header.A.O == "/Table"
                    header_ids.add(str(header.ID))
            assert header_ids
            rows = [row for body in children(table, "/TBody") for row in children(body, "/TR")]
            cells = [cell for row in rows for cell in children(row, "/TD")]
            assert cells
            for cell in cells:
                headers = {str(header) for header in cell.A.Headers}
                assert headers and headers <= header_ids

        # The charts are figures with their alternative text (the SVG's title).
        figures = [element for element in elements if element.S == "/Figure"]
        assert all(str(figure.get("/Alt", "")) for figure in figures)
        assert any(str(figure.Alt).startswith("Server operations") for figure in figures)
        # Marked content maps back to the tree from every page.
        assert len(root.StructTreeRoot.ParentTree.Nums) >= 2 * len(pdf.pages)


@pytest.mark.django_db
def test_the_minutes_pdf_stays_pdf_a(minutes_in):
    content = render_minutes_pdf(minutes_in("sv"))
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf reads every object and stream
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        assert pdf.pdf_version == "1.7"
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"

        # Colours are sRGB, declared by the output intent with its ICC profile.
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "
        assert b"sRGB" in icc

        # Every font is embedded, with the widths of its glyphs and a map back to Unicode.
        fonts = {font.objgen: font for page in pdf.pages for font in page.Resources.Font.values()}
        assert fonts
        for font in fonts.values():
            if font.Subtype == "/Type0":
                assert "/ToUnicode" in font
                (descendant,) = font.DescendantFonts
                assert descendant.Subtype in ("/CIDFontType0", "/CIDFontType2")
                assert "/W" in descendant
                descriptor = descendant.FontDescriptor
            else:
                assert font.Subtype in ("/TrueType", "/Type1"), font.Subtype
                assert "/ToUnicode" in font
                assert len(font.Widths) == int(font.LastChar) - int(font.FirstChar) + 1
                descriptor = font.FontDescriptor
            assert any(key in descriptor for key in FONT_FILES), font

        # Nothing runs when it opens: no JavaScript anywhere, no actions on opening.
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert "/JS" not in obj and "/AA" not in obj
                assert obj.get("/S") != "/JavaScript"


@pytest.mark.django_db
def test_a_swedish_forums_pdf_reads_in_swedish(minutes_in, tmp_path):
    minutes = minutes_in("sv")
    text = " ".join(pdf_text(render_minutes_pdf(minutes), tmp_path, "-layout").split())
    with translation.override("sv"):
        fixed = [gettext("Attendance"), f"{gettext('Page')} 1 {gettext('of')} "]
    for expected in [
        "Weekly operations: Alpha",
        *fixed,
        "Keep the target",
        "Review in Q1",
        "Send the root-cause analysis",
        "Ola Drift",
        "2026-12-04",
        "Uptime 99.2 % against 99.5 %.",
    ]:
        assert expected in text, expected
