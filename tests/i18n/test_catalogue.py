"""The Swedish catalogue is complete: every text the code marks for translation is in it,
translated, not fuzzy, with the same placeholders as the English."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# What a copy of the sources for makemessages leaves out.
NOT_SOURCES = {".venv", ".git", "var", "node_modules", "staticfiles", "test-results", "locale"}


def messages(path):
    with path.open("rb") as po_file:
        return [message for message in read_po(po_file) if message.id]


def forms(message):
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return ids, strings


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = []
    for message in messages(CATALOGUE):
        ids, strings = forms(message)
        if message.fuzzy or not all(strings):
            untranslated.append(message.id)
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # A singular may say "one" where the English says %(count)s.
            if sorted(PLACEHOLDER.findall(string)) != wanted and len(ids) == 1:
                untranslated.append(f"{message.id!r}: placeholders {string!r}")
    assert untranslated == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext")
def test_the_catalogue_holds_every_text_the_code_marks(tmp_path):
    """makemessages over a copy of the sources finds nothing the catalogue lacks: a new text
    without a Swedish translation fails here (run `manage.py makemessages -l sv`)."""
    copy = tmp_path / "portal"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCES, "__pycache__"))
    (copy / "locale" / "sv" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "sv",
            "-i",
            "tests/*",
            "-i",
            "bench/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "governance.settings.test", "PATH": "/usr/bin:/bin"},
    )
    marked = {(m.id, m.context) for m in messages(copy / "locale/sv/LC_MESSAGES/django.po")}
    held = {(m.id, m.context) for m in messages(CATALOGUE)}
    assert sorted(marked - held, key=str) == []
