"""Letters, their tracked revisions and the endorsements of officials."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Official
from app.extensions import db
from app.shared.db_types import UTCDateTime, utcnow


class LetterStatus(enum.StrEnum):
    DRAFTING = "drafting"
    LOCKED = "locked"


class Letter(db.Model):
    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=LetterStatus.DRAFTING.value, index=True)
    # The newest text and its revision number (0 = the text it was created with).
    text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Closed to new signatures (by the clerk); counts stay.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Exact counts, updated in the same transaction as each confirmation or import.
    online_signature_count: Mapped[int] = mapped_column(default=0, server_default="0")
    paper_signature_count: Mapped[int] = mapped_column(default=0, server_default="0")

    creator: Mapped[Official | None] = relationship()

    @property
    def is_locked(self) -> bool:
        return self.status == LetterStatus.LOCKED.value

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def signature_count(self) -> int:
        return self.online_signature_count + self.paper_signature_count


class Revision(db.Model):
    """One accepted edit: the patch from revision n-1 to n, and sometimes a full snapshot."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("letter_id", "number"),
        UniqueConstraint("letter_id", "edit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    base_revision: Mapped[int]
    edit_id: Mapped[str] = mapped_column(String(100))
    patch: Mapped[str] = mapped_column(Text)
    # The full text after this revision, kept every SNAPSHOT_EVERY revisions (and for revision 0).
    snapshot: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Official | None] = relationship()


class Endorsement(db.Model):
    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("letter_id", "official_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    official: Mapped[Official] = relationship()
