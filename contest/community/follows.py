"""Fans following fans: follow, unfollow, the feed, suggestions."""

import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest.community import notifications
from contest.errors import Conflict, Forbidden, NotFound
from contest.extensions import db
from contest.models import Entry, Follow, Result, User
from contest.texts import Text

FEED_PAGE = 12


def get_user(username):
    user = (
        db.session.scalar(
            sa.select(User).where(
                User.username == (username or "").lower(),
                User.banned_at.is_(None),
                User.deleted_at.is_(None),
            )
        )
        if isinstance(username, str)
        else None
    )
    if user is None:
        raise NotFound(_l("No fan with that name."), code="user_not_found")
    return user


def followed_among(follower, user_ids):
    """The ids among these users the fan follows (one query for a list of clips)."""
    if follower is None or not follower.is_authenticated or not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Follow.followed_id).where(
                Follow.follower_id == follower.id, Follow.followed_id.in_(list(user_ids))
            )
        )
    )


def is_following(follower, followed):
    if follower is None or not follower.is_authenticated:
        return False
    return bool(
        db.session.scalar(
            sa.select(Follow.id).where(
                Follow.follower_id == follower.id, Follow.followed_id == followed.id
            )
        )
    )


def follow(user, username):
    """Follow a fan; following yourself or twice is refused."""
    if user.is_banned:
        raise Forbidden(_l("Banned accounts cannot follow."), code="banned")
    target = get_user(username)
    if target.id == user.id:
        raise Conflict(_l("You cannot follow yourself."), code="follow_self")
    if is_following(user, target):
        raise Conflict(
            Text("You already follow %(name)s.", name=target.username), code="already_following"
        )
    db.session.add(Follow(follower_id=user.id, followed_id=target.id))
    notifications.notify(
        target.id,
        "follow",
        Text("%(name)s now follows you.", name=user.username),
        notifications.target("user", user.username),
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(
            Text("You already follow %(name)s.", name=target.username), code="already_following"
        ) from None
    return target


def unfollow(user, username):
    target = get_user(username)
    row = db.session.scalar(
        sa.select(Follow).where(Follow.follower_id == user.id, Follow.followed_id == target.id)
    )
    if row is None:
        raise Conflict(
            Text("You do not follow %(name)s.", name=target.username), code="not_following"
        )
    db.session.delete(row)
    db.session.commit()
    return target


def counts(user):
    followers = db.session.scalar(
        sa.select(sa.func.count(Follow.id)).where(Follow.followed_id == user.id)
    )
    following = db.session.scalar(
        sa.select(sa.func.count(Follow.id)).where(Follow.follower_id == user.id)
    )
    return followers, following


def feed(user, page=1):
    """Latest live entries of the fans this user follows, newest first."""
    followed = sa.select(Follow.followed_id).where(Follow.follower_id == user.id)
    query = (
        sa.select(Entry)
        .where(Entry.author_id.in_(followed), Entry.status == "live")
        .order_by(Entry.live_at.desc(), Entry.id.desc())
    )
    rows = db.paginate(query, page=page, per_page=FEED_PAGE, error_out=False)
    return rows.items, rows.has_next


def _most_followed():
    """The 50 most-followed fans: counting every follow (300,000 in a season) takes ~80 ms on
    PostgreSQL, so a process counts them once a minute, not on every feed."""
    _popular = current_app.extensions.setdefault("ginga_most_followed", {"at": float("-inf")})
    now = time.monotonic()
    # MOST_FOLLOWED_SECONDS: how long a process keeps the list (a suggestion, not a count)
    if now - _popular["at"] >= current_app.config["MOST_FOLLOWED_SECONDS"]:
        _popular["ids"] = list(
            db.session.scalars(
                sa.select(Follow.followed_id)
                .group_by(Follow.followed_id)
                .order_by(sa.func.count(Follow.id).desc(), Follow.followed_id)
                .limit(50)
            )
        )
        _popular["at"] = now
    return _popular["ids"]


def suggestions(user=None, limit=6):
    """Fans to follow: recent winners, then the most followed; not yourself or those you follow."""
    exclude = set()
    if user is not None and user.is_authenticated:
        exclude = {user.id} | set(
            db.session.scalars(sa.select(Follow.followed_id).where(Follow.follower_id == user.id))
        )
    winners = db.session.scalars(
        sa.select(Entry.author_id)
        .join(Result, Result.entry_id == Entry.id)
        .where(Result.rank <= 3)
        .order_by(Result.id.desc())
        .limit(50)
    )
    picked = []
    popular = _most_followed()
    for user_id in [*winners, *popular]:
        if user_id not in exclude and user_id not in picked:
            picked.append(user_id)
    users = [db.session.get(User, i) for i in picked[:limit]]
    return [u for u in users if u is not None and not u.is_banned and u.deleted_at is None]
