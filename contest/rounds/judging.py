"""Judge mode's queue: the clips a fan has not judged yet, fewest counted ratings first."""

import hashlib
import random

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.errors import Conflict, Invalid
from contest.extensions import db
from contest.models import Entry, Rating
from contest.rounds import phases as rounds
from contest.rounds.ratings import contenders

MAX_LIMIT = 50
MAX_SKIP = 500


def check_limit(limit):
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(_l("limit must be a whole number from 1 to 50."), code="invalid_limit")
    return limit


def _order_key(seed, entry_id):
    """A fan's own, stable random order among clips with as many ratings."""
    return hashlib.blake2b(f"{seed}:{entry_id}".encode(), digest_size=8).digest()


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
    skip = {i for i in skip if isinstance(i, int)}
    if len(skip) > MAX_SKIP:
        raise Invalid(_l("Too many clips to skip at once."), code="invalid_skip")
    where = contenders(round_.id)
    rows = db.session.execute(
        sa.select(Entry.id, Entry.rating_count, Entry.author_id).where(*where)
    )
    candidates = [(i, n) for i, n, author in rows if not (user and author == user.id)]
    total = len(candidates)
    if user is None:
        ids = sorted(i for i, _ in candidates)
        random.Random(f"{round_.id}:{seed}").shuffle(ids)
        chosen = [i for i in ids if i not in skip][:limit]
        return _load(chosen), None, total
    stage = "finals" if rounds.in_finals(round_) else "main"
    rated = set(
        db.session.scalars(
            sa.select(Rating.entry_id)
            .join(Entry, Entry.id == Rating.entry_id)
            .where(Rating.user_id == user.id, Rating.stage == stage, *where)
        )
    )
    seed = f"{round_.id}:{user.id}"
    waiting = [(n, _order_key(seed, i), i) for i, n in candidates if i not in rated]
    waiting.sort()
    chosen = [i for _, _, i in waiting if i not in skip][:limit]
    return _load(chosen), len(rated), total  # rated: contenders only, never the fan's own


def _load(ids):
    if not ids:
        return []
    found = {e.id: e for e in db.session.scalars(sa.select(Entry).where(Entry.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
