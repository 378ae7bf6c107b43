"""Insights: what the community does and wants, for the organiser. Every number is one SQL
aggregate over the rows (no Python loops over ratings), so it stays fast at a million ratings.
"""

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Rating, Round, Theme, User

SUBMITTED = ("processing", "pending_review", "live", "hidden", "disqualified")
CLIP_TARGET = 5  # counted ratings a clip should reach to be judged fairly


def _day(column):
    return sa.func.date(column)


def _as_date(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def round_numbers(round_id):
    """One round: entries, judges, ratings, clips at CLIP_TARGET counted ratings, ratings and
    uploads per day, and judging completion (ratings ÷ judges × live clips)."""
    entries = sa.select(Entry.id).where(Entry.round_id == round_id)
    submitted = db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(
            Entry.round_id == round_id, Entry.status.in_(SUBMITTED)
        )
    )
    live = db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(Entry.round_id == round_id, Entry.status == "live")
    )
    raters = (  # grouped, not count(DISTINCT): PostgreSQL hashes instead of sorting
        sa.select(Rating.user_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .where(Entry.round_id == round_id)
        .group_by(Rating.user_id)
        .subquery()
    )
    judges = db.session.scalar(sa.select(sa.func.count()).select_from(raters))
    # the live aggregate holds each clip's counted ratings (it always equals a recount)
    reached = db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(
            Entry.round_id == round_id, Entry.status == "live", Entry.rating_count >= CLIP_TARGET
        )
    )
    ratings_per_day = db.session.execute(
        sa.select(_day(Rating.created_at), sa.func.count(Rating.id))
        .where(Rating.entry_id.in_(entries))
        .group_by(_day(Rating.created_at))
        .order_by(_day(Rating.created_at))
    ).all()
    ratings = sum(n for _, n in ratings_per_day)
    uploads_per_day = db.session.execute(
        sa.select(_day(Entry.created_at), sa.func.count(Entry.id))
        .where(Entry.round_id == round_id, Entry.status.in_(SUBMITTED))
        .group_by(_day(Entry.created_at))
        .order_by(_day(Entry.created_at))
    ).all()
    return {
        "round_id": round_id,
        "entries": submitted,
        "live_entries": live,
        "judges": judges,
        "ratings": ratings,
        "clips_at_target": reached,
        "clips_at_target_share": reached / live if live else 0.0,
        "ratings_per_day": [(_as_date(d), n) for d, n in ratings_per_day],
        "uploads_per_day": [(_as_date(d), n) for d, n in uploads_per_day],
        "judging_completion": min(1.0, ratings / (judges * live)) if judges and live else 0.0,
    }


def _participants(round_id=None):
    """(user_id, round_id) of everyone who uploaded to or rated in a round (or in this one).

    Each side is grouped first: PostgreSQL then hashes a few thousand pairs in memory instead
    of sorting a million rows on disk to make the union distinct.
    """
    uploaded = (
        sa.select(Entry.author_id.label("user_id"), Entry.round_id)
        .where(Entry.status.in_(SUBMITTED))
        .group_by(Entry.author_id, Entry.round_id)
    )
    rated = (
        sa.select(Rating.user_id.label("user_id"), Entry.round_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .group_by(Rating.user_id, Entry.round_id)
    )
    if round_id is not None:
        uploaded = uploaded.where(Entry.round_id == round_id)
        rated = rated.where(Entry.round_id == round_id)
    return sa.union(uploaded, rated).subquery()


def across_rounds():
    """Per round, oldest first: fans taking part, of whom new (first round) and returning;
    and the theme proposals and votes of its month."""
    taking_part = _participants()
    first = (
        sa.select(
            taking_part.c.user_id,
            sa.func.min(Round.submissions_open_at).label("first_start"),
        )
        .join(Round, Round.id == taking_part.c.round_id)
        .group_by(taking_part.c.user_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Round.id,
            Round.slug,
            Round.title,
            sa.func.count(sa.distinct(taking_part.c.user_id)),
            sa.func.count(sa.distinct(taking_part.c.user_id)).filter(
                first.c.first_start == Round.submissions_open_at
            ),
        )
        .select_from(Round)
        .join(taking_part, taking_part.c.round_id == Round.id, isouter=True)
        .join(first, first.c.user_id == taking_part.c.user_id, isouter=True)
        .group_by(Round.id, Round.slug, Round.title, Round.submissions_open_at)
        .order_by(Round.submissions_open_at)
    ).all()
    themes = dict(
        (month, (n, votes))
        for month, n, votes in db.session.execute(
            sa.select(
                Theme.month, sa.func.count(Theme.id), sa.func.coalesce(sa.func.sum(Theme.votes), 0)
            ).group_by(Theme.month)
        ).all()
    )
    return [
        {
            "round_id": round_id,
            "slug": slug,
            "title": title,
            "fans": fans,
            "new_fans": new,
            "returning_fans": fans - new,
            "theme_proposals": themes.get(slug, (0, 0))[0],
            "theme_votes": int(themes.get(slug, (0, 0))[1]),
        }
        for round_id, slug, title, fans, new in rows
    ]


def theme_months():
    """Theme proposals and votes per month, for months with proposals."""
    return [
        {"month": month, "proposals": n, "votes": int(votes)}
        for month, n, votes in db.session.execute(
            sa.select(
                Theme.month, sa.func.count(Theme.id), sa.func.coalesce(sa.func.sum(Theme.votes), 0)
            )
            .group_by(Theme.month)
            .order_by(Theme.month)
        ).all()
    ]


def places(round_id=None, limit=10):
    """The countries and clubs fans gave in their profiles, among a round's participants (or
    everyone who took part in any round): [(name, fans)], most first."""
    taking_part = _participants(round_id)
    who = sa.select(taking_part.c.user_id)

    def top(column):
        name = sa.func.trim(column)
        return [
            (value, n)
            for value, n in db.session.execute(
                sa.select(name, sa.func.count(User.id))
                .where(User.id.in_(who), name != "", User.deleted_at.is_(None))
                .group_by(name)
                .order_by(sa.func.count(User.id).desc(), name)
                .limit(limit)
            ).all()
        ]

    return {"countries": top(User.country), "clubs": top(User.favourite_club)}
