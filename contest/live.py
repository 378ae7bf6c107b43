"""Socket.IO: rooms, and the live events that follow commits (see live_broadcast.py)."""

import logging
import re
from contextlib import contextmanager

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room

from contest import events, links, live_sessions, live_themes, metrics
from contest.api.serializers import comment_to_dict
from contest.database import read_only_context
from contest.entries.access import get_visible_entry
from contest.errors import ContestError, Invalid, NotFound
from contest.events import (
    CommentAdded,
    CommentLiked,
    ContendersChanged,
    EntryStatusChanged,
    Notified,
    RatingChanged,
)
from contest.extensions import db, socketio
from contest.i18n import in_language_of
from contest.live_broadcast import Broadcaster, leaderboard_payload, safe_emit
from contest.models import Comment, Entry, Round

log = logging.getLogger(__name__)
ROOM_RE = re.compile(r"^(entry|round):(\d{1,18})$|^themes:(\d{4}-(?:0[1-9]|1[0-2]))$")


def check_room(user, room):
    """Raise unless this user may watch this room."""
    match = ROOM_RE.match(room) if isinstance(room, str) else None
    if not match:
        raise Invalid(
            _l("Rooms look like entry:<id>, round:<id> or themes:<YYYY-MM>."), code="invalid_room"
        )
    if match.group(3):
        return  # a month's theme proposals are public
    kind, ident = match.group(1), int(match.group(2))
    if kind == "entry":
        get_visible_entry(user, ident)
    elif db.session.get(Round, ident) is None:
        raise NotFound(_l("No such round."), code="round_not_found")


def _error(error):
    return {"error": {"code": error.code, "message": error.message}}


def on_connect(auth=None):
    metrics.WEBSOCKETS.inc()
    if current_user.is_authenticated:
        join_room(f"user:{current_user.id}")
        live_sessions.on_connect()


def on_join(data=None):
    room = data.get("room") if isinstance(data, dict) else None
    try:
        check_room(current_user, room)
    except ContestError as error:
        return _error(error)
    join_room(room)
    return {"ok": True, "room": room}


def on_leave(data=None):
    room = data.get("room") if isinstance(data, dict) else None
    if isinstance(room, str):
        leave_room(room)
    return {"ok": True, "room": room}


def rating_changed(entry_id, round_id):
    """Schedule a coalesced `rating` (and maybe `leaderboard`) broadcast."""
    current_app.extensions["live"].mark(entry_id, round_id)


def entry_status_changed(entry):
    """Tell the uploader, live, that their entry moved on."""
    with in_language_of(entry.author):
        payload = {"entry_id": entry.id, "status": entry.status, "reason": entry.reason}
    safe_emit("entry_status", payload, to=f"user:{entry.author_id}")


@contextmanager
def _reading():
    """Read in an app context of its own that only reads: the caller's transaction is over,
    and on SQLite this must never take (or wait for) the write lock."""
    with current_app.app_context():
        read_only_context()
        try:
            yield
        finally:
            db.session.remove()


def _on_rating_changed(event):
    current_app.extensions["live"].mark(event.entry_id, event.round_id)


def _on_contenders_changed(event):
    with _reading():
        round_changed(event.round_id)


def _on_entry_status_changed(event):
    with _reading():
        entry = db.session.get(Entry, event.entry_id)
        if entry is not None:
            entry_status_changed(entry)


def _on_comment_added(event):
    with _reading():
        comment = db.session.get(Comment, event.comment_id)
        if comment is not None:
            payload = {"entry_id": event.entry_id, "comment": comment_to_dict(comment)}
            safe_emit("comment", payload, to=f"entry:{event.entry_id}")


def _on_comment_liked(event):
    with _reading():
        comment = db.session.get(Comment, event.comment_id)
        if comment is not None:
            payload = {"id": comment.id, "entry_id": event.entry_id, "likes": comment.likes}
            safe_emit("comment_like", payload, to=f"entry:{event.entry_id}")


def _on_notified(event):
    payload = event.payload | {"url": links.target_url(event.target)}
    safe_emit("notification", payload, to=f"user:{event.user_id}")


def init_app(app):
    """Socket.IO handlers, the coalescing broadcaster, and the events live updates follow."""
    app.extensions["live"] = Broadcaster(app)
    socketio.on_event("connect", on_connect)
    socketio.on_event("join", on_join)
    socketio.on_event("leave", on_leave)
    events.subscribe(app, RatingChanged, _on_rating_changed)
    events.subscribe(app, ContendersChanged, _on_contenders_changed)
    events.subscribe(app, EntryStatusChanged, _on_entry_status_changed)
    events.subscribe(app, CommentAdded, _on_comment_added)
    events.subscribe(app, Notified, _on_notified)
    events.subscribe(app, CommentLiked, _on_comment_liked)
    live_sessions.init_app(app)
    live_themes.init_app(app)


def round_changed(round_id):
    """Send a round's leaderboard now (its contenders changed, e.g. finalists were chosen)."""
    safe_emit("leaderboard", leaderboard_payload(round_id), to=f"round:{round_id}")
