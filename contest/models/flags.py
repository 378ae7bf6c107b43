"""Integrity flags raised by the anomaly check, for a moderator to decide."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.types import UTCDateTime, utcnow
from contest.texts import shown


class Flag(db.Model):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # new_accounts | single_purpose | burst
    evidence: Mapped[str] = mapped_column(sa.String(500))  # in English
    evidence_message: Mapped[dict | None] = mapped_column(sa.JSON)  # the same, translatable
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped["Entry"] = relationship()  # noqa: F821

    @property
    def display_evidence(self):
        """The evidence in the reader's language (as stored, for rows written before)."""
        return shown(self.evidence_message, self.evidence)
