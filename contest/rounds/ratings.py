"""Casting ratings, keeping the live aggregates, and the score formula."""

import functools
import time
from datetime import timedelta
from statistics import median

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l

from contest import events
from contest.accounts.users import require_verified
from contest.entries.access import can_view
from contest.errors import Conflict, ContestError, Forbidden, Invalid, NotFound
from contest.events import RatingChanged
from contest.extensions import db
from contest.models import Entry, Rating, Round, User, utcnow
from contest.rounds import phases as rounds

MIN_PRIOR_WEIGHT = 5
NEUTRAL_MEAN = 3.0  # the prior mean of a round nobody has rated yet


def prior(counts_and_sums):
    """(m, C) of the Bayesian average from (count, sum) pairs of a round's entries."""
    pairs = list(counts_and_sums)
    total_n = sum(n for n, _ in pairs)
    total_s = sum(s for _, s in pairs)
    return _prior(total_n, total_s, median([n for n, _ in pairs]) if pairs else 0)


def _prior(total_n, total_s, median_n):
    m = total_s / total_n if total_n else NEUTRAL_MEAN
    configured = current_app.config.get("PRIOR_WEIGHT") or 0
    c = float(configured) if configured > 0 else float(max(MIN_PRIOR_WEIGHT, median_n))
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


@functools.cache
def _prior_statement(finals):
    """The statement round_prior runs, built once per kind of round: building it and its cache
    key took ~2 ms of Python per call, running it ~0.2 ms."""
    where = [Entry.round_id == sa.bindparam("round_id"), Entry.status == "live"]
    if finals:
        where.append(Entry.finalist.is_(True))
    entries = sa.select(sa.func.count()).select_from(Entry).where(*where).scalar_subquery()
    middle = (
        sa.select(Entry.rating_count.label("n"))
        .where(*where)
        .order_by(Entry.rating_count)
        .limit(2 - entries % 2)
        .offset((entries - 1) // 2)
        .subquery()
    )
    return sa.select(
        sa.func.sum(Entry.rating_count),
        sa.func.sum(Entry.rating_sum),
        sa.select(sa.func.avg(middle.c.n)).scalar_subquery(),
    ).where(*where)


def round_prior(round_id, round_=None, connection=None):
    """(m, C) of a round. A GET request keeps its first answer (the page, its leaderboard and
    its cards each want it) and pages share one count per round for PRIOR_SECONDS: the prior
    moves by a hair per rating, and counting it reads every clip of the round. The rating
    writer passes its connection and always counts afresh."""
    if connection is None and has_request_context() and request.method == "GET":
        known = g.setdefault("round_priors", {})
        if round_id not in known:
            known[round_id] = _shared_prior(round_id, round_)
        return known[round_id]
    return _round_prior(round_id, round_, connection)


def _shared_prior(round_id, round_):
    seconds = current_app.config["PRIOR_SECONDS"]
    if seconds <= 0:
        return _round_prior(round_id, round_)
    shared = current_app.extensions.setdefault("round_priors", {})
    now = time.monotonic()
    counted = shared.get(round_id)
    if counted is None or now - counted[0] >= seconds:
        counted = shared[round_id] = (now, _round_prior(round_id, round_))
    return counted[1]


def _round_prior(round_id, round_=None, connection=None):
    """(m, C) of a round, from the live aggregates of its ranked entries (contenders): prior()
    in SQL. The rating writer passes the round's row it holds and its Core connection.

    One statement answers the totals and the median count (the middle one or two counts, by
    LIMIT and OFFSET), so no row per entry comes back: the rating writer asks this for every
    batch, and a round of 10,000 clips took ~30 ms to read back whole.
    """
    finals = bool(rounds.in_finals(db.session.get(Round, round_id) if round_ is None else round_))
    total_n, total_s, median_n = (
        (connection or db.session).execute(_prior_statement(finals), {"round_id": round_id}).one()
    )
    return _prior(int(total_n or 0), int(total_s or 0), float(median_n or 0))


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


def my_ratings(user, entries):
    """{entry id: stars} of this fan's ratings of many entries (each in its current stage), in
    one query: lists of clips ask once, not once per clip."""
    entries = list(entries)
    if user is None or not user.is_authenticated or not entries:
        return {}
    stages = {e.id: stage_of(e) for e in entries}
    rows = db.session.execute(
        sa.select(Rating.entry_id, Rating.stage, Rating.stars).where(
            Rating.user_id == user.id, Rating.entry_id.in_(list(stages))
        )
    )
    return {entry_id: stars for entry_id, stage, stars in rows if stages[entry_id] == stage}


def round_priors(entries):
    """{round id: (m, C)} for the rounds of many entries: one statement per round."""
    return {round_id: round_prior(round_id) for round_id in {e.round_id for e in entries}}


def min_account_age():
    """How old an account must be before its ratings count (MIN_ACCOUNT_AGE_HOURS)."""
    return timedelta(hours=current_app.config.get("MIN_ACCOUNT_AGE_HOURS") or 0)


def counts_from(user):
    """When this fan's ratings start counting: MIN_ACCOUNT_AGE_HOURS after the account began."""
    return user.created_at + min_account_age()


def counts_now(user, now=None):
    """True when this fan's ratings count (live and in the frozen result)."""
    return counts_from(user) <= (now or utcnow())


def check_stars(stars):
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise Invalid(_l("stars must be a whole number from 1 to 5."), code="invalid_stars")
    return stars


def check_rateable(user, entry):
    """Raise unless this user may rate this entry now."""
    if entry is None or not can_view(user, entry):
        raise NotFound(_l("No such entry."), code="entry_not_found")
    if entry.status != "live":
        raise Conflict(_l("Only live entries can be rated."), code="entry_not_live")
    if entry.author_id == user.id:
        raise Forbidden(_l("You cannot rate your own entry."), code="own_entry")
    if not rounds.accepts_votes(entry.round):
        raise Conflict(_l("Voting is not open for this round."), code="voting_closed")
    if rounds.phase(entry.round) == "finals" and not entry.finalist:
        raise Conflict(
            _l("The finals are on: only the shortlisted finalists can be rated now."),
            code="not_finalist",
        )


def may_rate(user, entry):
    """True when check_rateable lets this fan rate this entry now (pages show stars by it)."""
    try:
        return check_rateable(user, entry) is None  # it answers nothing, or raises
    except ContestError:
        return False


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
    """Set the user's 1-5 star rating of an entry; returns the entry's public summary.

    The rating is committed (with the entry's aggregate, in one transaction) before this
    returns: the process's rating writer commits ratings in small batches.
    """
    check_stars(stars)
    require_verified(user)
    return current_app.extensions["rating_writer"].submit(user, entry_id, stars)


def remove_rating(user, entry_id):
    """Withdraw the user's rating of an entry (while voting is open)."""
    return current_app.extensions["rating_writer"].submit(user, entry_id, None)


def recount(entry_id):
    """(count, sum) of an entry's current stage from its rating rows: the aggregate's truth."""
    entry = db.session.get(Entry, entry_id)
    n, total = db.session.execute(
        sa.select(sa.func.count(Rating.id), sa.func.coalesce(sa.func.sum(Rating.stars), 0))
        .join(User, User.id == Rating.user_id)
        .where(
            Rating.entry_id == entry_id,
            Rating.stage == stage_of(entry),
            Rating.counted.is_(True),
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


def mature_ratings(now=None):
    """Count the ratings of accounts that have become old enough; returns the entries moved.

    The scheduler runs this every tick: a young fan's rating joins the live aggregate, the
    histogram and the leaderboard once their account is MIN_ACCOUNT_AGE_HOURS old.
    """
    ready = sa.select(User.id).where(User.created_at <= (now or utcnow()) - min_account_age())
    rows = db.session.execute(
        sa.select(Rating.id, Rating.entry_id).where(
            Rating.counted.is_(False), Rating.user_id.in_(ready)
        )
    ).all()
    if not rows:
        db.session.rollback()
        return []
    entry_ids = sorted({entry_id for _, entry_id in rows})
    # lock the entries in id order, as the rating writer does, before moving their aggregates
    db.session.scalars(
        sa.select(Entry.id).where(Entry.id.in_(entry_ids)).order_by(Entry.id).with_for_update()
    ).all()
    db.session.execute(
        sa.update(Rating)
        .where(Rating.id.in_([rating_id for rating_id, _ in rows]))
        .values(counted=True)
    )
    resync(entry_ids)
    moved = db.session.execute(
        sa.select(Entry.id, Entry.round_id).where(Entry.id.in_(entry_ids))
    ).all()
    for entry_id, round_id in moved:
        events.record(RatingChanged(entry_id, round_id))
    db.session.commit()
    return entry_ids
