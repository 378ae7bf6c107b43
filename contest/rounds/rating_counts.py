"""How an entry's ratings stand besides its score: how the counted ones spread over 1 to 5
stars (the entry page's histogram, and the live broadcaster's for many entries at once), and
the ratings of young accounts that do not count yet."""

from datetime import UTC

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Rating, User
from contest.rounds.ratings import min_account_age, stage_of


def histogram(entry):
    """[count of 1-star, ..., count of 5-star] ratings of an entry's current stage."""
    counts = dict(
        db.session.execute(
            sa.select(Rating.stars, sa.func.count(Rating.id))
            .where(
                Rating.entry_id == entry.id,
                Rating.stage == stage_of(entry),
                Rating.counted.is_(True),
            )
            .group_by(Rating.stars)
        ).all()
    )
    return [counts.get(stars, 0) for stars in range(1, 6)]


_HISTOGRAMS = (
    sa.select(Rating.entry_id, Rating.stars, sa.func.count(Rating.id))
    .where(
        Rating.entry_id.in_(sa.bindparam("ids", expanding=True)),
        Rating.stage == sa.bindparam("stage"),
        Rating.counted.is_(True),
    )
    .group_by(Rating.entry_id, Rating.stars)
)  # built once: the live broadcaster runs it several times a second


def histograms(entries):
    """{entry_id: histogram} of many entries in one query (the live broadcaster's batch)."""
    entries = list(entries)
    found = {e.id: [0] * 5 for e in entries}
    for stage in {stage_of(e) for e in entries}:
        ids = [e.id for e in entries if stage_of(e) == stage]
        for entry_id, stars, n in db.session.execute(_HISTOGRAMS, {"ids": ids, "stage": stage}):
            found[entry_id][stars - 1] = n
    return found


def pending(entries):
    """{entry_id: (n, first)}: ratings not counted yet (young accounts), when one first counts."""
    entries = list(entries)
    found = {}
    for stage in {stage_of(e) for e in entries}:
        ids = [e.id for e in entries if stage_of(e) == stage]
        rows = db.session.execute(
            sa.select(Rating.entry_id, sa.func.count(Rating.id), sa.func.min(User.created_at))
            .join(User, User.id == Rating.user_id)
            .where(
                Rating.entry_id.in_(ids),
                Rating.stage == stage,
                Rating.counted.is_(False),
                User.banned_at.is_(None),
            )
            .group_by(Rating.entry_id)
        )
        for entry_id, n, first in rows:  # min() comes back without the column's time zone
            first = first.replace(tzinfo=UTC) if first.tzinfo is None else first
            found[entry_id] = (n, first + min_account_age())
    return found
