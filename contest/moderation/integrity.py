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


def check_round(round_id, now=None):
    """Flag the round's live entries whose ratings look organised; returns the new flags."""
    now = now or utcnow()
    round_ = db.session.get(Round, round_id)
    rows = db.session.execute(
        sa.select(Rating.entry_id, Rating.user_id, Rating.updated_at, User.created_at)
        .join(User, User.id == Rating.user_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .where(Entry.round_id == round_id, Entry.status == "live", User.banned_at.is_(None))
    ).all()
    if not rows:
        return []
    by_entry = defaultdict(list)
    for entry_id, user_id, rated_at, joined_at in rows:
        by_entry[entry_id].append((user_id, rated_at, joined_at))
    raters = {user_id for _, user_id, _, _ in rows}
    elsewhere = dict(
        db.session.execute(
            sa.select(Rating.user_id, sa.func.count(Rating.id))
            .where(Rating.user_id.in_(raters))
            .group_by(Rating.user_id)
        ).all()
    )
    start = min(round_.voting_open_at, min(r[2] for r in rows))
    hours = max((min(now, rounds.ends_at(round_)) - start).total_seconds() / 3600, 1.0)
    normal_per_hour = len(rows) / hours / max(len(by_entry), 1)
    flags = []
    for entry_id, ratings in by_entry.items():
        if len(ratings) < MIN_RATINGS:
            continue
        n = len(ratings)
        fresh = sum(
            1
            for _, rated_at, joined_at in ratings
            if rated_at - joined_at < timedelta(days=NEW_ACCOUNT_DAYS)
        )
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
        single = sum(1 for user_id, _, _ in ratings if elsewhere.get(user_id, 0) <= 1)
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
        peak = _peak(sorted(r[1] for r in ratings))
        if peak >= MIN_RATINGS and peak >= BURST_FACTOR * max(normal_per_hour, 1.0):
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
