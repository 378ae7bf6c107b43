"""Coalesced live broadcasts of rating and leaderboard changes, read after their commit."""

import logging
import math
import threading
import time

import sqlalchemy as sa

from contest import metrics
from contest.api.serializers import standing_to_dict
from contest.database import read_only_context
from contest.extensions import db, socketio
from contest.models import Entry, Round
from contest.rounds import phases as rounds
from contest.rounds.rating_counts import histograms
from contest.rounds.ratings import round_prior, summary
from contest.rounds.standings import top_standings

log = logging.getLogger(__name__)


def safe_emit(event, data, to):
    """Emit to a room; a dead client or a broken queue must never stop the caller."""
    try:
        socketio.emit(event, data, to=to)
        metrics.LIVE_EVENTS.labels(event).inc()
        return True
    except Exception:
        log.exception("emitting %s to %s failed", event, to)
        return False


def leaderboard_payload(round_id):
    top = top_standings(round_id)
    return {"round_id": round_id, "top": [standing_to_dict(s) for s in top]}


def _turns_come(pending, ready_at, now):
    """The pending keys whose turn has come, and how long until the next one's (None: none)."""
    come, wait = [], None
    for key in pending:
        at = ready_at.get(key, 0)
        if at <= now:
            come.append(key)
        elif wait is None or at - now < wait:
            wait = at - now
    return come, wait


class Broadcaster:
    """Sends at most one `rating` per entry and one `leaderboard` per round per interval, always
    ending with the latest values."""

    def __init__(self, app):
        self.app = app
        self.interval = app.config["LIVE_INTERVAL"]
        self._pending = {}  # entry_id -> round_id
        self._changed_at = {}  # entry_id -> wall-clock ms of its newest committed change
        self._ready_at = {}  # entry_id -> monotonic time its next event may be sent
        # Busy entries' turns come on one grid, a whole interval apart: one read serves them
        # all. (A quarter interval let them fall into four phases: four reads of the round an
        # interval, 97 us of each rating's CPU against 35.) A quiet entry's change still goes
        # at once; a busy one's waits at most one interval once its turns are on the grid (its
        # first turn after a quiet one may wait up to two).
        self._tick = self.interval or 0.001
        self._boards = {}  # round_id -> the last leaderboard sent
        self._pending_boards = set()  # rounds whose leaderboard may have moved
        self._board_ready_at = {}  # round_id -> monotonic time its board may be read again
        self._cond = threading.Condition()
        self._thread = None
        self._stopped = False

    def mark(self, entry_id, round_id):
        """Called right after a commit changed this entry's ratings."""
        with self._cond:
            self._pending[entry_id] = round_id
            self._pending_boards.add(round_id)
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
                entries, wait = _turns_come(self._pending, self._ready_at, now)
                boards, board_wait = _turns_come(self._pending_boards, self._board_ready_at, now)
                due = {entry_id: self._pending[entry_id] for entry_id in entries}
                boards = set(boards)
                if due or boards:
                    # the next turn of each starts on a tick after a whole interval
                    ready_at = math.ceil((now + self.interval) / self._tick) * self._tick
                    stamps = {}
                    for entry_id in due:
                        del self._pending[entry_id]
                        self._ready_at[entry_id] = ready_at
                        stamps[entry_id] = self._changed_at.pop(entry_id, None)
                    for round_id in boards:
                        self._pending_boards.discard(round_id)
                        self._board_ready_at[round_id] = ready_at
                    if len(self._ready_at) > 10_000:
                        self._ready_at = {k: t for k, t in self._ready_at.items() if t > now}
                    return due, stamps, boards
                self._cond.wait(min((w for w in (wait, board_wait) if w is not None), default=5.0))
            return None, None, None

    def _loop(self):
        while True:
            due, stamps, boards = self._take_due()
            if due is None:
                return
            try:
                self.flush(due, stamps, boards)
            except Exception:  # the loop must outlive any one failure
                log.exception("live broadcast failed")

    def flush(self, due, stamps=None, boards=None):
        """Emit the current values of these entries, and the leaderboards of these rounds (by
        default the entries' rounds). A round's board is read at most once per interval: with
        many fans rating, reading it for every entry's event cost more than the ratings.

        `changed_at` in a `rating` event is when its newest change was committed and `sent_at`
        when this process sent it (epoch ms): viewers and benchmarks can tell how fresh it is.
        """
        with self.app.app_context():
            read_only_context()  # on SQLite, never wait for (or hold up) the rating writer
            try:
                boards = set(due.values()) if boards is None else boards
                # held here: the identity map only keeps objects someone holds, and the prior
                # and the entries' stages ask for these rounds again
                held = {r: db.session.get(Round, r) for r in set(due.values()) | boards}
                blind = {
                    r for r, round_ in held.items() if round_ is None or rounds.is_blind(round_)
                }
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
                for round_id in boards - blind:
                    board = leaderboard_payload(round_id)
                    if self._boards.get(round_id) != board:
                        self._boards[round_id] = board
                        safe_emit("leaderboard", board, to=f"round:{round_id}")
            finally:
                db.session.remove()
