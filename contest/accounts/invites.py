"""Invitations (word of mouth): each fan has an invite link; a sign-up through it is credited
to the inviter once the new account confirms its email (a count on the profile, and a
notification "@new joined through your invite")."""

import secrets

import sqlalchemy as sa

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


def credit(user):
    """Credit the inviter once, when the invited account confirms its email (not before)."""
    if user.invited_by_id is None or user.invite_credited_at is not None:
        return
    user.invite_credited_at = utcnow()
    notifications.notify(
        user.invited_by_id,
        "invite",
        Text("@%(name)s joined through your invite.", name=user.username),
        notifications.target("user", user.username),
    )


def joined(user):
    """How many fans joined through this fan's invite (confirmed accounts)."""
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.invited_by_id == user.id, User.invite_credited_at.is_not(None)
        )
    )
