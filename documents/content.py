"""What a file is, from its bytes and not its name: the types the portal keeps, and a plain
text rule for the two kinds that have no signature (text and CSV)."""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import filetype  # type: ignore[import-untyped]
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Checked:
    media_type: str
    file_name: str  # safe to send in Content-Disposition, its extension the content's


class Refused(ValueError):
    pass


# Media type -> the extensions a file of it may carry (the first is given to one without).
ALLOWED = {
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}
# Text has no signature: it is taken on its name's extension when it is UTF-8 without NUL and
# is not markup (an HTML or SVG file renamed .txt is refused like one named .html).
TEXT = {"txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8"}

ALLOWED_NAMES = (
    "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument, PNG, JPEG, TXT, CSV"
)


def safe_file_name(name: str) -> str:
    """The uploaded name without a path, control characters or quotes, at most 200 characters
    (Swedish letters kept: the download sends them as RFC 6266's filename*)."""
    name = PurePath(name.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        "_" if unicodedata.category(char)[0] == "C" or char in '"/\\;' else char for char in name
    ).strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 200 - len(extension) - 1]}.{extension}" if dot else name[:200]
    return name or "document"


def _is_plain_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not text.lstrip().startswith("<")


def check(content: bytes, name: str) -> Checked:
    """The media type of a file from its content (filetype reads its first 8 KB, text is
    read whole), or Refused with what to do instead."""
    file_name = safe_file_name(name)
    extension = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    kind = filetype.guess(content)
    if kind is not None and kind.mime in ALLOWED:
        extensions = ALLOWED[kind.mime]
        if extension not in extensions:
            file_name = f"{file_name}.{extensions[0]}"
        return Checked(kind.mime, file_name)
    if kind is None and extension in TEXT and _is_plain_text(content):
        return Checked(TEXT[extension], file_name)
    if kind is not None:
        reason = _(
            "This file is %(kind)s (read from its content), which the portal does not keep. "
            "Allowed: %(allowed)s."
        ) % {"kind": kind.extension.upper(), "allowed": ALLOWED_NAMES}
    else:
        reason = _(
            "The portal could not recognise this file from its content as one it keeps "
            "(web pages, SVG images and programs are refused whatever their name). "
            "Allowed: %(allowed)s; text and CSV must be UTF-8."
        ) % {"allowed": ALLOWED_NAMES}
    raise Refused(reason)
