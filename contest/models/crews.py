"""Crews: fans' teams (Joga's communities), one crew per fan at a time."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow

MEMBER_STATUSES = ("member", "pending")


class Crew(db.Model):
    __tablename__ = "crews"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # lower-cased name: two crews cannot share a name, whatever its case
    name_key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    home: Mapped[str] = mapped_column(sa.String(80), default="")  # a city, club or country
    open: Mapped[bool] = mapped_column(default=True)
    badge_key: Mapped[str | None] = mapped_column(sa.String(300))
    captain_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    captain: Mapped["User"] = relationship()  # noqa: F821


class CrewMember(db.Model):
    __tablename__ = "crew_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    crew_id: Mapped[int] = mapped_column(sa.ForeignKey("crews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("status in ('member', 'pending')", name="status"),
        sa.UniqueConstraint("crew_id", "user_id", name="uq_crew_members_crew_user"),
        # one crew at a time: joining another leaves the first (pending requests may wait)
        sa.Index(
            "uq_crew_members_one_crew",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'member'"),
            postgresql_where=sa.text("status = 'member'"),
        ),
    )


class CrewResult(db.Model):
    """A crew's place in a closed round, frozen with the round's results."""

    __tablename__ = "crew_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    crew_id: Mapped[int] = mapped_column(sa.ForeignKey("crews.id"))
    rank: Mapped[int]
    score: Mapped[float]
    counted: Mapped[list] = mapped_column(sa.JSON)  # the entry ids that made the score

    crew: Mapped[Crew] = relationship()
