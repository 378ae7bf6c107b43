"""Standings: ranking entries by Bayesian score, live and per stage."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import Entry, Rating, Round, User, utcnow
from contest.rounds import phases as rounds
from contest.rounds.ratings import bayesian, contenders, min_account_age, prior, round_prior

LEADERBOARD_SIZE = 10  # the live leaderboard: on the round page and in every live update


@dataclass
class Standing:
    entry: Entry
    rank: int
    score: float
    average: float
    count: int
    stage: str = "main"


def _order(row):
    entry, n, _, score = row
    # Entries nobody has rated yet come after every rated one: the prior alone ranks nothing.
    # Round the score so float noise never decides a tie that the tie-breaks should.
    return (n == 0, -round(score, 9), -n, entry.created_at, entry.id)


def rank(rows, start=1, stage="main", prior_=None):
    """Rank (entry, count, sum) rows by Bayesian score; ties: more ratings, then earlier upload.
    The prior is the rows' own unless given (`prior_`: (m, C) of the whole round)."""
    rows = list(rows)
    m, c = prior_ or prior((n, s) for _, n, s in rows)
    scored = [(entry, n, s, bayesian(s, n, m, c)) for entry, n, s in rows]
    scored.sort(key=_order)
    return [
        Standing(e, i, score, (s / n if n else 0.0), n, stage)
        for i, (e, n, s, score) in enumerate(scored, start=start)
    ]


def live_standings(round_id):
    """The live leaderboard from the aggregates kept on entries (only finalists in the finals)."""
    entries = db.session.scalars(
        sa.select(Entry).where(*contenders(round_id)).options(selectinload(Entry.author))
    )
    stage = "finals" if rounds.in_finals(db.session.get(Round, round_id)) else "main"
    return rank(((e, e.rating_count, e.rating_sum) for e in entries), stage=stage)


def top_standings(round_id, size=LEADERBOARD_SIZE):
    """live_standings(round_id)[:size], reading about `size` entries instead of the whole round.

    The database orders the contenders as rank() does, by the same score (from the round's
    prior) but unrounded, and returns a few more than asked; they are ranked here in rank()'s
    exact order. Only if the last one read ties (or nearly: within one step of rounding) with
    the last one kept, so an entry not read could belong in the top, is the whole round ranked.
    """
    round_ = db.session.get(Round, round_id)  # held: the prior and contenders() ask again
    m, c = round_prior(round_id)
    score = (sa.literal(c * m, sa.Float) + Entry.rating_sum) / (
        sa.literal(c, sa.Float) + Entry.rating_count
    )
    read = size + 20
    entries = db.session.scalars(
        sa.select(Entry)
        .where(*contenders(round_id))
        .order_by(
            (Entry.rating_count == 0).asc(),
            score.desc(),
            Entry.rating_count.desc(),
            Entry.created_at,
            Entry.id,
        )
        .limit(read)
        .options(selectinload(Entry.author))
    ).all()
    stage = "finals" if rounds.in_finals(round_) else "main"
    ranked = rank(((e, e.rating_count, e.rating_sum) for e in entries), stage=stage, prior_=(m, c))
    if len(entries) == read:
        kept, last = ranked[size - 1], ranked[-1]
        # unrated ones come last, by upload, in the database's order too: if the last one read
        # is unrated, every rated one was read
        if last.count and round(kept.score, 9) - round(last.score, 9) < 1.5e-9:
            # a tie at the cut: rated entries as good as the last one kept (within rounding)
            # may belong in the top; read the best of that tied band, not the round
            band = db.session.scalars(
                sa.select(Entry)
                .where(
                    *contenders(round_id),
                    Entry.rating_count > 0,
                    score >= kept.score - 2e-9,
                    Entry.id.not_in([e.id for e in entries]),
                )
                # within the band the tie-breaks decide, as rank() does: a round where
                # thousands of clips tie still reads one page of them
                .order_by(score.desc(), Entry.rating_count.desc(), Entry.created_at, Entry.id)
                .limit(read)
                .options(selectinload(Entry.author))
            ).all()
            both = ((e, e.rating_count, e.rating_sum) for e in [*entries, *band])
            return rank(both, stage=stage, prior_=(m, c))[:size]
    return ranked[:size]


def contender_count(round_id):
    """How many entries the live ranking holds (len(live_standings(round_id)), counted in SQL)."""
    query = sa.select(sa.func.count()).select_from(Entry).where(*contenders(round_id))
    return db.session.scalar(query)


def all_standings(round_id):
    """Every live entry: in a round with finals, the finalists first, then the rest by main vote."""
    top = live_standings(round_id)
    if not rounds.in_finals(db.session.get(Round, round_id)):
        return top
    rest = db.session.scalars(
        sa.select(Entry).where(
            Entry.round_id == round_id, Entry.status == "live", Entry.finalist.is_(False)
        )
    )
    return top + rank(((e, e.rating_count, e.rating_sum) for e in rest), start=len(top) + 1)


def main_standings(round_id):
    """Every live entry ranked by the main vote's counted ratings (what shortlisting looks at)."""
    counts, _ = counted_ratings(round_id)
    entries = db.session.scalars(
        sa.select(Entry).where(Entry.round_id == round_id, Entry.status == "live")
    )
    return rank((e, *counts.get(e.id, (0, 0))) for e in entries)


def counting_cutoff(round_, stage="main", now=None):
    """The moment whose account ages decide which ratings count: the end of that vote (or now)."""
    end = round_.finals_close_at if stage == "finals" else round_.voting_close_at
    return min(now or utcnow(), end or rounds.ends_at(round_))


def counted_ratings(round_id, stage="main", cutoff=None):
    """({entry_id: (count, sum)}, excluded) from one stage's rating rows of a round's live entries.

    Ratings of banned fans never count; ratings of accounts that were younger than
    MIN_ACCOUNT_AGE_HOURS at the cutoff (the end of voting) are left out (and counted as
    excluded): the same rule by which the live aggregates count them once their account is old
    enough, so the live standings and the frozen result agree.
    """
    min_age = min_account_age()
    cutoff = cutoff or counting_cutoff(db.session.get(Round, round_id), stage)
    # with no minimum age every rating counts (fixtures may back-date rounds past their voters)
    joined_by = cutoff - min_age if min_age else datetime.max.replace(tzinfo=UTC)
    where = (
        Entry.round_id == round_id,
        Entry.status == "live",
        Rating.stage == stage,
        User.banned_at.is_(None),
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Counted in the database: a million rows never travel to Python.
        counted = User.created_at <= joined_by
        rows = db.session.execute(
            sa.select(
                Rating.entry_id,
                sa.func.count().filter(counted),
                sa.func.coalesce(sa.func.sum(Rating.stars).filter(counted), 0),
                sa.func.count().filter(sa.not_(counted)),
            )
            .join(User, User.id == Rating.user_id)
            .join(Entry, Entry.id == Rating.entry_id)
            .where(*where)
            .group_by(Rating.entry_id)
        ).all()
        counts = {entry_id: (n, int(total)) for entry_id, n, total, _ in rows if n}
        return counts, sum(young for *_, young in rows)
    rows = db.session.execute(
        sa.select(Rating.entry_id, Rating.stars, User.created_at)
        .join(User, User.id == Rating.user_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .where(*where)
    )
    counts, excluded = {}, 0
    for entry_id, stars, joined_at in rows:
        if joined_at > joined_by:
            excluded += 1
            continue
        n, total = counts.get(entry_id, (0, 0))
        counts[entry_id] = (n + 1, total + stars)
    return counts, excluded
