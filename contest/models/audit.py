"""The moderators' audit log."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow


class ModerationAction(db.Model):
    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    moderator: Mapped["User"] = relationship()  # noqa: F821


class InsightSnapshot(db.Model):
    """A stored answer of one insights query (moderation/insight_snapshots.py): a closed
    round's is kept for good, the others are recomputed once they are older than
    INSIGHTS_MAX_AGE."""

    __tablename__ = "insight_snapshots"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    round_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 0: all
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(sa.JSON)
