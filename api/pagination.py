"""Cursor pagination: a page of rows in id order and an opaque cursor for the next one, which
stays right however rows are added meanwhile (no offset that shifts)."""

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from .problems import ProblemError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PREFIX = "id:"


class PageQuery(Schema):
    cursor: str | None = Field(None, description="The `next` cursor of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows on a page.")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError
        value = int(text.removeprefix(CURSOR_PREFIX))
        if not 0 <= value < 2**63:
            raise ValueError
        return value
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ProblemError(
            400,
            _("The cursor is not one this API gave."),
            errors=[{"field": "query.cursor", "message": _("Not a cursor of this API.")}],
        ) from None


def paginate(request: HttpRequest, queryset: QuerySet, page: PageQuery) -> dict[str, Any]:
    """One page of `queryset` in id order, and the link to the next page (None at the end)."""
    rows = queryset.order_by("pk")
    if page.cursor:
        rows = rows.filter(pk__gt=decode_cursor(page.cursor))
    items = list(rows[: page.limit + 1])
    following = None
    if len(items) > page.limit:
        items = items[: page.limit]
        query = request.GET.copy()
        query["cursor"] = encode_cursor(items[-1].pk)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": items, "next": following}
