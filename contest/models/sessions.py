"""Sessions the server knows: one row per sign-in, gone when the session ends."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    # a random 256-bit token: the id Flask-Login keeps in the session and remember cookies
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
