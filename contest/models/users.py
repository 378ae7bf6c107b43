"""Accounts: fans, moderators and admins."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow

ROLES = ("fan", "moderator", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(30), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default="fan")
    display_name: Mapped[str] = mapped_column(sa.String(60), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    country: Mapped[str] = mapped_column(sa.String(60), default="")
    # the language the fan picked (en, id, th, zh_Hans); empty: follow the browser
    language: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")
    favourite_position: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    favourite_club: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    avatar_key: Mapped[str | None] = mapped_column(sa.String(300))
    # play the small renditions everywhere (judge mode, entry pages), whatever the network says
    data_saver: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trusted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ban_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # word of mouth: the fan's own invite code, who invited them, and when that was credited
    invite_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    invite_credited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set when the fan deleted the account: the row stays, anonymised, for published results
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # the server-known session this object was loaded through (see accounts.sessions)
    session_id = None

    __table_args__ = (sa.CheckConstraint("role in ('fan', 'moderator', 'admin')", name="role"),)

    @property
    def is_moderator(self):
        return self.role in ("moderator", "admin")

    @property
    def is_banned(self):
        return self.banned_at is not None

    @property
    def is_active(self):
        return not self.is_banned and self.deleted_at is None

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def get_id(self):
        """Flask-Login keeps the session's id, not the user's: ending the session signs out."""
        if self.session_id is None:
            raise RuntimeError("sign in through accounts.sessions.open_session")
        return self.session_id

    @property
    def name(self):
        return self.display_name or self.username

    def __repr__(self):
        return f"<User {self.username}>"
