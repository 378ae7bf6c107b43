"""One thread per process commits ratings in small batches; each fan is answered after the commit.

Ratings are the hottest write of the site. Request threads used to take the database's write
lock one by one (SQLite) or queue on the entry's row lock (PostgreSQL), so many fans rating at
once spent their time waiting for each other. Here a request thread hands its change to the
writer and waits; the writer takes everything waiting (up to RATING_BATCH), applies it in one
transaction with ratings.apply_changes, commits once, and wakes every waiter with its own
answer or its own error. Nothing is acknowledged before its commit.

A batch costs about the same to commit with two ratings or twenty (the statements, the round's
prior, the commit), so once work arrives the writer lets it gather for up to RATING_GATHER_MS
(or until RATING_BATCH wait) before it takes it. Under load, batches of ~9 became ~12 under
16 gthread threads and ~27 became 64 under gevent (+6% ratings per second there), for a couple
of milliseconds of latency.
"""

import logging
import threading
import time
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from contest import metrics
from contest.errors import ContestError
from contest.extensions import db
from contest.rounds.rating_batches import RatingChange, apply_changes

log = logging.getLogger(__name__)
IDLE_SECONDS = 30  # the thread ends after this long without work; the next rating starts it


class Unavailable(ContestError):
    status, code = 503, "rating_unavailable"
    default_message = _l("Your rating could not be saved just now. Please try again.")


class _Waiting:
    """A change and the lock its fan waits on: held from the start, released once answered (a
    bare lock wakes one waiter for less than an Event, which is a Condition in Python)."""

    __slots__ = ("change", "done")

    def __init__(self, change):
        self.change, self.done = change, threading.Lock()
        self.done.acquire()


class RatingWriter:
    def __init__(self, app):
        self.app = app
        self.batch = app.config["RATING_BATCH"]
        self.timeout = app.config["RATING_TIMEOUT"]
        self.gather = app.config["RATING_GATHER_MS"] / 1000
        self._queue = []
        self._idle = False  # the writer waits for work (not for a batch to gather): wake it
        self._cond = threading.Condition()
        self._thread = None
        self._closed = False

    def submit(self, user, entry_id, stars):
        """Apply one change and return its entry's public summary, or raise its error."""
        # the writer thread must not touch this request's ORM objects: give it plain facts
        fan = SimpleNamespace(
            id=user.id,
            is_authenticated=True,
            is_moderator=bool(user.is_moderator),
            created_at=user.created_at,
        )
        waiting = _Waiting(RatingChange(fan, entry_id, stars))
        # Give this request's connection back while it waits: fifty fans waiting must not hold
        # the pool the writer needs. Loaded objects (current_user) stay readable, detached.
        if db.session.registry.has():  # (none opened yet: do not make one to close it)
            db.session.close()
        with self._cond:
            if self._closed:
                raise Unavailable()  # shutting down: another process takes the retry
            self._queue.append(waiting)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="ginga-rating-writer", daemon=True
                )
                self._thread.start()
            elif self._idle or len(self._queue) >= self.batch:
                self._cond.notify()
        if not waiting.done.acquire(timeout=self.timeout):
            # still queued: take it back so it is never applied unanswered
            with self._cond:
                if waiting in self._queue:
                    self._queue.remove(waiting)
                    raise Unavailable()
            waiting.done.acquire()  # being applied right now: its answer comes soon
        if waiting.change.error is not None:
            raise waiting.change.error
        return waiting.change.result

    def close(self):
        """Shutting down: finish the batch being applied, answer the rest 503. Returns how many
        were refused; the writer takes nothing new."""
        with self._cond:
            self._closed = True
            refused, self._queue = self._queue, []
            for waiting in refused:
                waiting.change.error = Unavailable()
                waiting.done.release()
            self._cond.notify_all()
            return len(refused)

    def wait_idle(self, timeout):
        """Wait until the batch being applied is committed (or timeout); True if idle."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _take(self):
        with self._cond:
            if not self._queue and not self._closed:
                self._idle = True
                self._cond.wait(IDLE_SECONDS)
                self._idle = False
            if not self._queue:
                self._thread = None
                return None
            deadline = time.monotonic() + self.gather
            while len(self._queue) < self.batch and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)  # submit() wakes it early once a full batch waits
            taken, self._queue = self._queue[: self.batch], self._queue[self.batch :]
            return taken

    def _loop(self):
        while True:
            taken = self._take()
            if taken is None:
                return
            self._apply(taken)

    def _apply(self, taken):
        try:
            with self.app.app_context():
                # This session ends right after the commit: expiring what it loaded at the
                # commit would only be undone (~8% of a batch of 13).
                db.session().expire_on_commit = False
                try:
                    apply_changes([w.change for w in taken])
                    metrics.RATING_BATCH.observe(len(taken))
                    metrics.RATINGS.inc(sum(1 for w in taken if w.change.result is not None))
                except Exception as error:
                    db.session.rollback()
                    if not isinstance(error, ContestError):
                        log.exception("a batch of %d ratings failed", len(taken))
                    for w in taken:
                        if w.change.result is None and w.change.error is None:
                            w.change.error = error
                finally:
                    db.session.remove()
        finally:
            for w in taken:
                w.done.release()


def init_app(app):
    app.extensions["rating_writer"] = RatingWriter(app)
