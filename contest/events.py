"""Domain events: rules record what happened; subscribers act once the transaction commits.

A rule calls `record(RatingChanged(...))` inside its transaction. Nothing happens until that
transaction commits: then each subscriber of the event's type (live broadcasts, the job queue)
is called in order. A rolled-back transaction drops its events. Subscribers belong to the app
(`subscribe` is called from `init_app` functions), so two apps in one process never share them.
Subscribers run with the session usable again (after the commit has fully ended), so they may
read fresh rows; one failing subscriber is logged and never stops the others or the caller.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from contest.extensions import db

log = logging.getLogger(__name__)
_RECORDED, _COMMITTED = "events.recorded", "events.committed"


@dataclass(frozen=True)
class RatingChanged:
    """An entry's counted ratings changed: its score, and maybe the leaderboard, moved."""

    entry_id: int
    round_id: int


@dataclass(frozen=True)
class ContendersChanged:
    """A round's contenders changed (finalists chosen): its leaderboard is sent at once."""

    round_id: int


@dataclass(frozen=True)
class EntryStatusChanged:
    """An entry moved on (processing, live, rejected, hidden...): its uploader is told."""

    entry_id: int


@dataclass(frozen=True)
class ProcessingWanted:
    """An uploaded entry needs its video checked and processed, after delay seconds."""

    entry_id: int
    delay: float = 0


@dataclass(frozen=True)
class SmallRenditionWanted:
    """A clip stored before small renditions existed needs one made."""

    entry_id: int


@dataclass(frozen=True)
class MailQueued:
    """A mail was recorded (or is due again): deliver it after delay seconds."""

    mail_id: int
    delay: float = 0


@dataclass(frozen=True)
class CommentAdded:
    """A comment was posted on an entry."""

    comment_id: int
    entry_id: int


@dataclass(frozen=True)
class Notified:
    """A notification was stored for a fan; payload is what their open pages show."""

    user_id: int
    payload: dict
    target: str = ""


@dataclass(frozen=True)
class CommentLiked:
    """A comment's likes moved: viewers of its entry see the count."""

    comment_id: int
    entry_id: int


@dataclass(frozen=True)
class ThemeVotesChanged:
    """A theme's votes moved: viewers of its month's proposals see the count (coalesced)."""

    theme_id: int
    month: str


@dataclass(frozen=True)
class SessionsEnded:
    """Sessions of a fan ended (logout-all, a new password, a ban): their sockets must close."""

    user_id: int


@dataclass(frozen=True)
class AccountChanged:
    """A fan's row or sessions changed: processes must not serve their cached copy."""

    user_id: int


def record(event):
    """Note that something happened; subscribers hear of it once the transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # no SQL yet: so that a rollback, too, ends (and drops) this event
    session.info.setdefault(_RECORDED, []).append(event)


def subscribe(app, event_type, handler):
    """Call handler(event) after each committed transaction that recorded such an event."""
    app.extensions.setdefault("events", defaultdict(list))[event_type].append(handler)


def dispatch(events):
    """Hand committed events to the current app's subscribers, in the order they happened."""
    handlers = current_app.extensions.get("events", {})
    for event in events:
        for handler in handlers.get(type(event), ()):
            try:
                handler(event)
            except Exception:  # a broken socket or queue must never undo a committed change
                log.exception("subscriber %r failed on %r", handler, event)


@sa.event.listens_for(Session, "after_commit")
def _committed(session):
    recorded = session.info.pop(_RECORDED, None)
    if recorded:
        session.info.setdefault(_COMMITTED, []).extend(recorded)


@sa.event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    # After the commit the session cannot read; here, once the transaction is over, it can.
    if transaction.parent is None and session.info.get(_COMMITTED) and has_app_context():
        dispatch(session.info.pop(_COMMITTED))


@sa.event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_RECORDED, None)
