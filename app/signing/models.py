"""Residents' signatures and their pending submissions, paper batches and the signature log."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.shared.db_types import UTCDateTime, utcnow


class SignatureStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class HiddenReason(enum.StrEnum):
    """Why a name its signer chose to show is not listed (the signature still counts)."""

    LINK = "link"  # the name contains a link or an address-like string
    CLERK = "clerk"  # the clerk hid it


class Signature(db.Model):
    """A confirmed (or withdrawn) signature: one per letter and signer. The address is kept only if
    the signer asks for updates; de-duplication uses a keyed hash of the canonical address (the
    signer key). No IP address is ever stored."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("letter_id", "email_hmac"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    email_hmac: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(60))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(12))
    wants_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(12), default=SignatureStatus.CONFIRMED.value, index=True)
    confirm_digest: Mapped[str] = mapped_column(String(64), unique=True)
    withdraw_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    receipt_commitment: Mapped[str | None] = mapped_column(String(64))
    # The SHA-256 of every locked version the signer put their name to when confirming:
    # {"original": ..., "es": ...} (app.letters.translations.version_hashes).
    version_hashes: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignatureSubmission(db.Model):
    """One submission of the signing form or API, waiting for the owner of the mailbox to confirm it.

    Each submission is its own row with its own link: a later submission of the same address never
    changes this one. The address is kept (to mail the link) until the submission is confirmed,
    dropped by the sender (already signed, or mailed too recently) or purged after
    UNCONFIRMED_SIGNATURE_DAYS."""

    __tablename__ = "signature_submissions"
    __table_args__ = (Index("ix_signature_submissions_letter_id_email_hmac", "letter_id", "email_hmac"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    email_hmac: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(60))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    confirm_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class PaperBatch(db.Model):
    """Paper signatures gathered in person and imported by the clerk (counted apart and in the total)."""

    __tablename__ = "paper_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperSignature(db.Model):
    __tablename__ = "paper_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id", ondelete="CASCADE"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    ward: Mapped[str | None] = mapped_column(String(60))
    signed_on: Mapped[date | None] = mapped_column(Date)


class LogEntry(db.Model):
    """One entry of a letter's append-only signature log, chained by hash (no personal data)."""

    __tablename__ = "signature_log"
    __table_args__ = (UniqueConstraint("letter_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    commitment: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=1)
    recorded_on: Mapped[str] = mapped_column(String(10))
    prev_hash: Mapped[str] = mapped_column(String(64))
    # A signature's version hashes ({"original": ..., "es": ...}), hashed with the entry; None on
    # entries made before they were logged (their hash covers the other fields only).
    versions: Mapped[dict | None] = mapped_column(JSON)
    entry_hash: Mapped[str] = mapped_column(String(64))


class LetterResponse(db.Model):
    """What came of a letter: the addressee's response or the council's action, as the clerk records
    it. A draft until the clerk sends it; then published on the letter's page, mailed once to the
    signers who asked for updates (in batches, by the mail sender's rounds) and never changed."""

    __tablename__ = "letter_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    # The mailing: signatures are mailed in id order; the last one mailed, and how many were.
    mailed_through: Mapped[int] = mapped_column(Integer, default=0)
    mailed_count: Mapped[int] = mapped_column(Integer, default=0)
    mailing_done: Mapped[bool] = mapped_column(Boolean, default=False)
