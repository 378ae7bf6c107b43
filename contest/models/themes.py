"""Theme proposals: fans propose and vote next month's theme; moderators select one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow

THEME_STATUSES = ("proposed", "selected", "hidden")


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7), index=True)  # the round's month, YYYY-MM
    proposer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    brief: Mapped[str] = mapped_column(sa.String(500), default="")
    example_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id"))
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"))  # once selected
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed")
    votes: Mapped[int] = mapped_column(default=0)  # kept equal to its vote rows
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposer: Mapped["User"] = relationship()  # noqa: F821
    example: Mapped["Entry | None"] = relationship()  # noqa: F821
    round: Mapped["Round | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "status in (" + ", ".join(f"'{s}'" for s in THEME_STATUSES) + ")", name="status"
        ),
        sa.CheckConstraint("votes >= 0", name="votes"),
    )


class ThemeVote(db.Model):
    __tablename__ = "theme_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("theme_id", "user_id", name="uq_theme_votes_voter"),)


class ProposalWindow(db.Model):
    """A proposal window a moderator opened for a month (else the default one applies)."""

    __tablename__ = "proposal_windows"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
