"""The finals stage: moderators shortlist finalists after the main vote, fans vote again.

Finals ratings are fresh rows (stage "finals"); the main-vote rows stay untouched, so the
main ranking can always be recomputed and non-finalists keep their place behind the finals.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest import events
from contest.community import notifications
from contest.errors import Conflict, Invalid
from contest.events import ContendersChanged
from contest.extensions import db
from contest.models import Entry, Round, utcnow
from contest.moderation import audit
from contest.rounds import phases as rounds
from contest.rounds import ratings
from contest.rounds.standings import main_standings
from contest.texts import Text

MIN_FINALISTS = 2
MAX_FINALISTS = 50


def shortlist(moderator, round_id, entry_ids, reason=""):
    """Choose a round's finalists; possible until the finals open (and again to change them)."""
    round_ = rounds.get_round(round_id, lock=True)
    if not rounds.has_finals(round_):
        raise Conflict(_l("This round has no finals stage."), code="no_finals")
    if rounds.phase(round_) != "shortlist":
        raise Conflict(
            _l("Finalists are chosen after the main vote closes and before the finals open."),
            code="not_shortlisting",
        )
    ids = _entry_ids(entry_ids)
    live = set(
        db.session.scalars(
            sa.select(Entry.id).where(
                Entry.round_id == round_.id, Entry.status == "live", Entry.id.in_(ids)
            )
        )
    )
    missing = [i for i in ids if i not in live]
    if missing:
        raise Invalid(
            Text("Not live entries of this round: %(ids)s.", ids=", ".join(map(str, missing))),
            code="invalid_finalists",
            field="entry_ids",
        )
    entries = db.session.scalars(sa.select(Entry).where(Entry.round_id == round_.id)).all()
    newly = []
    for entry in entries:
        chosen = entry.id in live
        if chosen and not entry.finalist:
            newly.append(entry)
        entry.finalist = chosen
    round_.finalists_at = utcnow()
    db.session.flush()
    # Finalists' aggregates now hold finals ratings (none yet); the rest keep the main vote.
    ratings.resync([e.id for e in entries])
    audit.audit(moderator, "shortlist", "round", round_.id, reason or _ids_text(ids))
    url = notifications.target("round", round_.slug)
    for entry in newly:
        notifications.notify(
            entry.author_id,
            "results",
            Text(
                "%(title)s is a finalist of %(round)s! The finals vote starts fresh.",
                title=entry.title,
                round=round_.title,
            ),
            url,
        )
    events.record(ContendersChanged(round_.id))
    db.session.commit()
    return round_


def finalists(round_):
    return list(
        db.session.scalars(
            sa.select(Entry)
            .where(Entry.round_id == round_.id, Entry.finalist.is_(True), Entry.status == "live")
            .order_by(Entry.id)
        )
    )


def _entry_ids(entry_ids):
    if not isinstance(entry_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in entry_ids
    ):
        raise Invalid(
            _l("entry_ids must be a list of entry ids."),
            code="invalid_finalists",
            field="entry_ids",
        )
    ids = sorted(set(entry_ids))
    if not MIN_FINALISTS <= len(ids) <= MAX_FINALISTS:
        raise Invalid(
            Text("Shortlist %(min)s to %(max)s finalists.", min=MIN_FINALISTS, max=MAX_FINALISTS),
            code="invalid_finalists",
            field="entry_ids",
        )
    return ids


def _ids_text(ids):
    return "finalists " + ", ".join(f"#{i}" for i in ids)


def suggested(round_):
    """The main vote's top entries (how many: FINALISTS), the default shortlist."""
    return [s.entry for s in main_standings(round_.id)[: current_app.config["FINALISTS"]]]


def shortlist_due_rounds(now=None):
    """Finals due to open with nobody shortlisted: take the main vote's top entries.

    Moderators normally shortlist by hand; this keeps a round from stalling when they do not.
    A round with fewer than two live entries goes straight to closing instead.
    """
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Round).where(
            Round.closed_at.is_(None),
            Round.finalists_at.is_(None),
            Round.finals_open_at <= now,
            Round.finals_close_at > now,
        )
    ).all()
    done = []
    for round_ in due:
        picks = [e.id for e in suggested(round_)]
        if len(picks) < MIN_FINALISTS:
            continue
        shortlist(None, round_.id, picks, "shortlisted automatically: " + _ids_text(picks))
        done.append(round_.id)
    db.session.commit()
    return done
