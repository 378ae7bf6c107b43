"""Likes on comments: one per fan per comment, the count kept on the comment, sent live."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.accounts.users import require_verified
from contest.entries.access import get_visible_entry
from contest.errors import NotFound
from contest.events import CommentLiked, record
from contest.extensions import db
from contest.models import Comment, CommentLike


def _comment(user, comment_id):
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or comment.hidden:
        raise NotFound(_l("No such comment."), code="comment_not_found")
    get_visible_entry(user, comment.entry_id)
    # lock the comment: its count moves with the like rows, one fan at a time
    db.session.scalars(sa.select(Comment.id).where(Comment.id == comment.id).with_for_update())
    return comment


def _recount(comment):
    comment.likes = db.session.scalar(
        sa.select(sa.func.count(CommentLike.id)).where(CommentLike.comment_id == comment.id)
    )
    record(CommentLiked(comment.id, comment.entry_id))


def like(user, comment_id):
    require_verified(user)
    comment = _comment(user, comment_id)
    exists = db.session.scalar(
        sa.select(CommentLike.id).where(
            CommentLike.comment_id == comment.id, CommentLike.user_id == user.id
        )
    )
    if not exists:
        db.session.add(CommentLike(comment_id=comment.id, user_id=user.id))
        db.session.flush()
        _recount(comment)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same fan's other tab liked it a moment ago
        db.session.rollback()
        comment = db.session.get(Comment, comment.id)
    return comment


def unlike(user, comment_id):
    require_verified(user)
    comment = _comment(user, comment_id)
    gone = db.session.execute(
        sa.delete(CommentLike).where(
            CommentLike.comment_id == comment.id, CommentLike.user_id == user.id
        )
    ).rowcount
    if gone:
        _recount(comment)
    db.session.commit()
    return comment


def liked(user, comment_ids):
    """The ids among these comments the fan likes."""
    if not user or not user.is_authenticated or not comment_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(CommentLike.comment_id).where(
                CommentLike.user_id == user.id, CommentLike.comment_id.in_(list(comment_ids))
            )
        )
    )
