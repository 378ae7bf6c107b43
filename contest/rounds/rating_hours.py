"""Ratings per clock hour, kept on each entry by the rating writer for the anomaly check.

Finding bursts needs, per entry, how many ratings fell in its busiest clock hour. Counting
that from the rating rows groups every (entry, hour) pair: a million ratings over a month are
nearly a million groups, seconds of work. So each rating the writer stamps adds one to its
entry's current hour instead: `rating_hour` (the clock hour of the latest stamp),
`rating_hour_count` (stamps in it) and `busiest_hour_ratings` (the most in any one hour).
A re-rating moves a rating out of its old hour, so the busiest figure is an upper bound of
any hour's ratings now; the check uses it only to choose the entries it reads rating by
rating.

Code that writes rating rows beneath the writer (the demo, a test placing ratings in the
past) calls `recount(entry_ids)` afterwards, as it would `ratings.resync` for the aggregates.
"""

from datetime import UTC, datetime

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Rating


def hour_of(at):
    return at.replace(minute=0, second=0, microsecond=0)


def stamp(entry, stamps, now):
    """The entry's (rating_hour, rating_hour_count, busiest_hour_ratings) after `stamps` more
    ratings stamped at `now` (stamps are applied in time order: entries are locked)."""
    if not stamps:
        return entry.rating_hour, entry.rating_hour_count, entry.busiest_hour_ratings
    hour = hour_of(now)
    count = entry.rating_hour_count + stamps if entry.rating_hour == hour else stamps
    return hour, count, max(entry.busiest_hour_ratings, count)


def sql_hour(dialect, column):
    """The clock hour of a timestamp column, in SQL (a timestamp, or SQLite's text)."""
    if dialect == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _as_hour(value):
    if isinstance(value, str):  # SQLite
        value = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    return value.replace(tzinfo=UTC)


def recount(entry_ids):
    """Set these entries' hour counters from their rating rows, exactly."""
    dialect = db.session.get_bind().dialect.name
    hour = sql_hour(dialect, Rating.updated_at).label("hour")
    ids = sorted(set(entry_ids))
    found = {entry_id: (None, 0, 0) for entry_id in ids}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            sa.select(Rating.entry_id, hour, sa.func.count())
            .where(Rating.entry_id.in_(ids[start : start + 500]))
            .group_by(Rating.entry_id, hour)
        )
        for entry_id, at, n in rows:
            latest, latest_n, busiest = found[entry_id]
            at = _as_hour(at)
            if latest is None or at > latest:
                latest, latest_n = at, n
            found[entry_id] = (latest, latest_n, max(busiest, n))
    for entry_id, (latest, latest_n, busiest) in found.items():
        db.session.execute(
            sa.update(Entry)
            .where(Entry.id == entry_id)
            .values(rating_hour=latest, rating_hour_count=latest_n, busiest_hour_ratings=busiest)
        )
