"""Signature submissions: stored by the request, mailed or dropped by the background sender.

A request only stores its submission, the same work whether the address is new, has a link
waiting, or has signed already: its answer (status, headers, body and time) tells nothing about
the address. The mail sender's next round (app.mail.delivery, every MAIL_SENDER_INTERVAL seconds;
`flask --app wsgi mail send` runs one too) decides, outside any request:

- the signer has signed this letter already: the submission is dropped, no mail;
- a link went to the same mailbox less than SIGNATURE_RESEND_MINUTES ago: dropped, no mail (nobody
  can flood a mailbox; that link still confirms what it was sent for);
- otherwise: its own confirmation link is mailed, to the address as typed.

Submissions never confirmed are deleted after UNCONFIRMED_SIGNATURE_DAYS (each round purges them).

The request's work is one row in one INSERT, done with the other requests of the moment (group
commit, app.shared.group_commit): the batch's leader checks the letters once, inserts every
submission with one Core statement and commits once; each request is answered after that commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, insert, select

from app.extensions import db
from app.letters.models import Letter
from app.mail.delivery import add_round_task
from app.mail.queue import queue_mail
from app.shared.db_types import utcnow
from app.shared.group_commit import GroupCommit
from app.shared.ids import whole_number
from app.shared.secret_tokens import digest, new_token
from app.shared.sqlite import request_wal_truncation
from app.signing.confirmations import public_url
from app.signing.models import Signature, SignatureStatus, SignatureSubmission
from app.signing.names import name_for_mail
from app.signing.signatures import SignatureInput, email_hmac, refuse_unsignable, unsignable_reason

BATCHES = "undersigned.signature_submissions"


def submit(letter_id: int, data: SignatureInput, locale: str = "en") -> None:
    """Store one submission for the sender to mail (or drop). Never changes another submission.
    Returns once it is committed; 404 for no such letter, 409 while drafting or once closed."""
    row = {
        "letter_id": whole_number(letter_id, "letter_id"),
        "email_hmac": email_hmac(data.email),
        "email": data.email,
        "name": data.name,
        "ward": data.ward,
        "public": data.public,
        "wants_updates": data.wants_updates,
        "locale": locale,
        "confirm_digest": None,
        "created_at": utcnow(),
        "mailed_at": None,
    }
    if not (db.session.new or db.session.dirty or db.session.deleted):
        db.session.rollback()  # give the request's connection back while waiting for the batch
    refuse_unsignable(_batches().submit(row))


def _batches() -> GroupCommit[dict[str, Any], str | None]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    batches = app.extensions.get(BATCHES)
    if batches is None:
        batches = app.extensions.setdefault(BATCHES, GroupCommit(_store_submissions))
    return batches


def _store_submissions(rows: Sequence[dict[str, Any]]) -> list[str | None]:
    """One transaction for a batch: the letters are checked once, the signable rows inserted by
    one statement. The outcome per row is None (stored) or why its letter cannot be signed."""
    letter_ids = {row["letter_id"] for row in rows}
    with db.engine.begin() as connection:
        letters = {
            letter.id: letter
            for letter in connection.execute(
                select(Letter.id, Letter.status, Letter.closed_at).where(Letter.id.in_(letter_ids))
            )
        }
        outcomes = [unsignable_reason(letters.get(row["letter_id"])) for row in rows]
        stored = [row for row, outcome in zip(rows, outcomes, strict=True) if outcome is None]
        if stored:
            connection.execute(insert(SignatureSubmission), stored)
    return outcomes


def mail_waiting(limit: int = 50) -> int:
    """Mail a link for each new submission, or drop it (see above); returns how many were dropped.
    A round reads its letters, the signers already signed and the links mailed recently with one
    query each, whatever the number of submissions."""
    now = utcnow()
    mailed_since = now - timedelta(minutes=current_app.config["SIGNATURE_RESEND_MINUTES"])
    waiting = db.session.scalars(
        select(SignatureSubmission)
        .where(SignatureSubmission.mailed_at.is_(None))
        .order_by(SignatureSubmission.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not waiting:
        db.session.commit()
        return 0
    letters = {
        letter.id: letter
        for letter in db.session.scalars(select(Letter).where(Letter.id.in_({s.letter_id for s in waiting})))
    }
    signed, recently_mailed = _signed_and_recently_mailed(waiting, mailed_since)
    dropped = 0
    for submission in waiting:
        letter, signer = letters.get(submission.letter_id), (submission.letter_id, submission.email_hmac)
        if letter is None or unsignable_reason(letter) or signer in signed or signer in recently_mailed:
            db.session.delete(submission)
            dropped += 1
            continue
        recently_mailed.add(signer)  # the next submission of the same mailbox is dropped
        token = new_token()
        submission.confirm_digest, submission.mailed_at = digest(token), now
        queue_mail(
            submission.email,
            "signature_confirm",
            submission.locale,
            letter=letter,
            name=name_for_mail(submission.name),
            link=public_url(f"/signatures/confirm/{token}"),
        )
    db.session.commit()
    if dropped:
        request_wal_truncation()
    return dropped


def _signed_and_recently_mailed(
    waiting: Sequence[SignatureSubmission], mailed_since: datetime
) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """Of the signers of `waiting`: those signed already, and those mailed a link since `mailed_since`."""
    keys = {s.email_hmac for s in waiting}
    signed = db.session.execute(
        select(Signature.letter_id, Signature.email_hmac).where(
            Signature.email_hmac.in_(keys), Signature.status == SignatureStatus.CONFIRMED.value
        )
    )
    mailed = db.session.execute(
        select(SignatureSubmission.letter_id, SignatureSubmission.email_hmac).where(
            SignatureSubmission.email_hmac.in_(keys), SignatureSubmission.mailed_at >= mailed_since
        )
    )
    return {tuple(row) for row in signed}, {tuple(row) for row in mailed}


def purge_unconfirmed() -> int:
    """Delete submissions older than UNCONFIRMED_SIGNATURE_DAYS (their links stop working)."""
    cutoff = utcnow() - timedelta(days=current_app.config["UNCONFIRMED_SIGNATURE_DAYS"])
    purged = db.session.execute(
        delete(SignatureSubmission)
        .where(SignatureSubmission.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if purged:
        request_wal_truncation()
    return purged


def register_round_tasks(app: Flask) -> None:
    """Have the mail sender mail (or drop) new submissions and purge old ones at every round."""
    add_round_task(app, mail_waiting)
    add_round_task(app, purge_unconfirmed)
