"""The organiser selects a month's theme (not necessarily the most voted), maybe rewording it;
the month's round takes it, with the credit to the fan who proposed it."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.accounts.permissions import require_moderator
from contest.community import notifications
from contest.errors import Conflict
from contest.extensions import db
from contest.models import Round, Theme, ThemeVote, utcnow
from contest.moderation.audit import audit
from contest.rounds import editing
from contest.rounds.phases import phase
from contest.texts import Month, Text
from contest.themes.proposals import MAX_BRIEF, _text, get_theme


def ranked_for_moderators(month):
    """A month's themes by votes, hidden ones included, with their proposers."""
    return db.session.scalars(
        sa.select(Theme).where(Theme.month == month).order_by(Theme.votes.desc(), Theme.id)
    ).all()


def select_theme(moderator, theme_id, title=None, brief=None):
    """Select a theme for its month: the month's round is created, or (still upcoming)
    retitled. Returns the round. The proposer and the fans who voted for it are told."""
    require_moderator(moderator)
    theme = get_theme(theme_id, moderator)
    if theme.status == "hidden":
        raise Conflict(_l("Restore this theme before selecting it."), code="theme_hidden")
    title = _text(title if title is not None else theme.title, "title", editing.MAX_TITLE, True)
    brief = _text(brief if brief is not None else theme.brief, "brief", MAX_BRIEF, False)
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == theme.month))
    if round_ is not None and phase(round_) != "upcoming":
        raise Conflict(
            _l("That month's round has started: its theme can no longer change."),
            code="round_started",
        )
    for earlier in db.session.scalars(
        sa.select(Theme).where(Theme.month == theme.month, Theme.status == "selected")
    ):
        earlier.status, earlier.selected_at, earlier.round_id = "proposed", None, None
    theme.status, theme.selected_at = "selected", utcnow()
    if round_ is None:
        year, month = int(theme.month[:4]), int(theme.month[5:])
        data = {"title": title, "slug": theme.month, "brief": brief}
        data.update(editing.monthly_windows(year, month))
        round_ = editing.create_round(moderator, data, commit=False)
    else:
        round_.title, round_.brief = title, brief
    db.session.flush()
    theme.round_id = round_.id
    audit(moderator, "select_theme", "theme", theme.id, title)
    _tell_fans(theme, round_)
    db.session.commit()
    return round_


def _tell_fans(theme, round_):
    target = notifications.target("round", round_.slug)
    notifications.notify(
        theme.proposer_id,
        "theme",
        Text(
            "Your theme %(title)s was selected for %(month)s!",
            title=theme.title,
            month=Month(theme.month),
        ),
        target,
    )
    voters = db.session.scalars(
        sa.select(ThemeVote.user_id).where(
            ThemeVote.theme_id == theme.id, ThemeVote.user_id != theme.proposer_id
        )
    ).all()
    for user_id in voters:
        notifications.notify(
            user_id,
            "theme",
            Text(
                "A theme you voted for was selected for %(month)s: %(title)s",
                title=theme.title,
                month=Month(theme.month),
            ),
            target,
        )


def themes_by(user):
    """The selected themes a fan proposed (their badge on the profile)."""
    return db.session.scalars(
        sa.select(Theme)
        .where(Theme.proposer_id == user.id, Theme.status == "selected")
        .order_by(Theme.month.desc())
    ).all()
