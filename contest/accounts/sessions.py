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
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from contest.accounts.session_cache import SessionCache
from contest.events import AccountChanged, SessionsEnded, record, subscribe
from contest.extensions import db, set_aside
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
    """The user of a live session, or None: ended, expired, banned and deleted fans get None.

    Served from the process's SessionCache when the fan has not changed since it was read
    (see session_cache): then no query at all.
    """
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_ID_LENGTH:
        return None
    cache = current_app.extensions.get("session_cache")
    known = cache.owner(session_id) if cache is not None else None
    generation = None
    if known is not None:
        user_id, created_at = known
        if created_at <= _oldest_alive():
            cache.forget_session(session_id)
            return None
        try:
            generation = cache.generation(user_id)
        except RedisError:
            generation = None  # cannot tell whether the fan changed: ask the database
        user = cache.cached(session_id, generation) if generation is not None else None
        if user is not None:
            # no query, and no database session opened for a request that needs none
            return _signed_in(set_aside(user), session_id)
    row = db.session.execute(
        sa.select(User, UserSession.created_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == session_id, UserSession.created_at > _oldest_alive())
    ).first()
    if row is None:
        if cache is not None:
            cache.forget_session(session_id)
        return None
    user, created_at = row
    if cache is not None:
        cache.learn(session_id, user.id, created_at)
        if generation is not None and known is not None and known[0] == user.id:
            cache.fill(session_id, user, generation)
    return _signed_in(user, session_id)


def _signed_in(user, session_id):
    if not user.is_active:
        return None
    user.session_id = session_id
    return user


def end_session(session_id, user_id=None):
    """Sign out one session (logout)."""
    if session_id:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == session_id))
        if user_id is not None:
            record(AccountChanged(user_id))
        db.session.commit()


def end_sessions(user_id, keep=None, commit=True):
    """End every session of a fan but `keep`; their open sockets close. Returns how many."""
    query = sa.delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        query = query.where(UserSession.id != keep)
    ended = db.session.execute(query).rowcount
    record(SessionsEnded(user_id))
    record(AccountChanged(user_id))
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


def _note_changed_users(session, flush_context):
    """Every flushed change of a User row (ban, role, profile...) is an AccountChanged."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, User) and session.is_modified(obj):
            session.info.setdefault("events.recorded", []).append(AccountChanged(obj.id))


def _forget_changed(event):
    cache = current_app.extensions.get("session_cache")
    if cache is not None:
        cache.changed({event.user_id})


def init_app(app):
    """The session cache (SESSION_CACHE_SECONDS; 0 turns it off) and what empties it."""
    if app.config["SESSION_CACHE_SECONDS"] > 0:
        app.extensions["session_cache"] = SessionCache(
            app.config["SESSION_CACHE_SECONDS"],
            app.config.get("REDIS_URL"),
            prefix=app.config["SOCKETIO_CHANNEL"],
        )
    subscribe(app, AccountChanged, _forget_changed)


sa.event.listen(Session, "after_flush", _note_changed_users)
