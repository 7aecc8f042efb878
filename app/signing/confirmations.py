"""Confirming signatures in batches: the confirmations of the moment share one transaction.

Each request waits for the batch that carries its token (app.shared.group_commit) and is answered
after that batch's commit. A batch, holding its letters (app.letters.write_lock):

1. finds each token's submission (or the signature it became: confirmed, or withdrawn since);
2. keeps one submission per signer and letter (the first; the same link used again in the batch
   answers "confirmed already", the signer's other links are retired by it and answer 404, as
   they would a moment later);
3. inserts the signatures first, under the unique constraint on (letter, signer key): one
   INSERT ... ON CONFLICT DO UPDATE ... WHERE status <> 'confirmed' (the signers it recorded are
   those whose row now carries this batch's link), so that a signer
   who withdrew can sign again, and a signer confirmed already (by this batch's predecessors, or
   another process) is neither changed nor counted, with no read before the write;
4. deletes every pending submission of those signers, appends the log entries, adds to the
   letters' counts and queues each receipt mail (rendered later by the mail sender), all with
   Core statements, one per kind and letter;
5. commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Connection, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.letters.models import Letter
from app.letters.translations import locked_hashes
from app.letters.write_lock import letters_write_lock
from app.mail.models import OutgoingMail
from app.mail.queue import deferred_mail
from app.shared.db_types import utcnow
from app.shared.group_commit import GroupCommit
from app.shared.secret_tokens import digest, new_token
from app.shared.sqlite import request_wal_truncation
from app.signing import public_state, signature_log
from app.signing.models import HiddenReason, Signature, SignatureStatus, SignatureSubmission
from app.signing.names import has_link, name_for_mail

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I
BATCHES = "undersigned.signature_confirmations"
# What a re-signing (after a withdrawal) replaces; the clerk's hiding of a name stays.
RESIGNED_COLUMNS = (
    "email",
    "name",
    "ward",
    "public",
    "wants_updates",
    "locale",
    "status",
    "confirm_digest",
    "withdraw_digest",
    "receipt_commitment",
    "version_hashes",
    "confirmed_at",
)


def new_receipt_code() -> str:
    """12 characters from RECEIPT_ALPHABET, uniformly (32 characters: a random byte modulo 32)."""
    raw = "".join(RECEIPT_ALPHABET[byte % 32] for byte in secrets.token_bytes(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def public_url(path: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


@dataclass(frozen=True)
class Confirmation:
    letter_id: int
    receipt_code: str | None  # None when the signer's signature had been confirmed before
    withdraw_token: str | None


# A batch's outcome for one token: the confirmation, or why there is none ("unknown", "withdrawn").
Outcome = Confirmation | str


def confirm_in_batch(token: str) -> Outcome:
    """Confirm the submission behind `token` together with the other confirmations of the moment."""
    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.rollback()  # nothing to write here: give the connection back while waiting
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    batches = app.extensions.get(BATCHES) or app.extensions.setdefault(BATCHES, GroupCommit(_confirm_batch))
    return batches.submit(token)


def _confirm_batch(tokens: Sequence[str]) -> list[Outcome]:
    digests = [digest(token) for token in tokens]
    with db.engine.connect() as connection:
        letter_ids = set(
            connection.scalars(
                select(SignatureSubmission.letter_id).where(SignatureSubmission.confirm_digest.in_(set(digests)))
            )
        )
        if connection.dialect.name == "sqlite":
            connection.rollback()  # a fresh snapshot once the letters are held (no round trip there)
        with letters_write_lock(connection, letter_ids) as letters:
            outcomes, recorded = _record_batch(connection, tokens, digests, letters)
    if recorded:
        request_wal_truncation()  # the signers' submissions (and addresses) were deleted
        for letter_id in recorded:
            public_state.changed(letter_id)
    return outcomes


@dataclass
class _Winner:
    index: int
    token: str
    submission: Any  # a signature_submissions row
    receipt_code: str
    withdraw_token: str


def _record_batch(
    connection: Connection, tokens: Sequence[str], digests: list[str], letters: dict[int, Any]
) -> tuple[list[Outcome], set[int]]:
    """Steps 1-4 above, in the caller's transaction; returns the outcomes and the letters changed."""
    submissions = {
        row.confirm_digest: row
        for row in connection.execute(
            select(SignatureSubmission.__table__).where(SignatureSubmission.confirm_digest.in_(set(digests)))
        )
    }
    signatures = _signatures_by_digest(connection, set(digests) - submissions.keys())
    outcomes: list[Outcome] = []
    winners: dict[tuple[int, str], _Winner] = {}
    for index, (token, key) in enumerate(zip(tokens, digests, strict=True)):
        submission = submissions.get(key)
        if submission is None or submission.letter_id not in letters:
            signature = signatures.get(key)
            outcomes.append(
                "unknown"
                if signature is None
                else "withdrawn"
                if signature.status == SignatureStatus.WITHDRAWN.value
                else Confirmation(signature.letter_id, None, None)
            )
            continue
        signer = (submission.letter_id, submission.email_hmac)
        winner = winners.get(signer)
        if winner is None:
            winners[signer] = _Winner(index, token, submission, new_receipt_code(), new_token())
        # The winner's answer is set below. Its link used again answers "confirmed already"; the
        # signer's other links are retired by it, as if they came just after it ("unknown").
        outcomes.append(
            Confirmation(submission.letter_id, None, None) if winner is None or winner.token == token else "unknown"
        )
    if not winners:
        return outcomes, set()
    now = utcnow()
    hashes = locked_hashes(connection, letters)
    recorded = _insert_signatures(
        connection, [_signature_row(w, now, hashes[w.submission.letter_id]) for w in winners.values()]
    )
    changed: set[int] = set()
    for letter_id in {signer[0] for signer in winners}:
        signers = [hmac for (lid, hmac) in winners if lid == letter_id]
        connection.execute(
            delete(SignatureSubmission).where(
                SignatureSubmission.letter_id == letter_id, SignatureSubmission.email_hmac.in_(signers)
            )
        )
        new = sorted(
            (w for (lid, _h), w in winners.items() if (lid, _h) in recorded and lid == letter_id), key=lambda w: w.index
        )
        if not new:
            continue
        letter = letters[letter_id]
        signature_log.append_many(
            connection,
            letter_id,
            letter.content_hash,
            "signature",
            [signature_log.receipt_commitment(letter_id, w.receipt_code) for w in new],
            versions=hashes[letter_id],
        )
        connection.execute(
            update(Letter)
            .where(Letter.id == letter_id)
            .values(online_signature_count=Letter.online_signature_count + len(new))
        )
        connection.execute(insert(OutgoingMail), [_receipt_mail(letter, w) for w in new])
        for w in new:
            outcomes[w.index] = Confirmation(letter_id, w.receipt_code, w.withdraw_token)
        changed.add(letter_id)
    return outcomes, changed


def _signatures_by_digest(connection: Connection, digests: set[str]) -> dict[str, Any]:
    if not digests:
        return {}
    rows = connection.execute(
        select(Signature.confirm_digest, Signature.letter_id, Signature.status).where(
            Signature.confirm_digest.in_(digests)
        )
    )
    return {row.confirm_digest: row for row in rows}


def _signature_row(winner: _Winner, now, version_hashes: dict[str, str]) -> dict[str, Any]:
    s = winner.submission
    return {
        "letter_id": s.letter_id,
        "email_hmac": s.email_hmac,
        "email": s.email if s.wants_updates else None,
        "name": s.name,
        "ward": s.ward,
        "public": s.public,
        "hidden_reason": HiddenReason.LINK.value if s.public and has_link(s.name) else None,
        "wants_updates": s.wants_updates,
        "locale": s.locale,
        "status": SignatureStatus.CONFIRMED.value,
        "confirm_digest": digest(winner.token),
        "withdraw_digest": digest(winner.withdraw_token),
        "receipt_commitment": signature_log.receipt_commitment(s.letter_id, winner.receipt_code),
        "version_hashes": version_hashes,
        "created_at": now,
        "confirmed_at": now,
    }


def _insert_signatures(connection: Connection, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """Insert first, under the unique constraint: returns the signers recorded now (new, or signing
    again after a withdrawal); a signer confirmed already is left as it is. One statement, compiled
    once per dialect and sent for all rows at once (the driver's executemany; on PostgreSQL one
    pipeline), then one read of the rows that now carry this batch's links."""
    statement = _UPSERTS.get(connection.dialect.name)
    if statement is None:
        statement = _UPSERTS.setdefault(connection.dialect.name, _upsert(connection.dialect.name))
    connection.execute(statement, rows)
    recorded = connection.execute(
        select(Signature.letter_id, Signature.email_hmac).where(
            Signature.confirm_digest.in_([row["confirm_digest"] for row in rows])
        )
    )
    return {(row.letter_id, row.email_hmac) for row in recorded}


def _upsert(dialect: str):
    table = Signature.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    excluded = statement.excluded
    kept_hidden = case(
        (table.c.hidden_reason == HiddenReason.CLERK.value, table.c.hidden_reason), else_=excluded.hidden_reason
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.letter_id, table.c.email_hmac],
        set_={**{column: excluded[column] for column in RESIGNED_COLUMNS}, "hidden_reason": kept_hidden},
        where=table.c.status != SignatureStatus.CONFIRMED.value,
    )


_UPSERTS: dict[str, Any] = {}


def _receipt_mail(letter: Any, winner: _Winner) -> dict[str, Any]:
    s = winner.submission
    context = {
        "letter": {"id": letter.id, "title": letter.title, "content_hash": letter.content_hash},
        "name": name_for_mail(s.name),
        "receipt_code": winner.receipt_code,
        "withdraw_link": public_url(f"/signatures/withdraw/{winner.withdraw_token}"),
        "letter_link": public_url(f"/letters/{letter.id}"),
    }
    return deferred_mail(s.email, "signature_receipt", s.locale, context)
