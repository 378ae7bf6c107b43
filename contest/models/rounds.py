"""Monthly rounds and their frozen results."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow


class Round(db.Model):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    brief: Mapped[str] = mapped_column(sa.Text, default="")
    submissions_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submissions_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Optional finals: moderators shortlist after the main vote, then fans vote again.
    finals_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finals_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalists_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    excluded_ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    prize: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    cover_key: Mapped[str | None] = mapped_column(sa.String(300))
    blind_hours: Mapped[int] = mapped_column(default=0, server_default="0")  # "blind finish"
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # a sponsored challenge: shown on the round page, the cards and the results
    sponsor_name: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    sponsor_url: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    sponsor_logo_key: Mapped[str | None] = mapped_column(sa.String(300))
    sponsor_pick: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # when fans were reminded (Web Push) that voting closes within 24 hours
    closing_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # the fans' theme the organiser selected for this round (credited on its pages)
    theme: Mapped["Theme | None"] = relationship(  # noqa: F821
        primaryjoin="and_(Theme.round_id == Round.id, Theme.status == 'selected')",
        uselist=False,
        viewonly=True,
    )

    results: Mapped[list["Result"]] = relationship(
        back_populates="round", order_by="Result.rank", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Round {self.slug}>"


MEDALS = {1: "gold", 2: "silver", 3: "bronze"}


class Result(db.Model):
    """One entry's frozen place in a closed round."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"))
    rank: Mapped[int]
    score: Mapped[float]
    average: Mapped[float]
    count: Mapped[int]
    stage: Mapped[str] = mapped_column(sa.String(10), default="main", server_default="main")

    round: Mapped[Round] = relationship(back_populates="results")
    entry: Mapped["Entry"] = relationship()  # noqa: F821

    @property
    def medal(self):
        """gold, silver or bronze for a podium place won with counted ratings, else None."""
        return MEDALS.get(self.rank) if self.count > 0 else None

    __table_args__ = (sa.UniqueConstraint("round_id", "entry_id", name="uq_results_round_entry"),)
