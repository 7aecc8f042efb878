"""Locking a letter: its final text and SHA-256 are fixed for good."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.events import LockResult, letter_locked
from app.letters.models import Letter, LetterStatus
from app.letters.write_lock import letter_write_lock
from app.review.approvals import ApprovalStatus, approval_status, approvals_for
from app.review.history import diff_revisions
from app.shared.db_types import utcnow
from app.shared.errors import Conflict


def content_hash(text: str) -> str:
    """Lowercase hex SHA-256 of the text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock_letter(actor: Official | None, letter_id: int) -> LockResult:
    """The clerk locks the newest revision. Atomic against edits: they hold the same lock.
    `letter_locked` is sent once committed."""
    require(actor, Action.LOCK_LETTER)
    with letter_write_lock(letter_id) as letter:
        if letter.is_locked:
            raise Conflict(_("This letter is already locked."))
        approvals = [
            {"revision": a.revision, "reviewer_id": a.reviewer_id, "at": a.created_at.isoformat()}
            for a in approvals_for(letter)
        ]
        letter.status = LetterStatus.LOCKED.value
        letter.content_hash = content_hash(letter.text)
        letter.locked_at = utcnow()
        audit.record(
            actor,
            "letter.locked",
            f"letter:{letter.id}",
            revision=letter.revision,
            content_hash=letter.content_hash,
            approvals=approvals,
        )
        db.session.commit()
        result = LockResult(letter.id, letter.revision, letter.content_hash)
        letter_locked.send(result)
        return result


@dataclass(frozen=True)
class LockOverview:
    """What the clerk sees before locking: the newest revision, the approvals, and what changed
    since the last approved revision."""

    revision: int
    status: ApprovalStatus
    diffs_since_approved: list[tuple[int, str]]


def lock_overview(letter: Letter) -> LockOverview:
    status = approval_status(letter)
    diffs: list[tuple[int, str]] = []
    if status.approved and status.newest_differs:
        diffs = diff_revisions(letter, status.approved_revision, letter.revision)
    return LockOverview(letter.revision, status, diffs)
