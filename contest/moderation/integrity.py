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


def _rated_by_a_new_account(dialect):
    """True where the rater's account was under NEW_ACCOUNT_DAYS old, in SQL.

    PostgreSQL compares timestamps (an epoch difference is numeric arithmetic per row,
    three times slower over a million ratings); SQLite's dates are text, compared as days.
    """
    if dialect == "postgresql":
        days = sa.literal(timedelta(days=NEW_ACCOUNT_DAYS), sa.Interval())
        return Rating.updated_at < User.created_at + days
    days = sa.func.julianday(Rating.updated_at) - sa.func.julianday(User.created_at)
    return days < NEW_ACCOUNT_DAYS


def _rated(round_id, *columns):
    """SELECT columns FROM the ratings the check reads: live entries, raters not banned.

    The banned are few: a NOT IN list, so the pass over a million ratings joins no users.
    """
    banned = sa.select(User.id).where(User.banned_at.is_not(None))
    return (
        sa.select(*columns)
        .join(Entry, Entry.id == Rating.entry_id)
        .where(Entry.round_id == round_id, Entry.status == "live", Rating.user_id.not_in(banned))
    )


def _counts(round_id, dialect):
    """Per entry: (ratings, from new accounts, first at, busiest clock hour's ratings).

    Grouped passes in the database (like the tally); nothing per rating comes back. Only
    accounts made less than NEW_ACCOUNT_DAYS before the round's first rating can be new
    when they rate, so the second pass joins just those. The busiest hour is the count the
    rating writer keeps on the entry (rounds.rating_hours).
    """
    rows = db.session.execute(
        _rated(round_id, Rating.entry_id, sa.func.count(), sa.func.min(Rating.updated_at)).group_by(
            Rating.entry_id
        )
    ).all()
    if not rows:
        return []
    since = min(first for _, _, first in rows) - timedelta(days=NEW_ACCOUNT_DAYS)
    fresh = dict(
        db.session.execute(
            _rated(round_id, Rating.entry_id, sa.func.count())
            .join(User, User.id == Rating.user_id)
            .where(User.created_at > since, _rated_by_a_new_account(dialect))
            .group_by(Rating.entry_id)
        ).all()
    )
    busiest = dict(
        db.session.execute(
            sa.select(Entry.id, Entry.busiest_hour_ratings).where(Entry.round_id == round_id)
        ).all()
    )
    return [(e, n, fresh.get(e, 0), first, busiest[e]) for e, n, first in rows]


def _single_purpose(round_id):
    """{entry_id: ratings from fans who have rated nothing else, ever}.

    Only fans with one rating in this round can qualify (one grouped pass over the round's
    ratings); their totals come from the index on ratings.user_id.
    """
    once_here = (
        sa.select(Rating.user_id)
        .where(Rating.entry_id.in_(sa.select(Entry.id).where(Entry.round_id == round_id)))
        .group_by(Rating.user_id)
        .having(sa.func.count() == 1)
    )
    only_once = (
        sa.select(Rating.user_id)
        .where(Rating.user_id.in_(once_here))
        .group_by(Rating.user_id)
        .having(sa.func.count() == 1)
    )
    return dict(
        db.session.execute(
            _rated(round_id, Rating.entry_id, sa.func.count())
            .where(Rating.user_id.in_(only_once))
            .group_by(Rating.entry_id)
        ).all()
    )


def _peaks(round_id, candidates):
    """{entry_id: most ratings inside one BURST_WINDOW} of these entries, rating by rating."""
    times = defaultdict(list)
    for start in range(0, len(candidates), 1000):
        rows = db.session.execute(
            _rated(round_id, Rating.entry_id, Rating.updated_at).where(
                Rating.entry_id.in_(candidates[start : start + 1000])
            )
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
        db.session.commit()
        return []
    total = sum(row[1] for row in counts)
    start = min(round_.voting_open_at, min(row[3] for row in counts))
    hours = max((min(now, rounds.ends_at(round_)) - start).total_seconds() / 3600, 1.0)
    normal_per_hour = total / hours / len(counts)
    threshold = max(MIN_RATINGS, BURST_FACTOR * max(normal_per_hour, 1.0))
    # a one-hour window spans at most two clock hours: only entries whose busiest hour held
    # half the threshold can hold a burst, and only those are read rating by rating
    peaks = _peaks(round_id, [row[0] for row in counts if 2 * row[4] >= threshold])
    singles = _single_purpose(round_id)
    flags = [
        flag
        for entry_id, n, fresh, _first, _busiest in counts
        if n >= MIN_RATINGS
        for flag in _evidence(
            entry_id,
            n,
            fresh,
            singles.get(entry_id, 0),
            peaks.get(entry_id, 0),
            threshold,
            normal_per_hour,
        )
    ]
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


def _evidence(entry_id, n, fresh, single, peak, threshold, normal_per_hour):
    """[(entry_id, kind, what a moderator reads)] for one entry's counted ratings."""
    found = []
    if fresh / n >= SHARE:
        found.append(
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
        found.append(
            (
                entry_id,
                "single_purpose",
                Text("%(num)s of %(total)s raters have rated nothing else.", num=single, total=n),
            )
        )
    if peak >= threshold:
        found.append(
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
    return found


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
