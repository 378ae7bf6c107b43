"""Theme proposals: verified fans propose up to MAX_PROPOSALS a month and vote for others'."""

import random

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest.accounts.users import require_verified
from contest.errors import Conflict, Forbidden, Invalid, NotFound
from contest.events import ThemeVotesChanged, record
from contest.extensions import db
from contest.models import Entry, Theme, ThemeVote, User, utcnow
from contest.models.types import MAX_ID
from contest.rounds.ratings import min_account_age
from contest.texts import Text
from contest.themes.windows import check_month, is_open

MAX_TITLE = 80
MAX_BRIEF = 500


class ProposalsClosed(Conflict):
    code = "proposals_closed"
    default_message = _l("Proposals and votes for that month are closed.")


class ThemeSelected(Conflict):
    code = "theme_selected"
    default_message = _l("The organiser has selected this month's theme: its vote is over.")


def accepting(month, now=None):
    """Whether a month takes proposals and votes: its window is open and no theme is selected."""
    return is_open(month, now) and selected_theme(month) is None


def _check_accepting(month):
    if not is_open(month):
        raise ProposalsClosed()
    if selected_theme(month) is not None:
        raise ThemeSelected()


def _text(value, field, limit, required):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(
            Text("%(field)s must be text.", field=field), code=f"invalid_{field}", field=field
        )
    value = " ".join(value.split()) if field == "title" else value.strip()
    if required and not value:
        raise Invalid(
            Text("%(field)s is required.", field=field), code=f"invalid_{field}", field=field
        )
    if len(value) > limit:
        raise Invalid(
            Text("%(field)s is at most %(num)s characters.", field=field, num=limit),
            code=f"invalid_{field}",
            field=field,
        )
    return value


def get_theme(theme_id, viewer=None):
    """A theme anyone may see (hidden ones only for moderators and their proposer)."""
    theme = db.session.get(Theme, theme_id) if isinstance(theme_id, int) else None
    if theme is not None and theme.status == "hidden":
        signed_in = viewer is not None and viewer.is_authenticated
        if not (signed_in and (viewer.is_moderator or viewer.id == theme.proposer_id)):
            theme = None
    if theme is None:
        raise NotFound(_l("No such theme."), code="theme_not_found")
    return theme


def propose(user, month, title, brief, example_entry_id=None):
    """A verified fan proposes a theme for a month whose window is open."""
    require_verified(user)
    check_month(month)
    title = _text(title, "title", MAX_TITLE, required=True)
    brief = _text(brief, "brief", MAX_BRIEF, required=False)
    _check_accepting(month)
    example = None
    if example_entry_id is not None:
        known = isinstance(example_entry_id, int) and 0 < example_entry_id <= MAX_ID
        example = db.session.get(Entry, example_entry_id) if known else None
        if example is None or example.author_id != user.id or example.status != "live":
            raise Invalid(
                _l("The example must be one of your live clips."),
                code="invalid_example",
                field="example_entry_id",
            )
    mine = db.session.scalar(
        sa.select(sa.func.count(Theme.id)).where(Theme.proposer_id == user.id, Theme.month == month)
    )
    limit = current_app.config["MAX_PROPOSALS_PER_MONTH"]
    if mine >= limit:
        raise Conflict(
            Text("You can propose at most %(num)s themes a month.", num=limit),
            code="proposal_limit_reached",
        )
    theme = Theme(
        month=month,
        proposer_id=user.id,
        title=title,
        brief=brief,
        example_entry_id=example.id if example else None,
    )
    db.session.add(theme)
    db.session.commit()
    return theme


def _votable(user, theme_id):
    require_verified(user)
    theme = get_theme(theme_id, user)
    if theme.status == "hidden":
        raise NotFound(_l("No such theme."), code="theme_not_found")
    if theme.proposer_id == user.id:
        raise Forbidden(_l("You cannot vote for your own theme."), code="own_theme")
    _check_accepting(theme.month)
    # lock the theme row: its count moves with the vote rows, one voter at a time
    db.session.scalars(sa.select(Theme.id).where(Theme.id == theme.id).with_for_update()).all()
    return theme


def _counted(theme_ids, now=None):
    """{theme id: votes that count}: a vote counts once its fan's account is as old as a
    rating's must be (MIN_ACCOUNT_AGE_HOURS), so fresh sign-ups cannot swing a theme."""
    ready = User.created_at <= (now or utcnow()) - min_account_age()
    return dict(
        db.session.execute(
            sa.select(ThemeVote.theme_id, sa.func.count(ThemeVote.id))
            .join(User, User.id == ThemeVote.user_id)
            .where(ThemeVote.theme_id.in_(list(theme_ids)), ready)
            .group_by(ThemeVote.theme_id)
        ).all()
    )


def _recount(theme):
    theme.votes = _counted([theme.id]).get(theme.id, 0)
    record(ThemeVotesChanged(theme.id, theme.month))


def mature_votes(now=None):
    """Count the votes of accounts that have become old enough (every tick); returns the
    themes whose count moved."""
    months = [m for m in db.session.scalars(sa.select(Theme.month).distinct()) if accepting(m, now)]
    themes = db.session.scalars(sa.select(Theme).where(Theme.month.in_(months))).all()
    counts = _counted([t.id for t in themes], now) if themes else {}
    moved = [t for t in themes if t.votes != counts.get(t.id, 0)]
    for theme in moved:
        theme.votes = counts.get(theme.id, 0)
        record(ThemeVotesChanged(theme.id, theme.month))
    db.session.commit()
    return moved


def vote(user, theme_id):
    """Vote for a theme (again: nothing changes). Returns the theme."""
    theme = _votable(user, theme_id)
    exists = db.session.scalar(
        sa.select(ThemeVote.id).where(ThemeVote.theme_id == theme.id, ThemeVote.user_id == user.id)
    )
    if not exists:
        db.session.add(ThemeVote(theme_id=theme.id, user_id=user.id))
        db.session.flush()
        _recount(theme)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same fan's other tab voted a moment ago
        db.session.rollback()
        theme = db.session.get(Theme, theme.id)
    return theme


def unvote(user, theme_id):
    """Take one's vote back (none to take: nothing changes). Returns the theme."""
    theme = _votable(user, theme_id)
    gone = db.session.execute(
        sa.delete(ThemeVote).where(ThemeVote.theme_id == theme.id, ThemeVote.user_id == user.id)
    ).rowcount
    if gone:
        _recount(theme)
    db.session.commit()
    return theme


def my_votes(user, theme_ids):
    if not user or not user.is_authenticated or not theme_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ThemeVote.theme_id).where(
                ThemeVote.user_id == user.id, ThemeVote.theme_id.in_(list(theme_ids))
            )
        )
    )


def list_themes(month, viewer=None, order="top", seed=""):
    """A month's themes: by votes (then oldest first), or shuffled per viewer ("new").

    Hidden themes show only to moderators.
    """
    check_month(month)
    query = (
        sa.select(Theme)
        .where(Theme.month == month)
        .options(selectinload(Theme.proposer), selectinload(Theme.example))
    )
    if not (viewer and viewer.is_authenticated and viewer.is_moderator):
        query = query.where(Theme.status != "hidden")
    themes = db.session.scalars(query.order_by(Theme.votes.desc(), Theme.id)).all()
    if order == "new":
        random.Random(f"{month}:{seed}").shuffle(themes)
    return themes


def selected_theme(month):
    return db.session.scalar(
        sa.select(Theme).where(Theme.month == month, Theme.status == "selected")
    )
