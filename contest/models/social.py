"""Follows, comments and notifications."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow
from contest.texts import shown

NOTIFICATION_KINDS = (
    "follow",
    "comment",
    "mention",
    "entry_live",
    "entry_rejected",
    "results",
    "theme",
    "crew",
    "answer",
    "invite",
    "moderation",
)


class Follow(db.Model):
    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    followed_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("follower_id", "followed_id", name="uq_follows_pair"),
        sa.CheckConstraint("follower_id <> followed_id", name="not_self"),
    )


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    likes: Mapped[int] = mapped_column(default=0, server_default="0")  # equal to its like rows
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    author: Mapped["User"] = relationship()  # noqa: F821


class CommentLike(db.Model):
    __tablename__ = "comment_likes"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id", name="uq_comment_likes_fan"),)


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.String(500))  # in English
    message: Mapped[dict | None] = mapped_column(sa.JSON)  # the same, translatable
    url: Mapped[str] = mapped_column(sa.String(300), default="")  # rows written before targets
    # what it points at ("entry:12#c5", "user:alice", "round:<slug>"): faces build the link
    target: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def display_text(self):
        """The sentence in the reader's language (as stored, for rows written before)."""
        return shown(self.message, self.text)


class NotificationSetting(db.Model):
    """A fan's choice per kind: in-app only, or also in the daily email digest."""

    __tablename__ = "notification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    email_digest: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_notification_settings_kind"),)
