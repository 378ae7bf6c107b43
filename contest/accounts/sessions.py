"""Sessions the server knows.

Every sign-in opens a row with a random id; Flask-Login keeps that id (not the user's) in the
session and remember-me cookies. Loading the signed-in user is one primary-key join, so ending
a session (logout), every session (logout-all, a ban) or every other one (a new password) is
seen on the fan's very next request, and the remember token changes at every sign-in.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from contest.events import SessionsEnded, record
from contest.extensions import db
from contest.models import User, UserSession, utcnow

MAX_ID_LENGTH = 64


def _oldest_alive():
    return utcnow() - timedelta(days=current_app.config["SESSION_DAYS"])


def open_session(user, user_agent=""):
    """Start a session for a user who just proved who they are; returns its id."""
    session = UserSession(
        id=secrets.token_urlsafe(32), user_id=user.id, user_agent=(user_agent or "")[:200]
    )
    db.session.add(session)
    db.session.commit()
    user.session_id = session.id
    return session.id


def session_user(session_id):
    """The user of a live session, or None: ended, expired, banned and deleted fans get None."""
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_ID_LENGTH:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == session_id, UserSession.created_at > _oldest_alive())
    )
    if user is None or not user.is_active:
        return None
    user.session_id = session_id
    return user


def end_session(session_id):
    """Sign out one session (logout)."""
    if session_id:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == session_id))
        db.session.commit()


def end_sessions(user_id, keep=None, commit=True):
    """End every session of a fan but `keep`; their open sockets close. Returns how many."""
    query = sa.delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        query = query.where(UserSession.id != keep)
    ended = db.session.execute(query).rowcount
    record(SessionsEnded(user_id))
    if commit:
        db.session.commit()
    return ended


def alive(session_ids):
    """The ids among these whose sessions still stand (for closing the sockets of ended ones)."""
    ids = [s for s in set(session_ids) if s]
    if not ids:
        return set()
    rows = db.session.scalars(
        sa.select(UserSession.id)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.id.in_(ids),
            UserSession.created_at > _oldest_alive(),
            User.banned_at.is_(None),
            User.deleted_at.is_(None),
        )
    )
    return set(rows)


def count_sessions(user_id):
    """How many sessions a fan has open (shown next to "sign out everywhere")."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user_id, UserSession.created_at > _oldest_alive())
    )


def forget_expired():
    """Drop rows of sessions past SESSION_DAYS (a job)."""
    db.session.execute(sa.delete(UserSession).where(UserSession.created_at <= _oldest_alive()))
    db.session.commit()
