"""The anomaly check: ratings mostly from new or single-purpose accounts, or in bursts."""

from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Flag, Rating, Round, User, utcnow
from contest.rounds import phases as rounds
from contest.texts import Text, stored

MIN_RATINGS = 10  # below this, nothing is unusual enough to say
NEW_ACCOUNT_DAYS = 7
SHARE = 0.6  # the share of suspicious ratings that raises a flag
BURST_WINDOW = timedelta(hours=1)
BURST_FACTOR = 5


def _rated_days_after_joining(dialect):
    """Days between a fan's account and their rating, in SQL (PostgreSQL or SQLite)."""
    if dialect == "postgresql":
        return sa.extract("epoch", Rating.updated_at - User.created_at) / 86400.0
    return sa.func.julianday(Rating.updated_at) - sa.func.julianday(User.created_at)


def _hour(dialect, column):
    if dialect == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H", column)


def _round_ratings(round_id):
    """The WHERE clause of the ratings the check reads: live entries, raters not banned."""
    return (
        Entry.round_id == round_id,
        Entry.status == "live",
        User.banned_at.is_(None),
    )


def _counts(round_id, dialect):
    """Per entry: (ratings, from new accounts, from fans who rated nothing else, first at).

    One pass in the database (like the tally): nothing per rating comes back to Python.
    """
    where = _round_ratings(round_id)
    raters = (
        sa.select(Rating.user_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .join(User, User.id == Rating.user_id)
        .where(*where)
    )
    # every rating a rater ever gave, in any round: "rated nothing else" is a total of 1
    totals = (
        sa.select(Rating.user_id, sa.func.count().label("total"))
        .where(Rating.user_id.in_(raters))
        .group_by(Rating.user_id)
        .subquery()
    )
    fresh = _rated_days_after_joining(dialect) < NEW_ACCOUNT_DAYS
    return db.session.execute(
        sa.select(
            Rating.entry_id,
            sa.func.count(),
            sa.func.sum(sa.case((fresh, 1), else_=0)),
            sa.func.sum(sa.case((totals.c.total <= 1, 1), else_=0)),
            sa.func.min(Rating.updated_at),
        )
        .join(Entry, Entry.id == Rating.entry_id)
        .join(User, User.id == Rating.user_id)
        .join(totals, totals.c.user_id == Rating.user_id)
        .where(*where)
        .group_by(Rating.entry_id)
    ).all()


def _peaks(round_id, dialect, threshold):
    """{entry_id: most ratings inside one BURST_WINDOW} for entries that may reach threshold.

    A one-hour window spans at most two clock hours, so an entry whose busiest clock hour
    holds fewer than threshold / 2 ratings cannot reach it: the database counts per hour, and
    only the few entries left are looked at rating by rating.
    """
    hour = _hour(dialect, Rating.updated_at).label("hour")
    per_hour = (
        sa.select(Rating.entry_id, hour, sa.func.count().label("n"))
        .join(Entry, Entry.id == Rating.entry_id)
        .join(User, User.id == Rating.user_id)
        .where(*_round_ratings(round_id))
        .group_by(Rating.entry_id, hour)
        .subquery()
    )
    candidates = db.session.scalars(
        sa.select(per_hour.c.entry_id)
        .group_by(per_hour.c.entry_id)
        .having(2 * sa.func.max(per_hour.c.n) >= threshold)
    ).all()
    times = defaultdict(list)
    for start in range(0, len(candidates), 1000):
        rows = db.session.execute(
            sa.select(Rating.entry_id, Rating.updated_at)
            .join(Entry, Entry.id == Rating.entry_id)
            .join(User, User.id == Rating.user_id)
            .where(*_round_ratings(round_id), Rating.entry_id.in_(candidates[start : start + 1000]))
        )
        for entry_id, at in rows:
            times[entry_id].append(at)
    return {entry_id: _peak(sorted(ats)) for entry_id, ats in times.items()}


def check_round(round_id, now=None):
    """Flag the round's live entries whose ratings look organised; returns the new flags."""
    now = now or utcnow()
    round_ = db.session.get(Round, round_id)
    dialect = db.session.get_bind().dialect.name
    counts = _counts(round_id, dialect)
    if not counts:
        return []
    total = sum(row[1] for row in counts)
    start = min(round_.voting_open_at, min(row[4] for row in counts))
    hours = max((min(now, rounds.ends_at(round_)) - start).total_seconds() / 3600, 1.0)
    normal_per_hour = total / hours / len(counts)
    threshold = max(MIN_RATINGS, BURST_FACTOR * max(normal_per_hour, 1.0))
    peaks = _peaks(round_id, dialect, threshold)
    flags = []
    for entry_id, n, fresh, single, _first in counts:
        if n < MIN_RATINGS:
            continue
        if fresh / n >= SHARE:
            flags.append(
                (
                    entry_id,
                    "new_accounts",
                    Text(
                        "%(num)s of %(total)s ratings come from accounts less than %(days)s days "
                        "old when they rated.",
                        num=fresh,
                        total=n,
                        days=NEW_ACCOUNT_DAYS,
                    ),
                )
            )
        if single / n >= SHARE:
            flags.append(
                (
                    entry_id,
                    "single_purpose",
                    Text(
                        "%(num)s of %(total)s raters have rated nothing else.", num=single, total=n
                    ),
                )
            )
        peak = peaks.get(entry_id, 0)
        if peak >= threshold:
            flags.append(
                (
                    entry_id,
                    "burst",
                    Text(
                        "%(num)s ratings within one hour; this round's normal rate is "
                        "%(rate)s an hour per entry.",
                        num=peak,
                        rate=round(normal_per_hour, 1),
                    ),
                )
            )
    created = []
    for entry_id, kind, evidence in flags:
        exists = db.session.scalar(
            sa.select(Flag.id).where(
                Flag.entry_id == entry_id, Flag.kind == kind, Flag.status == "open"
            )
        )
        if not exists:
            english, message = stored(evidence)
            flag = Flag(entry_id=entry_id, kind=kind, evidence=english, evidence_message=message)
            db.session.add(flag)
            created.append(flag)
    db.session.commit()
    return created


def _peak(times):
    """The most ratings inside any one BURST_WINDOW."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > BURST_WINDOW:
            start += 1
        best = max(best, end - start + 1)
    return best


def check_open_rounds(now=None):
    """The scheduled run: every round where voting is open."""
    now = now or utcnow()
    ids = db.session.scalars(
        sa.select(Round.id).where(
            Round.closed_at.is_(None),
            Round.voting_open_at <= now,
            sa.func.coalesce(Round.finals_close_at, Round.voting_close_at) > now,
        )
    ).all()
    return [flag for round_id in ids for flag in check_round(round_id, now)]


def open_flags():
    return db.session.scalars(
        sa.select(Flag).where(Flag.status == "open").order_by(Flag.created_at)
    ).all()


def resolve_flags(entry_id, outcome):
    for flag in db.session.scalars(
        sa.select(Flag).where(Flag.entry_id == entry_id, Flag.status == "open")
    ):
        flag.status, flag.resolved_at = outcome, utcnow()
