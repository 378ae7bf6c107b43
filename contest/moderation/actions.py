"""Moderation: reports and auto-hide, actions on entries, comments and users, all audited."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest import events
from contest.accounts.sessions import end_sessions
from contest.community import notifications
from contest.entries.access import get_visible_entry
from contest.errors import Conflict, Forbidden, Invalid, NotFound
from contest.events import RatingChanged
from contest.extensions import db
from contest.models import Comment, Entry, ModerationAction, Rating, Report, User, utcnow
from contest.models.reports import REPORT_REASONS
from contest.moderation import audit
from contest.moderation.integrity import resolve_flags
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
MAX_REASON = 500
UPHOLDS = {"reject", "hide", "disqualify", "delete", "ban"}
BANNED_REASON = Text("Hidden: the author is banned.")  # stored in English: status_reason
VERDICTS = {
    ("upheld", "entry"): _l("Moderators acted on the entry you reported."),
    ("upheld", "comment"): _l("Moderators acted on the comment you reported."),
    ("dismissed", "entry"): _l("Moderators looked at the entry you reported and left it up."),
    ("dismissed", "comment"): _l("Moderators looked at the comment you reported and left it up."),
}


def _reason(reason, required):
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise Invalid(_l("reason must be text of at most 500 characters."), code="invalid_reason")
    if required and not reason.strip():
        raise Invalid(
            _l("Give a reason: the person affected will read it."), code="reason_required"
        )
    return reason.strip()


def _audit(moderator, action, target_type, target_id, reason=""):
    audit.audit(moderator, action, target_type, target_id, reason)


# --- reports ---------------------------------------------------------------------------


def _target(user, target_type, target_id):
    if target_type == "entry":
        return get_visible_entry(user, target_id)
    comment = db.session.get(Comment, target_id) if isinstance(target_id, int) else None
    if comment is None or comment.hidden:
        raise NotFound(_l("No such comment."), code="comment_not_found")
    get_visible_entry(user, comment.entry_id)
    return comment


def report(user, target_type, target_id, reason, text=""):
    """File a report; enough distinct reporters hide the target until a moderator looks."""
    if reason not in REPORT_REASONS:
        raise Invalid(
            Text("reason must be one of %(reasons)s.", reasons=", ".join(REPORT_REASONS)),
            code="invalid_reason",
        )
    text = _reason(text, required=reason == "other")
    target = _target(user, target_type, target_id)
    if target_type == "entry" and target.author_id == user.id:
        raise Conflict(_l("You cannot report your own entry."), code="own_entry")
    open_reports = sa.select(Report).where(
        Report.target_type == target_type, Report.target_id == target.id, Report.status == "open"
    )
    if db.session.scalar(open_reports.where(Report.reporter_id == user.id)):
        raise Conflict(
            _l("You already reported this; moderators will look at it."), code="already_reported"
        )
    row = Report(
        reporter_id=user.id, target_type=target_type, target_id=target.id, reason=reason, text=text
    )
    db.session.add(row)
    db.session.flush()
    if _weighty_reporters(target_type, target.id) >= current_app.config["REPORT_THRESHOLD"]:
        _auto_hide(target_type, target)
    db.session.commit()
    return row


def _weighty_reporters(target_type, target_id):
    """Distinct open reporters who count toward auto-hide: verified accounts at least
    MIN_ACCOUNT_AGE_HOURS old, or trusted ones. Everyone's reports still reach moderators."""
    old_enough = utcnow() - timedelta(hours=current_app.config["MIN_ACCOUNT_AGE_HOURS"])
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Report.reporter_id)))
        .join(User, User.id == Report.reporter_id)
        .where(
            Report.target_type == target_type,
            Report.target_id == target_id,
            Report.status == "open",
            User.banned_at.is_(None),
            User.email_verified_at.is_not(None),
            sa.or_(User.trusted.is_(True), User.created_at <= old_enough),
        )
    )


def _auto_hide(target_type, target):
    if target_type == "entry" and target.status == "live":
        target.set_status("hidden", _l("Hidden while moderators review reports."))
        _audit(None, "auto_hide", "entry", target.id, "report threshold reached")
        notifications.notify(
            target.author_id,
            "moderation",
            Text(
                "Reports from fans hid your entry %(title)s until a moderator looks at it.",
                title=target.title,
            ),
            notifications.target("entry", target.id),
        )
    elif target_type == "comment" and not target.hidden:
        target.hidden = True
        _audit(None, "auto_hide", "comment", target.id, "report threshold reached")


def _resolve_reports(target_type, target_id, action):
    outcome = "upheld" if action in UPHOLDS else "dismissed"
    open_reports = db.session.scalars(
        sa.select(Report).where(
            Report.target_type == target_type,
            Report.target_id == target_id,
            Report.status == "open",
        )
    ).all()
    for row in open_reports:
        row.status, row.resolved_at = outcome, utcnow()
        notifications.notify(row.reporter_id, "moderation", VERDICTS[outcome, target_type])


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
    _resolve_reports("entry", entry.id, action)
    if action in UPHOLDS:
        resolve_flags(entry.id, "actioned")
    title = entry.title
    text = {
        "approve": Text("Your entry %(title)s was approved and is live.", title=title),
        "reject": Text("Your entry %(title)s was rejected: %(reason)s", title=title, reason=reason),
        "hide": Text("Your entry %(title)s was hidden by a moderator.", title=title)
        if not reason
        else Text(
            "Your entry %(title)s was hidden by a moderator: %(reason)s", title=title, reason=reason
        ),
        "restore": Text("Your entry %(title)s is visible again.", title=title),
        "disqualify": Text(
            "Your entry %(title)s was disqualified: %(reason)s", title=title, reason=reason
        ),
    }[action]
    notifications.notify(
        entry.author_id, "moderation", text, notifications.target("entry", entry.id)
    )
    if round_.closed_at is not None and action in ("disqualify", "restore"):
        freeze_results(round_)  # a disqualification after close changes the unpublished results
    events.record(RatingChanged(entry.id, entry.round_id))
    db.session.commit()
    return entry


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
    _resolve_reports("comment", comment.id, action)
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
