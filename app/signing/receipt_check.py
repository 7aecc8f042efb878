"""Checking a receipt code on the server, for residents without JavaScript (the page checks it in
the browser otherwise): is the code's signature in the letter's published log, not withdrawn, and
is the log's hash chain intact?

The log only grows, so each process keeps one `ChainVerifier` per letter and feeds it only the
entries appended since the last check: a check costs a few small queries, not the whole log.
An unknown, withdrawn or malformed code gets the same answer ("not found"), which says nothing
about any other signer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.letters.models import Letter
from app.shared.lru import LRUCache
from app.signing.models import LogEntry
from app.signing.signature_log import ChainVerifier, entry_as_published
from app.signing.signatures import RECEIPT_ALPHABET

CODE_LENGTH = 12
BATCH = 5000
_SEPARATORS = re.compile(r"[\s\-‐-―−]+")


def normalise_receipt_code(raw: object) -> str | None:
    """A typed code as the receipt shows it (ABCD-EFGH-JKMN): spaces, dashes and case forgiven.
    None if it cannot be a receipt code at all."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    compact = _SEPARATORS.sub("", raw).upper()
    if len(compact) != CODE_LENGTH or any(char not in RECEIPT_ALPHABET for char in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@dataclass(frozen=True)
class ReceiptCheck:
    found: bool  # the code's signature is in the log and not withdrawn
    chain_intact: bool
    entries: int
    online: int
    paper: int
    head: str | None


@dataclass
class _Followed:
    """A letter's verifier and the last log sequence number it was fed."""

    verifier: ChainVerifier
    last_seq: int = 0


_followed: LRUCache[_Followed] = LRUCache(capacity=64)
_lock = threading.Lock()


def _up_to_date_verifier(letter: Letter) -> ChainVerifier:
    """The letter's verifier, fed every entry of the log as it is now (the caller holds _lock)."""
    followed = _followed.get(letter.id)
    if followed is None or followed.verifier.content_hash != letter.content_hash:
        followed = _Followed(ChainVerifier(letter.id, letter.content_hash))
    while not followed.verifier.broken:
        batch = db.session.scalars(
            select(LogEntry)
            .where(LogEntry.letter_id == letter.id, LogEntry.seq > followed.last_seq)
            .order_by(LogEntry.seq)
            .limit(BATCH)
        ).all()
        for entry in batch:
            followed.verifier.add(entry_as_published(entry))
            followed.last_seq = entry.seq
        if len(batch) < BATCH:
            break
    _followed.put(letter.id, followed)
    return followed.verifier


def check_receipt(letter: Letter, raw_code: object) -> ReceiptCheck:
    """Check a receipt code against the letter's published log (a locked letter)."""
    code = normalise_receipt_code(raw_code)
    with _lock:
        verifier = _up_to_date_verifier(letter)
        found = code is not None and verifier.has_receipt(code)
        result = verifier.result
        return ReceiptCheck(
            found=found,
            chain_intact=result.ok,
            entries=verifier.position,
            online=result.online,
            paper=result.paper,
            head=verifier.previous,
        )


def clear_cache() -> None:
    _followed.clear()
