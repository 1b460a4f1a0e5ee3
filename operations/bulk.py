"""Writing many figures at once, each with its simple-history row.

simple-history's bulk helpers build a model instance and a historical instance for every row and
insert both through the ORM. On PostgreSQL the rows go in with COPY instead (and changed rows
with one UPDATE per batch), written from plain dicts; each history row holds what the helpers
would have written: the row's values, the user, the date, the reason and "+" or "~". Other
databases (the SQLite demo) keep the helpers.
"""

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from governance.models import User

CREATED = "+"
CHANGED = "~"


# A figure is never written without its history row: both in one transaction, the caller's if any.
@transaction.atomic(savepoint=False)
def insert_with_history(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    by: User,
    reason: str,
    at: datetime,
) -> None:
    """Insert `rows` (dicts of every field's attname but the primary key) and a "+" history row
    for each; sets each dict's primary key."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        instances = [model(**row) for row in rows]
        saved = bulk_create_with_history(
            instances, model, default_user=by, default_change_reason=reason, default_date=at
        )
        for row, instance in zip(rows, saved, strict=True):
            row[model._meta.pk.attname] = instance.pk
        return
    pk = model._meta.pk
    with connection.cursor() as cursor:
        # The sequence is looked up once: nextval(pg_get_serial_sequence(...)) looks it up
        # again for every row, over ten times slower.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
            row[pk.attname] = value
    fields = model._meta.concrete_fields
    _copy(model._meta.db_table, [field.column for field in fields], map(_getter(fields), rows))
    _copy_history(model, rows, CREATED, by, reason, at)


@transaction.atomic(savepoint=False)
def update_with_history(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    fields: Sequence[str],
    *,
    by: User,
    reason: str,
    at: datetime,
) -> None:
    """Write `fields` (attnames) of `rows` (dicts of every field's attname, the primary key
    included, holding the new values) and a "~" history row for each."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        instances = [model(**row) for row in rows]
        names = [_field(model, name).name for name in fields]
        bulk_update_with_history(
            instances, model, names, default_user=by, default_change_reason=reason, default_date=at
        )
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    table = quote(model._meta.db_table)
    # A column that varies from row to row goes as an array, unnested beside the primary keys;
    # one that all rows share (who reported them, when) as a single value.
    assignments: list[str] = []
    shared: list[Any] = []
    arrays: list[Any] = [pk]
    columns: list[list[Any]] = [[row[pk.attname] for row in rows]]
    for field in (_field(model, name) for name in fields):
        values = [row[field.attname] for row in rows]
        column = quote(field.column)
        if len(set(values)) == 1:
            assignments.append(f"{column} = %s::{field.db_type(connection)}")
            shared.append(values[0])
        else:
            assignments.append(f"{column} = new.{column}")
            arrays.append(field)
            columns.append(values)
    unnest = ", ".join(f"%s::{field.db_type(connection)}[]" for field in arrays)
    new_columns = ", ".join(quote(str(field.column)) for field in arrays)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
            f"FROM unnest({unnest}) AS new ({new_columns}) "
            f"WHERE {table}.{quote(str(pk.column))} = new.{quote(str(pk.column))}",
            [*shared, *columns],
        )
    _copy_history(model, rows, CHANGED, by, reason, at)


def _field(model, attname):
    return next(field for field in model._meta.concrete_fields if field.attname == attname)


def _getter(fields):
    """A function from a row dict to the tuple of its values for `fields`, in their order."""
    getter = itemgetter(*(field.attname for field in fields))
    return getter if len(fields) > 1 else lambda row: (getter(row),)


def _copy(table, columns, tuples):
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for values in tuples:
            copy.write_row(values)


def _copy_history(model, rows, history_type, by, reason, at):
    """COPY a history row per row: the row's values as they are now, who, when, why, what."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = get_history_manager_for_model(model).model
    tracked = {field.name for field in history.tracked_fields}
    stamp = {
        "history_date": at,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user": by.pk if by else None,
    }
    tracked_fields, columns = [], []
    for field in history._meta.concrete_fields:
        if field.name == "history_id":
            continue  # the history table numbers its rows itself
        if field.name not in tracked and field.name not in stamp:
            raise ValueError(f"{history.__name__}.{field.name} has no value to copy")
        if field.name in tracked:
            tracked_fields.append(model._meta.get_field(field.name))
            columns.append(field.column)
    stamp_columns = [history._meta.get_field(name).column for name in stamp]
    constant = tuple(stamp.values())
    values = _getter(tracked_fields)
    _copy(
        history._meta.db_table,
        [*columns, *stamp_columns],
        (values(row) + constant for row in rows),
    )
