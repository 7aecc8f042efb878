"""Translations of a letter (Spanish first): each saved version kept, approved by a reviewer, and
locked together with the original, each with its own SHA-256. The original stays authoritative."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Official
from app.extensions import db
from app.shared.db_types import UTCDateTime, utcnow


class TranslationStatus(enum.StrEnum):
    DRAFTING = "drafting"
    LOCKED = "locked"  # locked with the original (or published after it): its text and hash are fixed
    # Not approved when the clerk locked the letter: not published. It may still be finished,
    # approved and then published by the clerk (app.review.late_translations), with its own hash.
    LEFT_OUT = "left_out"


class LetterTranslation(db.Model):
    """The newest version of one language's translation, and how it was reviewed and locked."""

    __tablename__ = "letter_translations"
    __table_args__ = (UniqueConstraint("letter_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # 1 for the first saved version, one more for each save.
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default=TranslationStatus.DRAFTING.value)
    approved_revision: Mapped[int | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lowercase hex SHA-256 of the UTF-8 text once locked (as the original's).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # When it was locked: with the letter, or later when the clerk published it after the lock.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    approved_by: Mapped[Official | None] = relationship()

    @property
    def approved(self) -> bool:
        """A reviewer approved its newest version."""
        return self.approved_revision == self.revision

    @property
    def is_locked(self) -> bool:
        return self.status == TranslationStatus.LOCKED.value


class TranslationRevision(db.Model):
    """One saved version of a translation, kept so that reviewers can see what changed."""

    __tablename__ = "translation_revisions"
    __table_args__ = (UniqueConstraint("translation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("letter_translations.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Official | None] = relationship()
