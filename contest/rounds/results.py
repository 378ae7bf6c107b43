"""Standings, closing a round into frozen results, publishing, the hall of fame."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest.community import notifications
from contest.crews.leaderboard import freeze_crews
from contest.errors import Conflict, NotFound
from contest.extensions import db
from contest.models import Entry, Result, Round, utcnow
from contest.moderation import audit
from contest.moderation.integrity import check_round
from contest.rounds import phases as rounds
from contest.rounds.standings import counted_ratings, rank
from contest.texts import Text


def tally(round_id):
    """The standings recomputed from the rating rows themselves (what closing freezes).

    In a round with finals the finalists come first, ranked by the finals ratings alone;
    everyone else follows in the order of the main vote.
    """
    entries = db.session.scalars(
        sa.select(Entry).where(Entry.round_id == round_id, Entry.status == "live")
    ).all()
    main, _ = counted_ratings(round_id)
    if not rounds.in_finals(db.session.get(Round, round_id)):
        return rank((e, *main.get(e.id, (0, 0))) for e in entries)
    finals, _ = counted_ratings(round_id, "finals")
    top = rank(((e, *finals.get(e.id, (0, 0))) for e in entries if e.finalist), stage="finals")
    rest = [e for e in entries if not e.finalist]
    return top + rank(((e, *main.get(e.id, (0, 0))) for e in rest), start=len(top) + 1)


def excluded_count(round_):
    """Ratings left out of the frozen result because their accounts were too young."""
    stages = ("main", "finals") if rounds.in_finals(round_) else ("main",)
    return sum(counted_ratings(round_.id, stage)[1] for stage in stages)


def freeze_results(round_):
    """(Re)write a round's frozen results from its rating rows."""
    db.session.execute(sa.delete(Result).where(Result.round_id == round_.id))
    rows = [
        {
            "round_id": round_.id,
            "entry_id": standing.entry.id,
            "rank": standing.rank,
            "score": standing.score,
            "average": standing.average,
            "count": standing.count,
            "stage": standing.stage,
        }
        for standing in tally(round_.id)
    ]
    if rows:
        db.session.execute(sa.insert(Result), rows)
    freeze_crews(round_)  # the crews' places come from these very results


def close_round(round_id, moderator=None, force=False):
    """Freeze the ranking into results; closing a closed round changes nothing."""
    round_ = rounds.get_round(round_id, lock=True)
    if round_.closed_at is not None:
        db.session.commit()
        return round_
    if rounds.accepts_votes(round_) and not force:
        raise Conflict(
            _l('Voting is still open. Send {"force": true} to close it early.'), code="voting_open"
        )
    current = rounds.phase(round_)
    if current in ("upcoming", "submissions") and not force:
        raise Conflict(_l("Voting has not even started in this round."), code="voting_not_started")
    if current == "shortlist" and not force:
        raise Conflict(
            _l('The finals have not been held yet. Send {"force": true} to close without them.'),
            code="finals_pending",
        )
    round_.excluded_ratings = excluded_count(round_)
    freeze_results(round_)
    now = utcnow()
    round_.closed_at = now
    if round_.voting_close_at > now:
        round_.voting_close_at = now
    if round_.finals_close_at and round_.finals_close_at > now:
        round_.finals_close_at = now
        round_.finals_open_at = min(round_.finals_open_at, now)
    if round_.submissions_close_at > now:
        round_.submissions_close_at = now
    audit.audit(moderator, "close_round", "round", round_.id, "forced" if force else "")
    db.session.commit()
    check_round(round_.id)  # flags go to the moderation queue before publishing
    return round_


def publish_round(round_id, moderator=None):
    """Make a closed round's results and hall-of-fame place public."""
    round_ = rounds.get_round(round_id)
    if round_.published_at is not None:
        return round_
    if round_.closed_at is None:
        raise Conflict(
            _l("Close the round before publishing its results."), code="round_not_closed"
        )
    round_.published_at = utcnow()
    audit.audit(moderator, "publish_round", "round", round_.id)
    url = notifications.target("results", round_.slug)
    for result in frozen_results(round_):
        notifications.notify(
            result.entry.author_id,
            "results",
            Text(
                "Results of %(round)s are out: %(title)s finished #%(rank)s.",
                round=round_.title,
                title=result.entry.title,
                rank=result.rank,
            ),
            url,
        )
    db.session.commit()
    return round_


def close_due_rounds(now=None):
    """Close every round whose voting window has ended; the scheduler calls this."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Round.id).where(
            Round.closed_at.is_(None),
            sa.func.coalesce(Round.finals_close_at, Round.voting_close_at) <= now,
        )
    ).all()
    db.session.commit()
    for round_id in due:
        close_round(round_id)
    return due


def frozen_results(round_, limit=None):
    """A closed round's frozen places, best first (the first `limit` of them), with their
    clips and authors read in two queries, not one per place."""
    query = (
        sa.select(Result)
        .where(Result.round_id == round_.id)
        .order_by(Result.rank)
        .options(selectinload(Result.entry).selectinload(Entry.author))
    )
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def result_count(round_):
    return db.session.scalar(
        sa.select(sa.func.count(Result.id)).where(Result.round_id == round_.id)
    )


def result_of(entry):
    """An entry's published place (its rank and score), or None."""
    if entry.round.published_at is None:
        return None
    return db.session.scalar(
        sa.select(Result)
        .where(Result.entry_id == entry.id, Result.round_id == entry.round_id)
        .order_by(Result.stage.desc())  # "main" sorts after "finals": a finalist's place first
    )


def results_visible(round_, user):
    """Frozen results are public once published, and shown to moderators from the close."""
    if round_.published_at is not None:
        return True
    moderator = user is not None and user.is_authenticated and user.is_moderator
    return bool(moderator and round_.closed_at)


def staff_picks(round_):
    return list(
        db.session.scalars(
            sa.select(Entry)
            .where(Entry.round_id == round_.id, Entry.staff_pick.is_(True))
            .order_by(Entry.id)
        )
    )


def set_staff_pick(moderator, entry_id, picked, reason=""):
    """Mark (or unmark) an entry of a closed round as the brand's own pick, beside the ranking."""
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(_l("No such entry."), code="entry_not_found")
    round_ = entry.round
    if round_.closed_at is None:
        raise Conflict(
            _l("Staff picks are chosen once the round is closed."), code="round_not_closed"
        )
    if picked and entry.status != "live":
        raise Conflict(_l("Only entries in the results can be picked."), code="entry_not_live")
    if picked and not entry.staff_pick:
        limit = current_app.config["STAFF_PICKS"]
        if len(staff_picks(round_)) >= limit:
            raise Conflict(
                Text("This round already has %(num)s staff pick(s).", num=limit),
                code="staff_picks_full",
            )
    entry.staff_pick = picked
    audit.audit(moderator, "staff_pick" if picked else "unpick", "entry", entry.id, reason)
    db.session.commit()
    return entry


def hall_of_fame(podium=3, latest=None):
    """Published rounds, newest first (the `latest` few), each with its podium (places won
    with counted ratings)."""
    published = rounds.published_rounds()[:latest]
    return [
        (r, [x for x in frozen_results(r, limit=podium) if x.medal], staff_picks(r))
        for r in published
    ]
