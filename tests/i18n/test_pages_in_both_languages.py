"""A Swedish reader sees Swedish and an English reader English: every page of the URL x role
matrix that a role opens (tests/governance/test_authorization_matrix.py), read by each role in
both languages, holds no text of the other language but data and names.

What counts as "the other language": a text on the page (an element's text, or a label a
screen reader reads: title, aria-label, placeholder, alt, a button's value) that is, whole, one
of the catalogue's English texts whose Swedish differs (on a Swedish page), or one of its
Swedish texts (on an English page)."""

import html
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse

from meetings.agenda import ANNUAL_REVIEW, ANNUAL_REVIEW_ITEMS, STANDARD_TEMPLATES
from tests.governance.test_authorization_matrix import MATRIX, ROLES, objects  # noqa: F401
from tests.i18n.test_catalogue import CATALOGUE

pytestmark = pytest.mark.django_db

READ_ALOUD = {"title", "aria-label", "placeholder", "alt"}
# Not read as the portal's words: code, and what a person typed (a text area's content).
SKIPPED = {"script", "style", "code", "pre", "textarea"}
# Texts that are the same words in both languages, or names: not a sign of either.
NEUTRAL = {"PDF", "ICS", "JSON", "CSV", "OK", "IT", "E-mail", "Status", "Forum", "Minutes"}
# Data the matrix's records hold, written in English when its world was built: an
# expectation's requirement, and the chair's row of the attendance (role and organisation
# are stored with the minutes, in the language of whoever started them).
DATA = {"Response time", "Chair", "City"} | {
    # The minutes' standing items, copied in the forum's language (English here) when the
    # minutes were started.
    text
    for (name, _level), items in [
        *STANDARD_TEMPLATES.items(),
        ((ANNUAL_REVIEW, ""), ANNUAL_REVIEW_ITEMS),
    ]
    for item in items
    for text in (name, *item[:2])
}


class Texts(HTMLParser):
    """Every text a reader sees or hears on the page, whitespace collapsed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        for name, value in attrs:
            if not value or ("type", "hidden") in attrs:
                continue
            if name in READ_ALOUD or (tag == "input" and name == "value"):
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)


def texts_of(page):
    parser = Texts()
    parser.feed(page)
    return {" ".join(text.split()) for text in parser.texts} - {""}


def _catalogue_pairs():
    with CATALOGUE.open("rb") as po_file:
        for message in read_po(po_file):
            if message.id and not isinstance(message.id, tuple) and "%" not in message.id:
                yield " ".join(message.id.split()), " ".join(message.string.split())


PAIRS = list(_catalogue_pairs())
# A text that is a message in one language and also in the other ("Forum", "Status") tells
# nothing.
ENGLISH = {english for english, _sv in PAIRS} - {swedish for _en, swedish in PAIRS} - NEUTRAL
SWEDISH = {swedish for _en, swedish in PAIRS} - {english for english, _sv in PAIRS} - NEUTRAL


def other_language_on(page, language):
    foreign = ENGLISH if language == "sv" else SWEDISH
    return sorted(text for text in texts_of(html.unescape(page)) - DATA if text in foreign)


def pages_for(role):
    """(url name, kwargs names) of the GET pages this role opens (200 in the matrix)."""
    for url_name, (method, kwarg_names, expected) in sorted(MATRIX.items()):
        if method == "get" and expected[role] == 200 and not url_name.startswith("admin:"):
            yield url_name, kwarg_names


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_only_the_readers_language(role, objects, request, client):  # noqa: F811
    user = None
    if role != "anonymous":
        user = request.getfixturevalue("admin_user" if role == "admin" else role)
    left = {}
    for language in ("sv", "en"):
        if user is not None:
            user.language = language
            user.save(update_fields=["language"])
            client.force_login(user)
        else:
            client.cookies["django_language"] = language
        for url_name, kwarg_names in pages_for(role):
            kwargs = {key: objects[name] for key, name in kwarg_names.items()}
            response = client.get(reverse(url_name, kwargs=kwargs))
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            page = response.content.decode()
            assert re.search(rf'<html lang="{language}"', page), f"{url_name}: lang"
            found = other_language_on(page, language)
            if found:
                left[f"{language} {url_name}"] = found
    assert left == {}, "\n".join(f"{page}: {texts}" for page, texts in sorted(left.items()))
