"""Role checks in one place, for pages, the API and sockets alike."""

from functools import wraps

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.errors import Forbidden, NotSignedIn


def require_moderator(user):
    """Raise unless the user may moderate."""
    if user is None or not user.is_authenticated:
        raise NotSignedIn()
    if not user.is_moderator:
        raise Forbidden(_l("Only moderators can do that."), code="not_moderator")


def permission_required(role):
    """View decorator: the signed-in user must have at least this role."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise NotSignedIn()
            if role == "moderator":
                require_moderator(current_user)
            elif role == "admin" and current_user.role != "admin":
                raise Forbidden(_l("Only admins can do that."), code="not_admin")
            return view(*args, **kwargs)

        return wrapped

    return decorator
