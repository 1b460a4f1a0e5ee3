"""Who may see and do what: visibility (which rows) is VisibleToQuerySet.visible_to(); what a
person may change is on the User (can_manage, may_contribute, may_report_for) and enforced by
the helpers below, with which views open."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import User, VisibleToQuerySet

__all__ = ["VisibleToQuerySet", "manager_required", "portfolio_required", "require_manager"]

View = Callable[..., HttpResponse]


def require_manager(user: User | AnonymousUser) -> None:
    """Only procurement staff and administrators change the register."""
    if not getattr(user, "can_manage", False):
        raise PermissionDenied


def manager_required(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_manager(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def portfolio_required(view: View) -> View:
    """Pages about the whole portfolio: the city's people only."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.sees_portfolio:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
