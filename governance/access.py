"""Who may do what. Visibility (which rows) lives in the querysets' visible_to()."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_manager(user):
    """Only procurement staff and administrators change the register."""
    if not user.can_manage:
        raise PermissionDenied


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        require_manager(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def portfolio_required(view):
    """Pages about the whole portfolio: the city's people only."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.sees_portfolio:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
