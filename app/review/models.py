"""Review of a letter's revisions: checkpoints, review requests, comments, suggestions, approvals,
and the cached authorship (blame) of some revisions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Official
from app.extensions import db
from app.shared.db_types import UTCDateTime, utcnow


class Checkpoint(db.Model):
    """A named revision ("Draft sent to the mayor's office"). One name per revision."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("letter_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[Official | None] = relationship()


class ReviewRequest(db.Model):
    """A clerk or drafter asked the mayor's office to review a checkpoint."""

    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checkpoint: Mapped[Checkpoint] = relationship()
    requested_by: Mapped[Official | None] = relationship()


class Comment(db.Model):
    """A comment on a range of a revision's text, or (with a parent) a reply in its thread.

    `start`/`end` are code-point offsets into the text of `revision` (the anchor as made). The
    anchor is carried to later revisions through their patches; the newest place it was carried
    to is cached in `tracked_*` (`outdated` once all of its text has been deleted).
    """

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_letter_id_parent_id", "letter_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # A comment on a translation (app.review.translation_comments): `revision`, `start`, `end`
    # and `tracked_*` then count that translation's saved versions and text. None: the original.
    translation_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_translations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    revision: Mapped[int | None]
    start: Mapped[int | None]
    end: Mapped[int | None]
    quote: Mapped[str | None] = mapped_column(Text)
    tracked_revision: Mapped[int | None]
    tracked_start: Mapped[int | None]
    tracked_end: Mapped[int | None]
    outdated: Mapped[bool] = mapped_column(default=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Official | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[Official | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Suggestion(db.Model):
    """A proposed change (a patch on `base_revision`) with a note; a drafter accepts or rejects it."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_letter_id_status", "letter_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    base_revision: Mapped[int]
    patch: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SuggestionStatus.OPEN.value)
    # The revision an accepted suggestion made.
    revision: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the last attempt to accept it failed (a conflict), shown until it is refreshed.
    problem: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[Official | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[Official | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == SuggestionStatus.OPEN.value


class Approval(db.Model):
    """A reviewer approved a revision (once per reviewer and revision)."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("letter_id", "revision", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[Official | None] = relationship()

    def __str__(self) -> str:
        from flask_babel import gettext

        from app.web.dates import when

        return gettext(
            "Revision %(n)s, approved by %(name)s on %(date)s",
            n=self.revision,
            name=self.reviewer.name if self.reviewer is not None else "—",
            date=when(self.created_at),
        )


class LockRecord(db.Model):
    """How the clerk locked a letter: the revision locked, the approved revision whose text it is
    (none: locked without a reviewer's approval) and, then, the clerk's written reason."""

    __tablename__ = "lock_records"

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    revision: Mapped[int]
    approved_revision: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def approved(self) -> bool:
        return self.approved_revision is not None


class BlameSnapshot(db.Model):
    """The authorship of one revision's text, kept every few revisions so that blame is carried
    forward from the nearest one instead of replaying the history.

    `runs` is a flat list [length, revision, length, revision, ...]: lengths in UTF-16 code units
    of the revision's text, each credited to the revision that wrote it.
    """

    __tablename__ = "blame_snapshots"

    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    runs: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
