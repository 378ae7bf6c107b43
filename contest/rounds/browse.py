"""Browsing a round's entries: a shuffled order per viewer during voting, and other sorts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest.errors import Conflict, Invalid
from contest.extensions import db
from contest.models import Entry, Result
from contest.rounds import phases as rounds
from contest.rounds.orders import fan_order
from contest.rounds.standings import all_standings, live_standings, top_standings
from contest.texts import Text

SORTS = ("shuffle", "top", "new", "most_rated", "needs_votes")
SCORE_SORTS = ("top", "most_rated", "needs_votes")
PAGE_SIZE = 12


def default_sort(round_):
    return "shuffle" if rounds.accepts_votes(round_) else "top"


def live_count(round_):
    """How many clips a round shows (its live entries)."""
    return db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(
            Entry.round_id == round_.id, Entry.status == "live"
        )
    )


def finalists_only(round_):
    """While the finals are pending or on, the round shows its finalists alone."""
    return rounds.in_finals(round_) and rounds.phase(round_) in ("shortlist", "finals")


def round_entries(round_, sort=None, page=1, seed="anonymous"):
    """(entries of a page, has_more) of a round's live entries in the chosen order."""
    sort = sort or default_sort(round_)
    if sort not in SORTS:
        raise Invalid(
            Text("sort must be one of %(sorts)s.", sorts=", ".join(SORTS)), code="invalid_sort"
        )
    if sort in SCORE_SORTS and rounds.is_blind(round_):
        raise Conflict(
            _l("Scores are hidden in the final hours of voting; try shuffle or new."),
            code="blind_finish",
        )
    if not isinstance(page, int) or page < 1:
        raise Invalid(_l("page must be 1 or more."), code="invalid_page")
    base = (
        sa.select(Entry)
        .where(Entry.round_id == round_.id, Entry.status == "live")
        .options(selectinload(Entry.author))  # every card names its author: one query
    )
    if finalists_only(round_):
        base = base.where(Entry.finalist.is_(True))
    start = (page - 1) * PAGE_SIZE
    if sort == "shuffle":
        # Stable for one viewer (same seed), different between viewers: early or popular
        # entries do not snowball. The database orders and pages it.
        return _page_of(base.order_by(fan_order(f"{round_.id}:{seed}"), Entry.id), page)
    if sort == "top" and round_.closed_at is not None:
        # closed: the frozen ranking, never a live one
        ranked = base.join(Result, Result.entry_id == Entry.id).order_by(Result.rank)
        return _page_of(ranked, page)
    if sort == "top":
        if finalists_only(round_) or rounds.in_finals(round_):
            standings = (live_standings if finalists_only(round_) else all_standings)(round_.id)
        else:  # the database orders by score: read this page and one more, not the round
            standings = top_standings(round_.id, size=start + PAGE_SIZE + 1)
        chosen = [s.entry for s in standings[start : start + PAGE_SIZE]]
        return chosen, len(standings) > start + PAGE_SIZE
    order = {
        "new": (Entry.created_at.desc(), Entry.id.desc()),
        "most_rated": (Entry.rating_count.desc(), Entry.created_at),
        "needs_votes": (Entry.rating_count, Entry.created_at),
    }[sort]
    return _page_of(base.order_by(*order), page)


def _page_of(query, page):
    rows = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return rows.items, rows.has_next
