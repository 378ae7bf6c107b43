"""Video entries, their uploads and the ratings they receive."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow
from contest.texts import shown, stored

ENTRY_STATUSES = (
    "uploading",
    "processing",
    "pending_review",
    "live",
    "rejected",
    "hidden",
    "disqualified",
)


NO_VIDEO_STATUSES = ("uploading", "rejected")  # no stored file: it can be sent again


class Entry(db.Model):
    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="uploading", index=True)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")  # in English
    status_message: Mapped[dict | None] = mapped_column(sa.JSON)  # the same, translatable
    video_key: Mapped[str] = mapped_column(sa.String(300))
    poster_key: Mapped[str | None] = mapped_column(sa.String(300))
    playback_key: Mapped[str | None] = mapped_column(sa.String(300))  # H.264 rendition, if made
    # the 540p rendition for slow networks and Data saver (entries/transcode.SMALL)
    small_key: Mapped[str | None] = mapped_column(sa.String(300))
    original_filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content_type: Mapped[str] = mapped_column(sa.String(100), default="")
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    duration: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    codec: Mapped[str | None] = mapped_column(sa.String(40))
    # an answer to another fan's skill (same round): linked both ways on the entry pages
    answers_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    staff_pick: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    finalist: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The live aggregate of the entry's current stage: main vote, or finals once shortlisted.
    rating_count: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    # ratings stamped per clock hour, for the anomaly check (see rounds.rating_hours)
    rating_hour: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating_hour_count: Mapped[int] = mapped_column(default=0, server_default="0")
    busiest_hour_ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processing_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    live_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped["Round"] = relationship()  # noqa: F821
    author: Mapped["User"] = relationship()  # noqa: F821

    @property
    def has_video(self):
        """True once a complete file is stored: it can be played (or is being processed)."""
        return self.status not in NO_VIDEO_STATUSES

    @property
    def stored_keys(self):
        """Every object stored for this entry's video: the upload, poster and renditions."""
        keys = (self.video_key, self.poster_key, self.playback_key, self.small_key)
        return [k for k in dict.fromkeys(keys) if k]

    def set_status(self, status, reason=""):
        """Move to status with the reason the uploader (and moderators) will read."""
        self.status = status
        self.status_reason, self.status_message = stored(reason)

    @property
    def reason(self):
        """The status reason in the reader's language."""
        return shown(self.status_message, self.status_reason)

    __table_args__ = (
        sa.CheckConstraint(
            "status in (" + ", ".join(f"'{s}'" for s in ENTRY_STATUSES) + ")", name="status"
        ),
        # the leaderboard, the round grid and the tally: a round's live entries
        sa.Index("ix_entries_round_status", "round_id", "status"),
    )

    @property
    def average(self):
        return self.rating_sum / self.rating_count if self.rating_count else 0.0

    def __repr__(self):
        return f"<Entry {self.id} {self.status}>"


class Upload(db.Model):
    """A resumable, multi-part upload of one entry's video file."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(sa.String(43), primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(300))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    part_size: Mapped[int]
    part_count: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(100), default="")
    storage_upload_id: Mapped[str | None] = mapped_column(sa.String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[Entry] = relationship()


class Rating(db.Model):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"))
    stars: Mapped[int]
    stage: Mapped[str] = mapped_column(sa.String(10), default="main", server_default="main")
    # False while the fan's account is younger than MIN_ACCOUNT_AGE_HOURS: shown apart, and
    # left out of the live aggregate, the histogram and the result until it is old enough
    counted: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "entry_id", "stage", name="uq_ratings_user_entry_stage"),
        # histogram, recount and tally read an entry's ratings of one stage from the index alone
        sa.Index("ix_ratings_entry_stage_stars", "entry_id", "stage", "stars"),
        sa.CheckConstraint("stars between 1 and 5", name="stars"),
        sa.Index(
            "ix_ratings_pending_user",
            "user_id",
            sqlite_where=sa.text("counted = 0"),
            postgresql_where=sa.text("NOT counted"),
        ),
    )
