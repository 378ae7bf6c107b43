"""Live theme votes: a `theme` event {id, votes} in room `themes:<YYYY-MM>`, coalesced like
ratings (at most one per theme per LIVE_INTERVAL, always ending with the latest count)."""

import logging
import threading
import time

from flask import current_app

from contest import events
from contest.database import read_only_context
from contest.events import ThemeVotesChanged
from contest.extensions import db, socketio
from contest.models import Theme

log = logging.getLogger(__name__)


class ThemeVotes:
    def __init__(self, app):
        self.app = app
        self.interval = app.config["LIVE_INTERVAL"]
        self._pending = {}  # theme_id -> month
        self._last_sent = {}  # theme_id -> monotonic time of its last event
        self._cond = threading.Condition()
        self._thread = None
        self._stopped = False

    def mark(self, theme_id, month):
        with self._cond:
            self._pending[theme_id] = month
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="ginga-themes")
                self._thread.daemon = True
                self._thread.start()
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _take_due(self):
        with self._cond:
            while not self._stopped:
                now, wait, due = time.monotonic(), None, {}
                for theme_id, month in self._pending.items():
                    ready = self._last_sent.get(theme_id, 0) + self.interval
                    if ready <= now:
                        due[theme_id] = month
                    else:
                        wait = min(wait or ready - now, ready - now)
                if due:
                    for theme_id in due:
                        del self._pending[theme_id]
                        self._last_sent[theme_id] = now
                    return due
                self._cond.wait(wait if wait is not None else 5.0)
            return None

    def _loop(self):
        while True:
            due = self._take_due()
            if due is None:
                return
            try:
                self.flush(due)
            except Exception:  # the loop must outlive any one failure
                log.exception("live theme votes failed")

    def flush(self, due):
        with self.app.app_context():
            read_only_context()
            try:
                counts = dict(
                    db.session.execute(
                        db.select(Theme.id, Theme.votes).where(Theme.id.in_(list(due)))
                    ).all()
                )
            finally:
                db.session.remove()
        for theme_id, month in due.items():
            if theme_id in counts:
                socketio.emit(
                    "theme", {"id": theme_id, "votes": counts[theme_id]}, to=f"themes:{month}"
                )


def _on_votes_changed(event):
    current_app.extensions["theme_votes"].mark(event.theme_id, event.month)


def init_app(app):
    app.extensions["theme_votes"] = ThemeVotes(app)
    events.subscribe(app, ThemeVotesChanged, _on_votes_changed)
