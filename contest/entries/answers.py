"""Answers: a fan answers another fan's skill with an entry of their own in the same round.

The answer is an ordinary entry in the round's ranking; it is linked both ways, and the
answered fan hears of it once the answer is live.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.errors import Invalid
from contest.extensions import db
from contest.models import Entry
from contest.models.types import MAX_ID


def check_answer(user, round_id, answers_id):
    """The entry an upload answers: a live entry of the same round, not the fan's own."""
    answered = (
        db.session.get(Entry, answers_id)
        if isinstance(answers_id, int) and 0 < answers_id <= MAX_ID
        else None
    )
    if (
        answered is None
        or answered.status != "live"
        or answered.round_id != round_id
        or answered.author_id == user.id
    ):
        raise Invalid(
            _l("You can answer another fan's live clip in the same round."),
            code="invalid_answers",
            field="answers",
        )
    return answered


def answered_by(entry_ids):
    """{entry id: [ids of the live entries answering it]} for many entries in one query."""
    found = {entry_id: [] for entry_id in entry_ids}
    if not found:
        return found
    rows = db.session.execute(
        sa.select(Entry.answers_id, Entry.id)
        .where(Entry.answers_id.in_(list(found)), Entry.status == "live")
        .order_by(Entry.live_at, Entry.id)
    ).all()
    for answered, entry_id in rows:
        found[answered].append(entry_id)
    return found


def answers_to(entry):
    """The live entries answering this one, oldest first."""
    return db.session.scalars(
        sa.select(Entry)
        .where(Entry.answers_id == entry.id, Entry.status == "live")
        .order_by(Entry.live_at, Entry.id)
    ).all()
