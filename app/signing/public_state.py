"""What a letter's public page shows, as a short version string kept in each process.

The version covers everything that changes on a locked letter's page: the count (online and
paper, and the signature log's length, which every confirmation, withdrawal and paper batch
extends), the translations published (one may be published after the lock), the endorsements,
the names listed (their number and the sum of their ids, so that hiding one and listing another
changes it), the responses published and whether the letter is closed. It is read with one
query, at most once per `ttl` second per letter and process; a change made in this process
(`changed`) drops it at once. A change made by another process shows within `ttl`, as the live
count always did. The page's ETag and its cached render are keyed by it (app.signing.public_pages),
so a revalidation is answered without the database.

Whoever changes what the page shows calls `changed(letter_id)`; the lock and a translation
published after it (app.letters.events's `letter_locked`, `translation_published`) do it through
`subscribe()`, which `app/features.py` calls.
"""

from __future__ import annotations

import hashlib
import threading
import time

from sqlalchemy import func, select

from app.extensions import db
from app.letters.events import letter_locked, translation_published
from app.letters.models import Endorsement, Letter, LetterStatus
from app.letters.translation_models import LetterTranslation, TranslationStatus
from app.signing.models import LetterResponse, LogEntry, Signature, SignatureStatus

TTL_SECONDS = 1.0


def _read(letter_id: int) -> str | None:
    """The version from the database; None unless the letter exists and is locked."""
    names = (
        Signature.letter_id == letter_id,
        Signature.status == SignatureStatus.CONFIRMED.value,
        Signature.public.is_(True),
        Signature.name.is_not(None),
        Signature.hidden_reason.is_(None),
    )
    published = (LetterResponse.letter_id == letter_id, LetterResponse.sent_at.is_not(None))
    translations = (
        LetterTranslation.letter_id == letter_id,
        LetterTranslation.status == TranslationStatus.LOCKED.value,
    )
    row = db.session.execute(
        select(
            Letter.status,
            Letter.content_hash,
            Letter.closed_at,
            Letter.online_signature_count,
            Letter.paper_signature_count,
            select(func.count()).where(Endorsement.letter_id == letter_id).scalar_subquery(),
            select(func.count()).where(*names).scalar_subquery(),
            select(func.coalesce(func.sum(Signature.id), 0)).where(*names).scalar_subquery(),
            select(func.coalesce(func.max(LogEntry.seq), 0)).where(LogEntry.letter_id == letter_id).scalar_subquery(),
            select(func.coalesce(func.max(LetterResponse.id), 0)).where(*published).scalar_subquery(),
            select(func.count()).where(*published).scalar_subquery(),
            select(func.count()).where(*translations).scalar_subquery(),
        ).where(Letter.id == letter_id)
    ).first()
    if row is None or row[0] != LetterStatus.LOCKED.value:
        return None
    return hashlib.sha256("|".join(str(part) for part in row).encode()).hexdigest()[:24]


class PublicState:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._versions: dict[int, tuple[str | None, float]] = {}
        self._reading: set[int] = set()
        self._lock = threading.Lock()

    def get(self, letter_id: int) -> str | None:
        """The letter's public version (None: no such locked letter), from memory when fresh. When
        it is due for a read, one caller reads it while the others keep the version they had."""
        now = time.monotonic()
        with self._lock:
            cached = self._versions.get(letter_id)
            if cached is not None and now - cached[1] < self.ttl:
                return cached[0]
            if cached is not None and letter_id in self._reading:
                return cached[0]
            self._reading.add(letter_id)
        try:
            version = _read(letter_id)
        finally:
            with self._lock:
                self._reading.discard(letter_id)
        with self._lock:
            self._versions[letter_id] = (version, now)
        return version

    def changed(self, letter_id: int) -> None:
        """What the letter's page shows changed (in this process): read it again next time."""
        with self._lock:
            self._versions.pop(letter_id, None)

    def clear(self) -> None:
        with self._lock:
            self._versions.clear()


_versions = PublicState()
get, changed, clear = _versions.get, _versions.changed, _versions.clear


def _on_change(sender: object, **_: object) -> None:
    changed(sender.letter_id)  # type: ignore[attr-defined]


def subscribe() -> None:
    """A letter locked in this process is public at once, and so is a translation published after
    the lock (blinker keeps one subscription each)."""
    letter_locked.connect(_on_change)
    translation_published.connect(_on_change)
