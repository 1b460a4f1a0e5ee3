"""The API's resources, one module each (see api/v1.py for adding one)."""

from typing import Annotated, Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Schema

from ..problems import Problem

ERRORS = (400, 401, 403, 404, 422, 429)
# A row's id as the database keeps it (bigint): larger is not an id (422), not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def answers(status: int, schema: Any) -> dict[int, Any]:
    """An operation's answers for the schema: `schema` on success, problems otherwise."""
    return {status: schema, **dict.fromkeys(ERRORS, Problem)}


def page_of(schema: type[Schema]) -> type[Schema]:
    """The page schema of a list: its items and the link to the next page."""
    return type(
        f"{schema.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"__annotations__": {"items": list[schema], "next": str | None}},  # type: ignore[valid-type]
    )


def one(queryset: QuerySet, pk: int) -> Model:
    """The row, if the person may see it: another supplier's reads as missing (404)."""
    return get_object_or_404(queryset, pk=pk)
