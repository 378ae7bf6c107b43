"""Who may see which entry: one rule for pages, API and sockets."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.errors import NotFound
from contest.extensions import db
from contest.models import Entry

PUBLIC_STATUSES = ("live",)


def can_view(user, entry):
    """Live entries are public; others only to their author and moderators."""
    if entry.status in PUBLIC_STATUSES:
        return True
    if user is None or not user.is_authenticated:
        return False
    return user.id == entry.author_id or user.is_moderator


def get_visible_entry(user, entry_id):
    """The entry if this user may see it, else NotFound (never reveal hidden entries)."""
    query = sa.select(Entry).where(Entry.id == entry_id)
    entry = db.session.scalar(query) if isinstance(entry_id, int) else None
    if entry is None or not can_view(user, entry):
        raise NotFound(_l("No such entry."), code="entry_not_found")
    return entry
