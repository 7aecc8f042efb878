"""Locking a letter: its final text and SHA-256 are fixed for good.

The clerk locks the revision they saw: given one that is no longer the newest, nothing is locked
(409 `stale`). Each lock records whether a reviewer approved its exact text; the lock page asks
for a written reason when none did, and the public page and delivery packet say so."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.events import LockResult, letter_locked
from app.letters.models import Letter, LetterStatus
from app.letters.revision_texts import text_at
from app.letters.translation_models import LetterTranslation, TranslationStatus
from app.letters.translations import translations_for
from app.letters.write_lock import letter_write_lock
from app.review.approvals import ApprovalStatus, approval_status, approvals_for
from app.review.history import diff_revisions, require_revision
from app.review.models import LockRecord
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput
from app.shared.ids import whole_number

MAX_REASON_LENGTH = 2000


class StaleRevision(Conflict):
    """The letter has moved past the revision the clerk saw: nothing was locked."""

    code = "stale"


class TranslationNotApproved(Conflict):
    """A translation's newest version is not approved, and the clerk did not choose to lock
    without it: nothing was locked."""

    code = "translation_not_approved"


class ReasonRequired(InvalidInput):
    """No reviewer approved the text, and no reason was given (the lock page requires one)."""

    code = "reason_required"


def content_hash(text: str) -> str:
    """Lowercase hex SHA-256 of the text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_reason(value: object) -> str | None:
    """The clerk's reason for locking without approval: trimmed text of at most
    MAX_REASON_LENGTH characters, several lines allowed; None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be a string.", field="reason"), details={"field": "reason"})
    value = value.strip().replace("\r\n", "\n")
    if len(value) > MAX_REASON_LENGTH:
        raise InvalidInput(
            ngettext(
                "%(field)s may have at most %(num)d character.",
                "%(field)s may have at most %(num)d characters.",
                MAX_REASON_LENGTH,
                field="reason",
            ),
            details={"field": "reason"},
        )
    if "\x00" in value or not _storable(value):
        raise InvalidInput(_("%(field)s is not in the expected form.", field="reason"), details={"field": "reason"})
    return value or None


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def approved_revision_for(letter: Letter, revision: int | None = None) -> int | None:
    """The approved revision whose text is exactly the text of `revision` (default: the newest):
    that revision itself when approved, else the newest approved one with the same text."""
    number = letter.revision if revision is None else revision
    approved = sorted({a.revision for a in approvals_for(letter)}, reverse=True)
    if number in approved:
        return number
    text = letter.text if number == letter.revision else text_at(letter, number)
    return next((r for r in approved if text_at(letter, r) == text), None)


def lock_letter(
    actor: Official | None,
    letter_id: int,
    revision: object = None,
    *,
    reason: object = None,
    require_approval_or_reason: bool = False,
    leave_out_unapproved_translations: bool = True,
) -> LockResult:
    """The clerk locks the newest revision; given `revision`, only if it is still the newest
    (else StaleRevision, nothing locked). Atomic against edits: they hold the same lock. Without
    a reviewer's approval of the text the lock is recorded as unapproved, with `reason` if given;
    `require_approval_or_reason` (the lock page) refuses it without a reason. `letter_locked` is
    sent once committed.

    Every translation whose newest version a reviewer approved is locked with it, with its own
    SHA-256; an unapproved one is left out (recorded; it may be published after the lock, once
    approved: app.review.late_translations), or, without
    `leave_out_unapproved_translations`, refuses the lock (TranslationNotApproved)."""
    require(actor, Action.LOCK_LETTER)
    expected = None if revision is None else whole_number(revision, "revision")
    note = clean_reason(reason)
    with letter_write_lock(letter_id) as letter:
        if letter.is_locked:
            raise Conflict(_("This letter is already locked."))
        if expected is not None and require_revision(letter, expected) != letter.revision:
            raise StaleRevision(
                _(
                    "The letter has changed since revision %(n)s: its newest is revision %(newest)s. "
                    "Nothing was locked.",
                    n=expected,
                    newest=letter.revision,
                ),
                details={"revision": expected, "newest": letter.revision},
            )
        approved = approved_revision_for(letter)
        if approved is None and note is None and require_approval_or_reason:
            raise ReasonRequired(
                _("No reviewer has approved this text: give the reason for locking it anyway."),
                details={"field": "reason"},
            )
        translations = translations_for(letter.id)
        unapproved = [t.language for t in translations if not t.approved]
        if unapproved and not leave_out_unapproved_translations:
            raise TranslationNotApproved(
                _(
                    "No reviewer has approved the newest version of these translations: %(languages)s. "
                    "Have them approved, or lock without them. Nothing was locked.",
                    languages=", ".join(unapproved),
                ),
                details={"languages": unapproved},
            )
        approvals = [
            {"revision": a.revision, "reviewer_id": a.reviewer_id, "at": a.created_at.isoformat()}
            for a in approvals_for(letter)
        ]
        letter.status = LetterStatus.LOCKED.value
        letter.content_hash = content_hash(letter.text)
        letter.locked_at = utcnow()
        locked = _lock_translations(translations, letter.locked_at)
        db.session.add(
            LockRecord(letter_id=letter.id, revision=letter.revision, approved_revision=approved, reason=note)
        )
        audit.record(
            actor,
            "letter.locked",
            f"letter:{letter.id}",
            revision=letter.revision,
            content_hash=letter.content_hash,
            approvals=approvals,
            approved_revision=approved,
            reason=note,
            translations=dict(locked),
            translations_left_out=unapproved,
        )
        db.session.commit()
        result = LockResult(letter.id, letter.revision, letter.content_hash, tuple(locked), tuple(unapproved))
        letter_locked.send(result)
        return result


def lock_translation(translation: LetterTranslation, when: datetime) -> str:
    """Fix an approved translation with its SHA-256 (as the original's); returns the hash."""
    translation.status = TranslationStatus.LOCKED.value
    translation.content_hash = content_hash(translation.text)
    translation.locked_at = when
    return translation.content_hash


def _lock_translations(translations: list[LetterTranslation], when: datetime) -> list[tuple[str, str]]:
    """Fix each approved translation with its SHA-256; leave out the others."""
    locked = []
    for translation in translations:
        if translation.approved:
            locked.append((translation.language, lock_translation(translation, when)))
        else:
            translation.status = TranslationStatus.LEFT_OUT.value
    return locked


def lock_record(letter_id: int) -> LockRecord | None:
    """How the letter was locked (None while drafting)."""
    return db.session.scalar(select(LockRecord).where(LockRecord.letter_id == letter_id))


@dataclass(frozen=True)
class LockOverview:
    """What the clerk sees before locking: the newest revision, the approvals, the approved revision
    whose text it is (None: unapproved), and what changed since the last approved revision."""

    revision: int
    status: ApprovalStatus
    approved_revision: int | None
    diffs_since_approved: list[tuple[int, str]]

    @property
    def approved(self) -> bool:
        return self.approved_revision is not None


def lock_overview(letter: Letter) -> LockOverview:
    status = approval_status(letter)
    diffs: list[tuple[int, str]] = []
    if status.approved and status.newest_differs:
        diffs = diff_revisions(letter, status.approved_revision, letter.revision)
    return LockOverview(letter.revision, status, approved_revision_for(letter), diffs)
