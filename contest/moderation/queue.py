"""What moderators look at: the queue of pending and reported items, and the audit log."""

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Comment, Crew, Entry, ModerationAction, Report, Theme
from contest.moderation.integrity import open_flags


def queue():
    """What needs a moderator: pending entries; reported or auto-hidden entries, comments and
    theme proposals; integrity flags."""
    pending = db.session.scalars(
        sa.select(Entry).where(Entry.status == "pending_review").order_by(Entry.created_at)
    ).all()
    open_reports = db.session.scalars(
        sa.select(Report).where(Report.status == "open").order_by(Report.created_at)
    ).all()
    by_target = {}
    for row in open_reports:
        by_target.setdefault((row.target_type, row.target_id), []).append(row)
    reported = []
    for (kind, ident), rows in by_target.items():
        model = {"entry": Entry, "comment": Comment, "theme": Theme, "crew": Crew}.get(kind)
        target = db.session.get(model, ident) if model else None
        if target is not None:
            reported.append({"type": kind, "target": target, "reports": rows})
    return {"pending": pending, "reported": reported, "flags": open_flags()}


def audit_log(limit=200):
    return db.session.scalars(
        sa.select(ModerationAction)
        .order_by(ModerationAction.at.desc(), ModerationAction.id.desc())
        .limit(limit)
    ).all()
