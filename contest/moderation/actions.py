"""Moderation: actions on entries, comments and users, all audited (reports: reports.py)."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest import events
from contest.accounts.sessions import end_sessions
from contest.community import notifications
from contest.errors import Conflict, Forbidden, Invalid, NotFound
from contest.events import RatingChanged
from contest.extensions import db
from contest.models import (
    Comment,
    Crew,
    Entry,
    ModerationAction,
    Rating,
    Theme,
    User,
    utcnow,
)
from contest.moderation import audit
from contest.moderation.integrity import resolve_flags
from contest.moderation.reports import UPHOLDS, resolve_reports
from contest.rounds import ratings
from contest.rounds.results import freeze_results
from contest.texts import Text

ENTRY_ACTIONS = {
    # action: (statuses it applies to, new status)
    "approve": (("pending_review",), "live"),
    "reject": (("pending_review", "live", "hidden"), "rejected"),
    "hide": (("live", "pending_review"), "hidden"),
    "restore": (("hidden", "disqualified"), "live"),
    "disqualify": (("live", "hidden"), "disqualified"),
    "dismiss_flags": (("live", "hidden", "pending_review"), None),
}
BANNED_REASON = Text("Hidden: the author is banned.")  # stored in English: status_reason


_audit = audit.audit
_reason = audit.check_reason


# --- entries -----------------------------------------------------------------------------


def moderate_entry(moderator, entry_id, action, reason=None):
    """approve, reject, hide, restore or disqualify an entry; audited; the author is told."""
    if action not in ENTRY_ACTIONS:
        raise Invalid(
            Text("action must be one of %(actions)s.", actions=", ".join(ENTRY_ACTIONS)),
            code="invalid_action",
        )
    reason = _reason(reason, required=action in ("reject", "disqualify"))
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(_l("No such entry."), code="entry_not_found")
    allowed, new_status = ENTRY_ACTIONS[action]
    if action == "dismiss_flags":
        resolve_flags(entry.id, "dismissed")
        _audit(moderator, action, "entry", entry.id, reason)
        db.session.commit()
        return entry
    if entry.status not in allowed:
        raise Conflict(
            Text(
                "This entry is %(status)s: %(action)s does not apply to it now.",
                status=entry.status.replace("_", " "),
                action=action,
            ),
            code="invalid_transition",
        )
    round_ = entry.round
    if round_.published_at is not None and action in ("disqualify", "restore"):
        raise Conflict(
            _l("Results of this round are published; they no longer change."),
            code="round_published",
        )
    entry.set_status(new_status, reason if action in ("reject", "hide", "disqualify") else "")
    if new_status == "live" and entry.live_at is None:
        entry.live_at = utcnow()
    if action == "approve":
        _maybe_trust(entry.author)
    _audit(moderator, action, "entry", entry.id, reason)
    resolve_reports("entry", entry.id, action)
    if action in UPHOLDS:
        resolve_flags(entry.id, "actioned")
    notifications.notify(
        entry.author_id,
        "moderation",
        _told(action, entry.title, reason),
        notifications.target("entry", entry.id),
    )
    if round_.closed_at is not None and action in ("disqualify", "restore"):
        freeze_results(round_)  # a disqualification after close changes the unpublished results
    events.record(RatingChanged(entry.id, entry.round_id))
    db.session.commit()
    return entry


def _told(action, title, reason):
    """What the author reads about a moderator's action on their entry."""
    if action == "hide" and reason:
        return Text(
            "Your entry %(title)s was hidden by a moderator: %(reason)s", title=title, reason=reason
        )
    return {
        "approve": Text("Your entry %(title)s was approved and is live.", title=title),
        "reject": Text("Your entry %(title)s was rejected: %(reason)s", title=title, reason=reason),
        "hide": Text("Your entry %(title)s was hidden by a moderator.", title=title),
        "restore": Text("Your entry %(title)s is visible again.", title=title),
        "disqualify": Text(
            "Your entry %(title)s was disqualified: %(reason)s", title=title, reason=reason
        ),
    }[action]


def _maybe_trust(author):
    approvals = db.session.scalar(
        sa.select(sa.func.count(ModerationAction.id))
        .join(Entry, Entry.id == ModerationAction.target_id)
        .where(
            ModerationAction.action == "approve",
            ModerationAction.target_type == "entry",
            Entry.author_id == author.id,
        )
    )
    if not author.trusted and approvals + 1 >= current_app.config["TRUST_AFTER_APPROVALS"]:
        author.trusted = True
        _audit(None, "trust", "user", author.id, "automatic after approved entries")


# --- comments ----------------------------------------------------------------------------


def moderate_comment(moderator, comment_id, action, reason=None):
    """delete, hide or restore a comment."""
    if action not in ("delete", "hide", "restore"):
        raise Invalid(_l("action must be delete, hide or restore."), code="invalid_action")
    reason = _reason(reason, required=False)
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None:
        raise NotFound(_l("No such comment."), code="comment_not_found")
    _audit(moderator, f"{action}_comment", "comment", comment.id, reason)
    resolve_reports("comment", comment.id, action)
    if action == "delete":
        notifications.notify(
            comment.author_id,
            "moderation",
            Text("A moderator removed your comment: %(reason)s", reason=reason)
            if reason
            else _l("A moderator removed your comment."),
        )
        db.session.delete(comment)
    else:
        comment.hidden = action == "hide"
    db.session.commit()


# --- theme proposals -----------------------------------------------------------------------


def moderate_theme(moderator, theme_id, action, reason=None):
    """hide or restore a fan's theme proposal; audited; the proposer is told."""
    if action not in ("hide", "restore"):
        raise Invalid(_l("action must be hide or restore."), code="invalid_action")
    reason = _reason(reason, required=False)
    theme = db.session.get(Theme, theme_id) if isinstance(theme_id, int) else None
    if theme is None:
        raise NotFound(_l("No such theme."), code="theme_not_found")
    if theme.status == "selected":
        raise Conflict(_l("A selected theme stays: select another first."), code="theme_selected")
    theme.status = "hidden" if action == "hide" else "proposed"
    _audit(moderator, f"{action}_theme", "theme", theme.id, reason)
    resolve_reports("theme", theme.id, action)
    if action == "hide":
        notifications.notify(
            theme.proposer_id,
            "moderation",
            Text("A moderator hid your theme %(title)s.", title=theme.title),
        )
    db.session.commit()
    return theme


def moderate_crew(moderator, crew_id, action, reason=None):
    """hide or restore a crew (its page, its name on leaderboards); audited."""
    if action not in ("hide", "restore"):
        raise Invalid(_l("action must be hide or restore."), code="invalid_action")
    reason = _reason(reason, required=False)
    crew = db.session.get(Crew, crew_id) if isinstance(crew_id, int) else None
    if crew is None:
        raise NotFound(_l("No such crew."), code="crew_not_found")
    crew.hidden = action == "hide"
    _audit(moderator, f"{action}_crew", "crew", crew.id, reason)
    resolve_reports("crew", crew.id, action)
    db.session.commit()
    return crew


# --- users -------------------------------------------------------------------------------


def _user(username):
    user = db.session.scalar(sa.select(User).where(User.username == str(username).lower()))
    if user is None:
        raise NotFound(_l("No such user."), code="user_not_found")
    return user


def moderate_user(moderator, username, action, reason=None):
    """ban, unban, trust or untrust a fan."""
    if action not in ("ban", "unban", "trust", "untrust"):
        raise Invalid(_l("action must be ban, unban, trust or untrust."), code="invalid_action")
    reason = _reason(reason, required=action == "ban")
    user = _user(username)
    if user.is_moderator and action == "ban":
        raise Forbidden(
            _l("Moderators cannot be banned here; change their role first."),
            code="cannot_ban_moderator",
        )
    if action == "ban":
        if user.is_banned:
            raise Conflict(_l("Already banned."), code="already_banned")
        user.banned_at, user.ban_reason = utcnow(), reason
        end_sessions(user.id, commit=False)  # signed out at once, open sockets closed
        _recount_ratings_of(user)
        for entry in db.session.scalars(
            sa.select(Entry).where(Entry.author_id == user.id, Entry.status == "live")
        ):
            entry.set_status("hidden", BANNED_REASON)
    elif action == "unban":
        if not user.is_banned:
            raise Conflict(_l("Not banned."), code="not_banned")
        user.banned_at, user.ban_reason = None, ""
        _recount_ratings_of(user)
        for entry in db.session.scalars(
            sa.select(Entry).where(
                Entry.author_id == user.id,
                Entry.status == "hidden",
                Entry.status_reason == BANNED_REASON.msgid,
            )
        ):
            entry.set_status("live")
    else:
        user.trusted = action == "trust"
    _audit(moderator, action, "user", user.id, reason)
    db.session.commit()
    return user


def _recount_ratings_of(user):
    """Take a banned fan's ratings out of (or back into) the live aggregates; rows are kept."""
    db.session.flush()
    rated = db.session.scalars(
        sa.select(Rating.entry_id).where(Rating.user_id == user.id).distinct()
    ).all()
    ratings.resync(sorted(rated))


# --- the queue and the log ------------------------------------------------------------
