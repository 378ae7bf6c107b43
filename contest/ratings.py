"""Casting ratings, keeping the live aggregates, and the score formula."""

from statistics import median

import sqlalchemy as sa
from flask import current_app

from . import rounds
from .accounts import require_verified
from .entries_access import get_visible_entry
from .errors import Conflict, Forbidden, Invalid
from .extensions import db
from .models import Entry, Rating, Round, User, utcnow

MIN_PRIOR_WEIGHT = 5
NEUTRAL_MEAN = 3.0  # the prior mean of a round nobody has rated yet


def prior(counts_and_sums):
    """(m, C) of the Bayesian average from (count, sum) pairs of a round's entries."""
    pairs = list(counts_and_sums)
    total_n = sum(n for n, _ in pairs)
    total_s = sum(s for _, s in pairs)
    m = total_s / total_n if total_n else NEUTRAL_MEAN
    configured = current_app.config.get("PRIOR_WEIGHT") or 0
    if configured > 0:
        c = float(configured)
    else:
        c = float(max(MIN_PRIOR_WEIGHT, median([n for n, _ in pairs]) if pairs else 0))
    return m, c


def bayesian(total, n, m, c):
    """Score = (C*m + sum of stars) / (C + n)."""
    return (c * m + total) / (c + n)


def contenders(round_id):
    """The WHERE clause of the entries ranked live: the finalists once the finals are on."""
    clause = [Entry.round_id == round_id, Entry.status == "live"]
    if rounds.in_finals(db.session.get(Round, round_id)):
        clause.append(Entry.finalist.is_(True))
    return clause


def round_prior(round_id):
    """(m, C) of a round, from the live aggregates of its ranked entries."""
    rows = db.session.execute(
        sa.select(Entry.rating_count, Entry.rating_sum).where(*contenders(round_id))
    )
    return prior((n, s) for n, s in rows)


def summary(entry, round_prior_=None):
    """{average, count, score} of one entry, from its live aggregate."""
    m, c = round_prior_ or round_prior(entry.round_id)
    return {
        "average": round(entry.average, 3),
        "count": entry.rating_count,
        "score": round(bayesian(entry.rating_sum, entry.rating_count, m, c), 4),
    }


def public_summary(entry, round_prior_=None):
    """The summary anyone may see: nothing during a round's blind finish."""
    if rounds.is_blind(entry.round):
        return {"hidden": True, "average": None, "count": None, "score": None}
    return summary(entry, round_prior_)


def my_rating(user, entry):
    if user is None or not user.is_authenticated:
        return None
    rating = _my_row(user, entry)
    return rating.stars if rating else None


def check_stars(stars):
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise Invalid("stars must be a whole number from 1 to 5.", code="invalid_stars")
    return stars


def _lock_entry_for_rating(user, entry_id):
    """Load the entry with a row lock (all ratings of one entry queue here) and check the rules."""
    entry = get_visible_entry(user, entry_id, lock=True)
    if entry.status != "live":
        raise Conflict("Only live entries can be rated.", code="entry_not_live")
    if entry.author_id == user.id:
        raise Forbidden("You cannot rate your own entry.", code="own_entry")
    if not rounds.accepts_votes(entry.round):
        raise Conflict("Voting is not open for this round.", code="voting_closed")
    if rounds.phase(entry.round) == "finals" and not entry.finalist:
        raise Conflict(
            "The finals are on: only the shortlisted finalists can be rated now.",
            code="not_finalist",
        )
    return entry


def stage_of(entry):
    """Which stage's ratings an entry's live aggregate holds: "finals" for shortlisted finalists."""
    return "finals" if entry.finalist and rounds.in_finals(entry.round) else "main"


def _my_row(user, entry):
    return db.session.scalar(
        sa.select(Rating).where(
            Rating.user_id == user.id, Rating.entry_id == entry.id, Rating.stage == stage_of(entry)
        )
    )


def cast_rating(user, entry_id, stars):
    """Set the user's 1-5 star rating of an entry; the aggregate moves in the same transaction."""
    check_stars(stars)
    require_verified(user)
    entry = _lock_entry_for_rating(user, entry_id)
    rating = _my_row(user, entry)
    if rating is None:
        db.session.add(
            Rating(user_id=user.id, entry_id=entry.id, stars=stars, stage=stage_of(entry))
        )
        count_delta, sum_delta = 1, stars
    else:
        count_delta, sum_delta = 0, stars - rating.stars
        rating.stars = stars
        rating.updated_at = utcnow()
    _move_aggregate(entry, count_delta, sum_delta)
    return _finish(entry)


def remove_rating(user, entry_id):
    """Withdraw the user's rating of an entry (while voting is open)."""
    entry = _lock_entry_for_rating(user, entry_id)
    rating = _my_row(user, entry)
    if rating is not None:
        db.session.delete(rating)
        _move_aggregate(entry, -1, -rating.stars)
    return _finish(entry)


def _move_aggregate(entry, count_delta, sum_delta):
    db.session.execute(
        sa.update(Entry)
        .where(Entry.id == entry.id)
        .values(
            rating_count=Entry.rating_count + count_delta,
            rating_sum=Entry.rating_sum + sum_delta,
        )
    )


def _finish(entry):
    from . import live

    db.session.commit()
    db.session.refresh(entry)
    live.rating_changed(entry.id, entry.round_id)
    return entry


def histogram(entry):
    """[count of 1-star, ..., count of 5-star] ratings of an entry's current stage."""
    counts = dict(
        db.session.execute(
            sa.select(Rating.stars, sa.func.count(Rating.id))
            .where(Rating.entry_id == entry.id, Rating.stage == stage_of(entry))
            .group_by(Rating.stars)
        ).all()
    )
    return [counts.get(stars, 0) for stars in range(1, 6)]


def recount(entry_id):
    """(count, sum) of an entry's current stage from its rating rows: the aggregate's truth."""
    entry = db.session.get(Entry, entry_id)
    n, total = db.session.execute(
        sa.select(sa.func.count(Rating.id), sa.func.coalesce(sa.func.sum(Rating.stars), 0))
        .join(User, User.id == Rating.user_id)
        .where(
            Rating.entry_id == entry_id,
            Rating.stage == stage_of(entry),
            User.banned_at.is_(None),
        )
    ).one()
    return n, int(total)


def resync(entry_ids):
    """Set the live aggregates of these entries to a recount (after a ban or a shortlist)."""
    for entry_id in entry_ids:
        n, total = recount(entry_id)
        db.session.execute(
            sa.update(Entry).where(Entry.id == entry_id).values(rating_count=n, rating_sum=total)
        )
