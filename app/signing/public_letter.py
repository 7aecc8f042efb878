"""What the public letter page shows: counts, counts by ward, the names signers chose to show."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all

from app.extensions import db
from app.letters.models import Letter
from app.shared.errors import NotFound
from app.signing.models import PaperSignature, Signature, SignatureStatus


def _public_name_filter(letter_id: int):
    return (
        Signature.letter_id == letter_id,
        Signature.status == SignatureStatus.CONFIRMED.value,
        Signature.public.is_(True),
        Signature.name.is_not(None),
        Signature.hidden_reason.is_(None),  # names with a link, and names the clerk hid, are not listed
    )


def public_names(letter_id: int) -> list[str]:
    """Names of confirmed signers who chose to show their name, oldest first (less the hidden ones)."""
    query = select(Signature.name).where(*_public_name_filter(letter_id))
    return list(db.session.scalars(query.order_by(Signature.confirmed_at, Signature.id)))


def public_name_count(letter_id: int) -> int:
    """How many names the page shows (a count, without loading them)."""
    return db.session.scalar(select(func.count()).where(*_public_name_filter(letter_id))) or 0


def counts_by_ward(letter_id: int) -> dict[str, int]:
    """Confirmed online and paper signatures per ward ("" for signers who gave none)."""
    online = select(Signature.ward.label("ward")).where(
        Signature.letter_id == letter_id, Signature.status == SignatureStatus.CONFIRMED.value
    )
    paper = select(PaperSignature.ward.label("ward")).where(PaperSignature.letter_id == letter_id)
    both = union_all(online, paper).subquery()
    rows = db.session.execute(select(both.c.ward, func.count()).group_by(both.c.ward)).all()
    return {ward or "": count for ward, count in rows}


@dataclass
class _Cached:
    value: int
    at: float


class LiveCounter:
    """The public count, read from the letter's exact counter at most about once a second."""

    def __init__(self, ttl: float = 1.0) -> None:
        self.ttl = ttl
        self._values: dict[int, _Cached] = {}
        self._lock = threading.Lock()

    def get(self, letter: Letter | int) -> int:
        letter_id = letter if isinstance(letter, int) else letter.id
        now = time.monotonic()
        with self._lock:
            cached = self._values.get(letter_id)
            if cached is not None and now - cached.at < self.ttl:
                return cached.value
        value = db.session.scalar(
            select(Letter.online_signature_count + Letter.paper_signature_count).where(Letter.id == letter_id)
        )
        if value is None:
            raise NotFound(_("No such letter."))
        with self._lock:
            self._values[letter_id] = _Cached(value, now)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


live_counter = LiveCounter()
