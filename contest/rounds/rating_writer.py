"""Ratings are committed in small batches, one at a time per process; each fan is answered
after the commit.

Ratings are the hottest write of the site. Request threads used to take the database's write
lock one by one (SQLite) or queue on the entry's row lock (PostgreSQL), so many fans rating at
once spent their time waiting for each other. Here a rating request queues its change and
waits. The fans' requests take turns leading: the one that leads takes everything waiting (up
to RATING_BATCH, its own change first), applies it in one transaction with
ratings.apply_changes, commits once, wakes every waiter with its own answer or its own error,
and hands the lead to the oldest change still waiting, whose request wakes anyway. Nothing is
acknowledged before its commit. (A writer thread of its own did this until 2026-12-06: every
batch then also woke that thread, and its leader's fan waited for an answer from it; under
gthread, taking turns gave +6% ratings per second.)

A batch costs about the same to commit with two ratings or twenty (the statements, the round's
prior, the commit), so the leader lets work gather for up to RATING_GATHER_MS (or until
RATING_BATCH wait) before it takes it. Under load, batches of ~9 became ~12 under 16 gthread
threads and ~27 became 64 under gevent (+6% ratings per second there), for a couple of
milliseconds of latency.
"""

import logging
import threading
import time
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from contest import metrics
from contest.database import read_write_context
from contest.errors import ContestError
from contest.extensions import db
from contest.rounds.rating_batches import RatingChange, apply_changes

log = logging.getLogger(__name__)


class Unavailable(ContestError):
    status, code = 503, "rating_unavailable"
    default_message = _l("Your rating could not be saved just now. Please try again.")


class _Waiting:
    """A change and the lock its fan waits on: held from the start, released once answered or
    once this fan's request is to apply the next batch (`lead`). A bare lock wakes one waiter
    for less than an Event, which is a Condition in Python."""

    __slots__ = ("change", "done", "lead")

    def __init__(self, change):
        self.change, self.done, self.lead = change, threading.Lock(), False
        self.done.acquire()


class RatingWriter:
    def __init__(self, app):
        self.app = app
        self.batch = app.config["RATING_BATCH"]
        self.timeout = app.config["RATING_TIMEOUT"]
        self.gather = app.config["RATING_GATHER_MS"] / 1000
        self._queue = []  # waiting changes, oldest first; while any waits, one of them leads
        self._leading = False  # a fan's request applies batches now (or is about to)
        self._cond = threading.Condition()
        self._closed = False

    def submit(self, user, entry_id, stars):
        """Apply one change and return its entry's public summary, or raise its error."""
        # the batch must not touch this request's ORM objects: give it plain facts
        fan = SimpleNamespace(
            id=user.id,
            is_authenticated=True,
            is_moderator=bool(user.is_moderator),
            created_at=user.created_at,
        )
        waiting = _Waiting(RatingChange(fan, entry_id, stars))
        # Give this request's connection back while it waits: fifty fans waiting must not hold
        # the pool the batch needs. Loaded objects (current_user) stay readable, detached.
        if db.session.registry.has():  # (none opened yet: do not make one to close it)
            db.session.close()
        with self._cond:
            if self._closed:
                raise Unavailable()  # shutting down: another process takes the retry
            self._queue.append(waiting)
            if not self._leading:
                self._leading = waiting.lead = True
            elif len(self._queue) >= self.batch:
                self._cond.notify()  # the leader gathering: a full batch waits
        if not waiting.lead and not waiting.done.acquire(timeout=self.timeout):
            with self._cond:  # still queued: take it back so it is never applied unanswered
                if not waiting.lead and waiting in self._queue:
                    self._queue.remove(waiting)
                    raise Unavailable()
            waiting.done.acquire()  # being applied, or handed the lead: soon
        if waiting.lead:
            self._lead()
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
                if not waiting.lead:  # (a leader still gathering reads its error itself)
                    waiting.done.release()
            self._cond.notify_all()
            return len(refused)

    def wait_idle(self, timeout):
        """Wait until the batch being applied is committed (or timeout); True if idle."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._leading, timeout)

    def _lead(self):
        """Apply one batch from the front of the queue (this fan's change is its first), then
        hand the lead to the oldest change still waiting, whose fan wakes to apply the next."""
        taken = []
        try:
            taken = self._take()
            if taken:
                self._apply(taken)
        finally:
            with self._cond:
                following = self._queue[0] if self._queue and not self._closed else None
                if following is None:
                    self._leading = False
                    self._cond.notify_all()  # wait_idle
                else:
                    following.lead = True
            for w in taken:
                w.done.release()
            if following is not None:
                following.done.release()

    def _take(self):
        with self._cond:
            deadline = time.monotonic() + self.gather
            while len(self._queue) < self.batch and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)  # submit() wakes it early once a full batch waits
            taken, self._queue = self._queue[: self.batch], self._queue[self.batch :]
            return taken

    def _apply(self, taken):
        # its own app context (its own session), whose transactions write: the fan's request
        # that leads is a read-only view
        with self.app.app_context():
            read_write_context()
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


def init_app(app):
    app.extensions["rating_writer"] = RatingWriter(app)
