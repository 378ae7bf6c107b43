"""Reports: any signed-in fan files one; enough weighty reporters hide the target until a
moderator looks, and a moderator's decision resolves them (reporters are told)."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest.community import notifications
from contest.entries.access import get_visible_entry
from contest.errors import Conflict, Invalid, NotFound
from contest.extensions import db
from contest.models import Comment, Crew, Report, Theme, User, utcnow
from contest.models.reports import REPORT_REASONS
from contest.moderation.audit import audit as _audit
from contest.moderation.audit import check_reason as _reason
from contest.texts import Text

UPHOLDS = {"reject", "hide", "disqualify", "delete", "ban"}

VERDICTS = {
    ("upheld", "entry"): _l("Moderators acted on the entry you reported."),
    ("upheld", "comment"): _l("Moderators acted on the comment you reported."),
    ("upheld", "theme"): _l("Moderators acted on the theme you reported."),
    ("upheld", "crew"): _l("Moderators acted on the crew you reported."),
    ("dismissed", "crew"): _l("Moderators looked at the crew you reported and left it up."),
    ("dismissed", "theme"): _l("Moderators looked at the theme you reported and left it up."),
    ("dismissed", "entry"): _l("Moderators looked at the entry you reported and left it up."),
    ("dismissed", "comment"): _l("Moderators looked at the comment you reported and left it up."),
}


def _target(user, target_type, target_id):
    if target_type == "entry":
        return get_visible_entry(user, target_id)
    if target_type == "crew":
        crew = db.session.get(Crew, target_id) if isinstance(target_id, int) else None
        if crew is None or crew.hidden:
            raise NotFound(_l("No such crew."), code="crew_not_found")
        return crew
    if target_type == "theme":
        theme = db.session.get(Theme, target_id) if isinstance(target_id, int) else None
        if theme is None or theme.status == "hidden":
            raise NotFound(_l("No such theme."), code="theme_not_found")
        if theme.proposer_id == user.id:
            raise Conflict(_l("You cannot report your own theme."), code="own_theme")
        return theme
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
    elif target_type == "crew" and not target.hidden:
        target.hidden = True
        _audit(None, "auto_hide", "crew", target.id, "report threshold reached")
    elif target_type == "theme" and target.status == "proposed":
        target.status = "hidden"
        _audit(None, "auto_hide", "theme", target.id, "report threshold reached")
        notifications.notify(
            target.proposer_id,
            "moderation",
            Text(
                "Reports from fans hid your theme %(title)s until a moderator looks at it.",
                title=target.title,
            ),
        )


def resolve_reports(target_type, target_id, action):
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
