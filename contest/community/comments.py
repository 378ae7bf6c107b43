"""Comments on entries, with @mentions linked and everything escaped."""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from contest import events
from contest.accounts.users import require_verified
from contest.community import notifications
from contest.entries.access import get_visible_entry
from contest.errors import Conflict, Forbidden, Invalid, NotFound
from contest.events import CommentAdded
from contest.extensions import db
from contest.models import Comment, User
from contest.texts import Text

MAX_COMMENT = 1000
PAGE_SIZE = 20
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")


def post_comment(user, entry_id, body):
    """Comment on a live entry; the author hears about it."""
    if user.is_banned:
        raise Forbidden(_l("Banned accounts cannot comment."), code="banned")
    require_verified(user)
    if not isinstance(body, str) or not body.strip():
        raise Invalid(_l("Write something first."), code="empty_comment")
    body = body.strip()
    if len(body) > MAX_COMMENT:
        raise Invalid(
            _l("Comments are at most %(num)s characters.", num=MAX_COMMENT),
            code="comment_too_long",
        )
    entry = get_visible_entry(user, entry_id)
    if entry.status != "live":
        raise Conflict(_l("Only live entries take comments."), code="entry_not_live")
    comment = Comment(entry_id=entry.id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    if entry.author_id != user.id:
        notifications.notify(
            entry.author_id,
            "comment",
            Text("%(name)s commented on %(title)s.", name=user.username, title=entry.title),
            notifications.target("entry", entry.id, f"c{comment.id}"),
        )
    _notify_mentioned(user, entry, comment)
    events.record(CommentAdded(comment.id, entry.id))
    db.session.commit()
    return comment


MAX_MENTIONS = 10  # fans told per comment: a comment cannot page a whole stadium


def _notify_mentioned(user, entry, comment):
    """Tell each real fan @mentioned (not the writer, not the entry's author told already)."""
    names = []
    for match in MENTION_RE.finditer(comment.body):
        name = match.group(1).lower()
        if name not in names:
            names.append(name)
    if not names:
        return
    mentioned = db.session.scalars(
        sa.select(User.id).where(
            User.username.in_(names[:MAX_MENTIONS]),
            User.banned_at.is_(None),
            User.deleted_at.is_(None),
            User.id.not_in([user.id, entry.author_id]),
        )
    ).all()
    for user_id in mentioned:
        notifications.notify(
            user_id,
            "mention",
            Text("%(name)s mentioned you on %(title)s.", name=user.username, title=entry.title),
            notifications.target("entry", entry.id, f"c{comment.id}"),
        )


def list_comments(user, entry_id, page=1):
    """(comments newest first, has_more)."""
    entry = get_visible_entry(user, entry_id)
    rows = db.paginate(
        sa.select(Comment)
        .where(Comment.entry_id == entry.id, Comment.hidden.is_(False))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .options(selectinload(Comment.author)),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return rows.items, rows.has_next


def count_comments(entry_ids):
    """{entry_id: visible comments} of many entries in one query."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.entry_id, sa.func.count(Comment.id))
        .where(Comment.entry_id.in_(list(entry_ids)), Comment.hidden.is_(False))
        .group_by(Comment.entry_id)
    )
    return {entry_id: 0 for entry_id in entry_ids} | dict(rows.all())


def delete_comment(user, comment_id):
    """Delete one's own comment (moderators may delete any)."""
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None:
        raise NotFound(_l("No such comment."), code="comment_not_found")
    if comment.author_id != user.id and not user.is_moderator:
        raise Forbidden(_l("You can only delete your own comments."), code="not_your_comment")
    db.session.delete(comment)
    db.session.commit()
