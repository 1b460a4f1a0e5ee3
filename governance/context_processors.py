"""What every page's header needs about the person looking."""

from typing import Any

from django.http import HttpRequest

from .fragments import viewer_label


def viewer(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's name and role for the header; a shared page
    (governance.fragments.shared_page) gives a marker instead."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"who": viewer_label(user)}
