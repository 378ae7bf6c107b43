"""Invitations (word of mouth): each fan has an invite link; a sign-up through it is credited
to the inviter once the new account has confirmed its email and is MIN_ACCOUNT_AGE_HOURS old
(a count on the profile, and a notification "@new joined through your invite")."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from contest.community import notifications
from contest.extensions import db
from contest.models import User, utcnow
from contest.texts import Text


def invite_code(user):
    """The fan's invite code, made the first time it is asked for."""
    if not user.invite_code:
        for _ in range(5):
            user.invite_code = secrets.token_urlsafe(9)[:12]
            try:
                db.session.commit()
                break
            except sa.exc.IntegrityError:  # the same code twice: draw another
                db.session.rollback()
    return user.invite_code


def inviter(code):
    """The fan whose invite code this is, or None (an unknown code is simply ignored)."""
    if not isinstance(code, str) or not 0 < len(code) <= 16:
        return None
    return db.session.scalar(
        sa.select(User).where(
            User.invite_code == code, User.banned_at.is_(None), User.deleted_at.is_(None)
        )
    )


def _old_enough(user, now=None):
    hours = current_app.config.get("MIN_ACCOUNT_AGE_HOURS") or 0
    return user.created_at <= (now or utcnow()) - timedelta(hours=hours)


def credit(user, now=None):
    """Credit the inviter once, when the invited account has confirmed its email and is as old
    as a rating's account must be (MIN_ACCOUNT_AGE_HOURS): throwaway sign-ups earn nothing."""
    if user.invited_by_id is None or user.invite_credited_at is not None:
        return
    if user.email_verified_at is None or not _old_enough(user, now):
        return  # credit_matured() credits it once it is
    user.invite_credited_at = utcnow()
    notifications.notify(
        user.invited_by_id,
        "invite",
        Text("@%(name)s joined through your invite.", name=user.username),
        notifications.target("user", user.username),
    )


def credit_matured(now=None):
    """Credit the invites of confirmed accounts that have become old enough (every tick)."""
    hours = current_app.config.get("MIN_ACCOUNT_AGE_HOURS") or 0
    due = db.session.scalars(
        sa.select(User).where(
            User.invited_by_id.is_not(None),
            User.invite_credited_at.is_(None),
            User.email_verified_at.is_not(None),
            User.deleted_at.is_(None),
            User.created_at <= (now or utcnow()) - timedelta(hours=hours),
        )
    ).all()
    for user in due:
        credit(user, now)
    db.session.commit()
    return len(due)


def joined(user):
    """How many fans joined through this fan's invite (confirmed accounts)."""
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.invited_by_id == user.id, User.invite_credited_at.is_not(None)
        )
    )
