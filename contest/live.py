"""Socket.IO: rooms, and coalesced broadcasts of rating and leaderboard changes."""

import logging
import re
import threading
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room

from contest import events, links, live_sessions, live_themes, metrics
from contest.api.serializers import comment_to_dict, standing_to_dict
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
from contest.models import Comment, Entry, Round
from contest.rounds import phases as rounds
from contest.rounds.ratings import histograms, round_prior, summary
from contest.rounds.standings import LEADERBOARD_SIZE, live_standings

log = logging.getLogger(__name__)
ROOM_RE = re.compile(r"^(entry|round):(\d{1,18})$|^themes:(\d{4}-(?:0[1-9]|1[0-2]))$")


def safe_emit(event, data, to):
    """Emit to a room; a dead client or a broken queue must never stop the caller."""
    try:
        socketio.emit(event, data, to=to)
        metrics.LIVE_EVENTS.labels(event).inc()
        return True
    except Exception:
        log.exception("emitting %s to %s failed", event, to)
        return False


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


def leaderboard_payload(round_id):
    top = live_standings(round_id)[:LEADERBOARD_SIZE]
    return {"round_id": round_id, "top": [standing_to_dict(s) for s in top]}


class Broadcaster:
    """Sends at most one `rating` per entry per interval, always ending with the latest value."""

    def __init__(self, app):
        self.app = app
        self.interval = app.config["LIVE_INTERVAL"]
        self._pending = {}  # entry_id -> round_id
        self._changed_at = {}  # entry_id -> wall-clock ms of its newest committed change
        self._last_sent = {}  # entry_id -> monotonic time of its last event
        self._boards = {}  # round_id -> the last leaderboard sent
        self._cond = threading.Condition()
        self._thread = None
        self._stopped = False

    def mark(self, entry_id, round_id):
        """Called right after a commit changed this entry's ratings."""
        with self._cond:
            self._pending[entry_id] = round_id
            self._changed_at[entry_id] = int(time.time() * 1000)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="ginga-live", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _take_due(self):
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                due, wait = {}, None
                for entry_id, round_id in self._pending.items():
                    ready_at = self._last_sent.get(entry_id, 0) + self.interval
                    if ready_at <= now:
                        due[entry_id] = round_id
                    else:
                        wait = min(wait or ready_at - now, ready_at - now)
                if due:
                    stamps = {}
                    for entry_id in due:
                        del self._pending[entry_id]
                        self._last_sent[entry_id] = now
                        stamps[entry_id] = self._changed_at.pop(entry_id, None)
                    if len(self._last_sent) > 10_000:
                        old = now - 60
                        self._last_sent = {k: t for k, t in self._last_sent.items() if t > old}
                    return due, stamps
                self._cond.wait(wait if wait is not None else 5.0)
            return None, None

    def _loop(self):
        while True:
            due, stamps = self._take_due()
            if due is None:
                return
            try:
                self.flush(due, stamps)
            except Exception:  # the loop must outlive any one failure
                log.exception("live broadcast failed")

    def flush(self, due, stamps=None):
        """Emit the current values of these entries and their rounds' leaderboards.

        `changed_at` in a `rating` event is when its newest change was committed and `sent_at`
        when this process sent it (epoch ms): viewers and benchmarks can tell how fresh it is.
        """
        with self.app.app_context():
            read_only_context()  # on SQLite, never wait for (or hold up) the rating writer
            try:
                blind = {r for r in set(due.values()) if rounds.is_blind(db.session.get(Round, r))}
                priors = {
                    round_id: round_prior(round_id)
                    for round_id in set(due.values())
                    if round_id not in blind
                }
                entries = db.session.scalars(
                    sa.select(Entry).where(Entry.id.in_(list(due)), Entry.round_id.not_in(blind))
                ).all()  # blind finish: ratings count, scores stay hidden
                counts = histograms(entries)
                for entry in entries:
                    payload = {
                        "entry_id": entry.id,
                        **summary(entry, priors[entry.round_id]),
                        "histogram": counts[entry.id],
                    }
                    if stamps and stamps.get(entry.id):
                        payload["changed_at"] = stamps[entry.id]
                    payload["sent_at"] = int(time.time() * 1000)
                    safe_emit(
                        "rating", payload, to=[f"entry:{entry.id}", f"round:{entry.round_id}"]
                    )
                # A commit may have landed since the entries above were read (finalists chosen):
                # the boards read everything afresh, never those objects' older values.
                db.session.expire_all()
                for round_id in priors:
                    board = leaderboard_payload(round_id)
                    if self._boards.get(round_id) != board:
                        self._boards[round_id] = board
                        safe_emit("leaderboard", board, to=f"round:{round_id}")
            finally:
                db.session.remove()


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
