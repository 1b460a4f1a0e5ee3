"""Who made a change: simple-history takes the request's user from its middleware, and a row's
_history_user when set, which is how a service names the person acting outside a request (a
worker, the demo loader, a test)."""

from typing import Any


def stamp(row: Any, by: Any) -> None:
    """Name `by` (a user, or None for the portal itself) in the row's next history record."""
    if by is not None:
        row._history_user = by
