"""Judge mode's queue: the clips a fan has not judged yet, fewest counted ratings first."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest.errors import Conflict, Invalid
from contest.extensions import db
from contest.models import Entry, Rating
from contest.rounds import phases as rounds
from contest.rounds.orders import fan_order
from contest.rounds.ratings import contenders

MAX_LIMIT = 50
MAX_SKIP = 500


def check_limit(limit):
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(_l("limit must be a whole number from 1 to 50."), code="invalid_limit")
    return limit


def judge_queue(user, round_, limit=10, skip=(), seed="anonymous"):
    """(entries, judged, total) for judge mode.

    Signed in: the live entries (finalists during the finals) the fan did not make and has not
    rated in the current stage, fewest counted ratings first, in the fan's own random order among
    equals, so every clip gets seen, not just the first cards. Anonymous: a shuffled list
    (stable for one visitor's seed), judged None.
    """
    check_limit(limit)
    if not rounds.accepts_votes(round_):
        raise Conflict(
            _l("Voting is not open in this round, so there is nothing to judge."),
            code="voting_closed",
        )
    skip = {i for i in skip if isinstance(i, int) and not isinstance(i, bool)}
    if len(skip) > MAX_SKIP:
        raise Invalid(_l("Too many clips to skip at once."), code="invalid_skip")
    where = contenders(round_.id)
    not_skipped = [Entry.id.not_in(sorted(skip))] if skip else []
    if user is None:
        total = db.session.scalar(sa.select(sa.func.count(Entry.id)).where(*where))
        chosen = db.session.scalars(
            sa.select(Entry.id)
            .where(*where, *not_skipped)
            .order_by(fan_order(f"{round_.id}:{seed}"))
            .limit(limit)
        ).all()
        return _load(chosen), None, total
    stage = "finals" if rounds.in_finals(round_) else "main"
    theirs = [*where, Entry.author_id != user.id]
    total = db.session.scalar(sa.select(sa.func.count(Entry.id)).where(*theirs))
    mine = (
        sa.select(Rating.id)
        .where(Rating.entry_id == Entry.id, Rating.user_id == user.id, Rating.stage == stage)
        .exists()
    )
    judged = db.session.scalar(
        sa.select(sa.func.count(Rating.id))
        .join(Entry, Entry.id == Rating.entry_id)
        .where(Rating.user_id == user.id, Rating.stage == stage, *theirs)
    )
    chosen = db.session.scalars(
        sa.select(Entry.id)
        .where(*theirs, ~mine, *not_skipped)
        .order_by(Entry.rating_count, fan_order(f"{round_.id}:{user.id}"), Entry.id)
        .limit(limit)
    ).all()
    return _load(chosen), judged, total  # judged: contenders only, never the fan's own


def _load(ids):
    if not ids:
        return []
    found = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(ids)).options(selectinload(Entry.author))
        )
    }
    return [found[i] for i in ids if i in found]
