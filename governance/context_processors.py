"""What every page's header needs about the person looking."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .fragments import viewer_label
from .mfa import session_passed


def viewer(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's name and role for the header; a shared page
    (governance.fragments.shared_page) gives a marker instead."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The sign-in page offers the city's single sign-on when it is on.
        return {"city_sign_in": settings.OIDC_ENABLED}
    # Between password and code the header shows no menu: its pages would only ask for the code.
    owed = request.path_info.startswith("/mfa/") and not session_passed(request)
    return {"who": viewer_label(user), "second_factor_owed": owed}
