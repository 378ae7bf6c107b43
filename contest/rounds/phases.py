"""Round lifecycle: phases derived from timestamps, creating, editing, monthly scheduling."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.errors import NotFound
from contest.extensions import db
from contest.models import Round, utcnow

PHASES = ("upcoming", "submissions", "open", "voting", "shortlist", "finals", "closed", "published")
WINDOW_FIELDS = ("submissions_open_at", "submissions_close_at", "voting_open_at", "voting_close_at")
FINALS_FIELDS = ("finals_open_at", "finals_close_at")


def phase(round_, now=None):
    """The round's phase, derived from its timestamps: never stored."""
    now = now or utcnow()
    if round_.published_at:
        return "published"
    if round_.closed_at or now >= ends_at(round_):
        return "closed"
    if round_.finals_open_at and now >= round_.voting_close_at:
        # Fans vote again only once moderators (or the scheduler) have shortlisted.
        return "finals" if now >= round_.finals_open_at and round_.finalists_at else "shortlist"
    submitting = round_.submissions_open_at <= now < round_.submissions_close_at
    voting = round_.voting_open_at <= now < round_.voting_close_at
    if submitting and voting:
        return "open"
    if submitting:
        return "submissions"
    if voting:
        return "voting"
    return "upcoming"


def ends_at(round_):
    """When the round's last voting window closes: the finals' if it has any."""
    return round_.finals_close_at or round_.voting_close_at


def has_finals(round_):
    return round_.finals_open_at is not None


def in_finals(round_):
    """True once finalists are shortlisted: ratings then go to the finals stage."""
    return round_.finalists_at is not None


def accepts_entries(round_, now=None):
    return phase(round_, now) in ("submissions", "open")


def accepts_votes(round_, now=None):
    return phase(round_, now) in ("open", "voting", "finals")


def is_blind(round_, now=None):
    """True in a round's "blind finish": its last blind_hours of voting show no scores."""
    now = now or utcnow()
    if not round_.blind_hours or not accepts_votes(round_, now):
        return False
    end = round_.finals_close_at if phase(round_, now) == "finals" else round_.voting_close_at
    return now >= end - timedelta(hours=round_.blind_hours)


def next_change(round_, now=None):
    """(label, when) of the next moment the phase changes, for countdowns; None when over."""
    now = now or utcnow()
    moments = [
        (round_.submissions_open_at, _l("Uploads open")),
        (round_.voting_open_at, _l("Voting opens")),
        (round_.submissions_close_at, _l("Uploads close")),
        (round_.voting_close_at, _l("Voting closes")),
    ]
    if has_finals(round_):
        moments[-1] = (round_.voting_close_at, _l("Main vote closes"))
        moments += [
            (round_.finals_open_at, _l("Finals open")),
            (round_.finals_close_at, _l("Finals close")),
        ]
    if round_.closed_at or round_.published_at:
        return None
    upcoming = sorted((at, label) for at, label in moments if at > now)
    return (upcoming[0][1], upcoming[0][0]) if upcoming else None


def all_rounds():
    """Every round, newest first."""
    return list(db.session.scalars(sa.select(Round).order_by(Round.submissions_open_at.desc())))


def round_by_slug(slug):
    """The round with this slug, or NotFound."""
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug))
    if round_ is None:
        raise NotFound(_l("No such round."), code="round_not_found")
    return round_


def get_round(round_id, lock=False):
    """The round, or NotFound; lock=True takes its row lock (fresh values) until commit."""
    round_ = None
    if isinstance(round_id, int):
        query = sa.select(Round).where(Round.id == round_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        round_ = db.session.scalar(query)
    if round_ is None:
        raise NotFound(_l("No such round."), code="round_not_found")
    return round_


def current_rounds(now=None):
    """Rounds not yet closed, soonest first."""
    now = now or utcnow()
    rows = db.session.scalars(
        sa.select(Round)
        .where(
            Round.closed_at.is_(None),
            Round.published_at.is_(None),
            sa.func.coalesce(Round.finals_close_at, Round.voting_close_at) > now,
        )
        .order_by(Round.submissions_open_at)
    )
    return list(rows)


def published_rounds():
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.published_at.is_not(None))
            .order_by(Round.voting_close_at.desc())
        )
    )
