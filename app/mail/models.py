"""Mail waiting to be sent by the background sender. A row is deleted once sent.

A row is queued either rendered (subject and bodies filled in by `queue_mail`) or to be rendered by
the sender (`template`, `locale` and a JSON `context`, by `deferred_mail`: the subject and bodies
stay empty until then), so that a request on a hot path renders nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.shared.db_types import UTCDateTime, utcnow


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    failed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    template: Mapped[str | None] = mapped_column(String(60))
    locale: Mapped[str | None] = mapped_column(String(8))
    context: Mapped[str | None] = mapped_column(Text)
    # Extra headers as a JSON object, e.g. List-Unsubscribe (RFC 8058) on the response-update emails.
    headers: Mapped[str | None] = mapped_column(Text)
