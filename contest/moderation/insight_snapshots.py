"""The insights the organiser reads, stored: the page reads a few rows, not millions of ratings.

At a season's size (3,000,000 ratings) the insights queries take seconds. Each answer is kept
in `insight_snapshots`: a closed round's numbers once computed after its close are kept for
good; the running rounds' and the across-rounds answers are recomputed once older than
INSIGHTS_MAX_AGE seconds (an hour), by the scheduler (refresh_due) so that a page rarely
waits, or by the first reader after that. INSIGHTS_MAX_AGE=0 computes on every read.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from contest.extensions import db
from contest.models import InsightSnapshot, Round, utcnow
from contest.moderation import insights

ALL = 0  # the round_id of an answer about every round


def _compute(kind, round_id):
    if kind == "round":
        return insights.round_numbers(round_id)
    if kind == "places":
        return insights.places(round_id or None)
    if kind == "across":
        return {"rounds": insights.across_rounds(), "themes": insights.theme_months()}
    raise ValueError(kind)


def _fresh(row, closed_at, now, max_age):
    if row is None:
        return False
    if closed_at is not None and row.computed_at >= closed_at:
        return True  # a closed round's numbers no longer move
    return max_age > 0 and now - row.computed_at < timedelta(seconds=max_age)


def _store(kind, round_id, data, now):
    row = db.session.get(InsightSnapshot, (kind, round_id))
    if row is None:
        db.session.add(InsightSnapshot(kind=kind, round_id=round_id, data=data, computed_at=now))
    else:
        row.data, row.computed_at = data, now
    try:
        db.session.commit()
    except IntegrityError:  # another process stored the same answer first: theirs stands
        db.session.rollback()


def read(kind, round_id=ALL, closed_at=None):
    """(answer, computed_at) of one insights query, from its snapshot when fresh."""
    max_age = current_app.config["INSIGHTS_MAX_AGE"]
    now = utcnow()
    row = db.session.get(InsightSnapshot, (kind, round_id))
    if _fresh(row, closed_at, now, max_age):
        return row.data, row.computed_at
    data = _compute(kind, round_id)
    data = _as_json(data)
    if max_age > 0 or closed_at is not None:
        _store(kind, round_id, data, now)
    return data, now


def _as_json(data):
    """Tuples become lists, as they come back from the JSON column."""
    if isinstance(data, dict):
        return {k: _as_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_as_json(v) for v in data]
    return data


def figures(round_):
    """Everything the insights page, its CSV and its API show, for one round (or None):
    {"round", "places", "across", "themes", "as_of"}; as_of is the oldest snapshot's time."""
    closed = round_.closed_at if round_ is not None else None
    times = []
    numbers = None
    if round_ is not None:
        numbers, at = read("round", round_.id, closed)
        times.append(at)
    places, at = read("places", round_.id if round_ is not None else ALL, closed)
    times.append(at)
    across, at = read("across")
    times.append(at)
    return {
        "round": numbers,
        "places": places,
        "across": across["rounds"],
        "themes": across["themes"],
        "as_of": min(times),
    }


def refresh_due():
    """The scheduler's step: recompute every snapshot that a reader would find stale (the
    across-rounds answer, each round whose voting has begun), so pages read stored rows."""
    max_age = current_app.config["INSIGHTS_MAX_AGE"]
    if max_age <= 0:
        return 0
    now = utcnow()
    done = 0
    rounds = db.session.execute(
        sa.select(Round.id, Round.closed_at).where(Round.voting_open_at <= now)
    ).all()
    wanted = [("across", ALL, None), ("places", ALL, None)]
    wanted += [(kind, rid, closed) for rid, closed in rounds for kind in ("round", "places")]
    for kind, round_id, closed_at in wanted:
        row = db.session.get(InsightSnapshot, (kind, round_id))
        if not _fresh(row, closed_at, now, max_age):
            _store(kind, round_id, _as_json(_compute(kind, round_id)), utcnow())
            done += 1
    db.session.commit()
    return done
