"""The append-only signature log of a letter: entries chained by SHA-256 to each other and to the
letter's content hash. Entries carry commitments (hashes of receipt codes), never personal data.
A signature's entry also carries `versions`, the SHA-256 of every locked version of the letter
the signer put their name to ({"original": ..., "es": ...}), covered by the entry's hash; entries
made before versions were logged have none, and their hash covers the other fields as before.

`verify_log` is pure: anyone can check a downloaded log with `flask --app wsgi verify-log FILE`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from app.extensions import db
from app.letters.models import Letter
from app.shared.db_types import utcnow
from app.signing.models import LogEntry

KINDS = ("signature", "withdrawal", "paper_batch")
HASHED_FIELDS = ("letter_id", "seq", "kind", "commitment", "count", "recorded_on", "prev_hash")
# Hashed with the others when the entry has it (not null).
OPTIONAL_HASHED_FIELDS = ("versions",)


def receipt_commitment(letter_id: int, receipt_code: str) -> str:
    """What the log shows for a receipt code: SHA-256 of "letter_id:CODE" (the code in capitals)."""
    return hashlib.sha256(f"{letter_id}:{receipt_code.strip().upper()}".encode()).hexdigest()


def hashed_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields an entry's hash covers: HASHED_FIELDS, and each optional one it has."""
    fields = {key: entry[key] for key in HASHED_FIELDS}
    fields.update({key: entry[key] for key in OPTIONAL_HASHED_FIELDS if entry.get(key) is not None})
    return fields


def entry_hash(entry: dict[str, Any]) -> str:
    canonical = json.dumps(hashed_fields(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    letter: Letter, kind: str, commitment: str, count: int = 1, versions: dict[str, str] | None = None
) -> LogEntry:
    """Append an entry (the caller holds the letter's write lock and commits); a signature's
    entry with the hashes of the versions it was made on."""
    last = db.session.scalar(
        select(LogEntry).where(LogEntry.letter_id == letter.id).order_by(LogEntry.seq.desc()).limit(1)
    )
    values = {
        "letter_id": letter.id,
        "seq": (last.seq + 1) if last else 1,
        "kind": kind,
        "commitment": commitment,
        "count": count,
        "recorded_on": utcnow().date().isoformat(),
        "prev_hash": last.entry_hash if last else letter.content_hash,
        "versions": versions,
    }
    entry = LogEntry(**values, entry_hash=entry_hash(values))
    db.session.add(entry)
    return entry


def append_many(
    connection: Connection,
    letter_id: int,
    content_hash: str,
    kind: str,
    commitments: list[str],
    versions: dict[str, str] | None = None,
) -> None:
    """Append one entry per commitment, in order, with one read and one insert (Core, in the
    caller's transaction; the caller holds the letter's write lock); each with `versions`."""
    last = connection.execute(
        select(LogEntry.seq, LogEntry.entry_hash)
        .where(LogEntry.letter_id == letter_id)
        .order_by(LogEntry.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.entry_hash) if last else (0, content_hash)
    today, rows = utcnow().date().isoformat(), []
    for commitment in commitments:
        seq += 1
        values = {
            "letter_id": letter_id,
            "seq": seq,
            "kind": kind,
            "commitment": commitment,
            "count": 1,
            "recorded_on": today,
            "prev_hash": prev_hash,
            "versions": versions,
        }
        prev_hash = entry_hash(values)
        rows.append({**values, "entry_hash": prev_hash})
    if rows:
        connection.execute(insert(LogEntry), rows)


@dataclass(frozen=True)
class PublishedLog:
    """A letter's log as it is published (the API's SignatureLogSchema writes it as JSON, each
    entry's fields as HASHED_FIELDS name them plus its `hash`); `verify_log` checks that JSON."""

    letter_id: int
    content_hash: str | None
    entries: list[LogEntry]

    @property
    def head(self) -> str | None:
        """The last entry's hash: the content hash while the log is empty."""
        return self.entries[-1].entry_hash if self.entries else self.content_hash


def published_log(letter: Letter) -> PublishedLog:
    entries = db.session.scalars(select(LogEntry).where(LogEntry.letter_id == letter.id).order_by(LogEntry.seq))
    return PublishedLog(letter.id, letter.content_hash, list(entries))


@dataclass
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    online: int = 0
    paper: int = 0
    receipt_found: bool | None = None

    @property
    def total(self) -> int:
        return self.online + self.paper


class ChainVerifier:
    """Checks a log entry by entry, as it grows: the chain, the hashes and the order, the counts,
    and which receipt commitments are active (signed and not withdrawn). `verify_log` feeds it a
    whole downloaded log; the receipt check page keeps one per letter and feeds it new entries."""

    def __init__(self, letter_id: Any, content_hash: Any) -> None:
        self.letter_id, self.content_hash = letter_id, content_hash
        self.result = Verification(ok=True)
        self.previous = content_hash
        self.position = 0
        self.active: dict[str, int] = {}
        self.broken = False  # an entry without its fields: nothing after it can be checked

    def problem(self, message: str) -> None:
        self.result.ok = False
        self.result.problems.append(message)

    def add(self, entry: Any) -> None:
        if self.broken:
            return
        self.position += 1
        position, result = self.position, self.result
        if not isinstance(entry, dict) or any(key not in entry for key in (*HASHED_FIELDS, "hash")):
            self.problem(f"entry {position}: missing fields")
            self.broken = True
            return
        if entry["letter_id"] != self.letter_id:
            self.problem(f"entry {position}: belongs to another letter")
        if entry["seq"] != position:
            self.problem(f"entry {position}: sequence number {entry['seq']} is out of order (removed or reordered)")
        if entry["prev_hash"] != self.previous:
            self.problem(f"entry {position}: does not follow the entry before it")
        if entry_hash(entry) != entry["hash"]:
            self.problem(f"entry {position}: its content does not match its hash (altered)")
        if entry["kind"] not in KINDS:
            self.problem(f"entry {position}: unknown kind {entry['kind']!r}")
        self.previous = entry["hash"]
        active = self.active
        if entry["kind"] == "signature":
            active[entry["commitment"]] = active.get(entry["commitment"], 0) + 1
            result.online += 1
        elif entry["kind"] == "withdrawal":
            if active.get(entry["commitment"], 0) < 1:
                self.problem(f"entry {position}: withdraws a signature that is not in the log")
            else:
                active[entry["commitment"]] -= 1
                result.online -= 1
        elif entry["kind"] == "paper_batch":
            result.paper += int(entry["count"])

    def has_receipt(self, receipt_code: str) -> bool:
        """True if the code's commitment is signed and not withdrawn in the entries seen so far."""
        return self.active.get(receipt_commitment(self.letter_id, receipt_code), 0) > 0


def entry_as_published(entry: LogEntry) -> dict[str, Any]:
    """An entry as the published log writes it: its hashed fields and its `hash`."""
    fields = {key: getattr(entry, key) for key in (*HASHED_FIELDS, *OPTIONAL_HASHED_FIELDS)}
    return {**hashed_fields(fields), "hash": entry.entry_hash}


def verify_log(log: dict[str, Any], receipt_code: str | None = None) -> Verification:
    """Check the chain, the hashes and the order; count signatures; optionally find a receipt."""
    try:
        letter_id, content_hash, entries = log["letter_id"], log["content_hash"], log["entries"]
    except (KeyError, TypeError):
        return Verification(
            ok=False, problems=["not a signature log: letter_id, content_hash and entries are required"]
        )
    if not isinstance(entries, list):
        return Verification(ok=False, problems=["entries must be a list"])
    verifier = ChainVerifier(letter_id, content_hash)
    for entry in entries:
        verifier.add(entry)
        if verifier.broken:
            return verifier.result
    result = verifier.result
    if "head" in log and log["head"] != verifier.previous:
        verifier.problem("the log's head does not match its last entry (entries removed at the end?)")
    if receipt_code is not None:
        result.receipt_found = verifier.has_receipt(receipt_code)
    return result
