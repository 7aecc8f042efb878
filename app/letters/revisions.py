"""The revision store: the one way a letter's text changes. A patch is merged into the newest
text and stored as the next revision, whole or not at all; `text_changed` then leaves while the
letter is still held. Accepted suggestions and restores come through `store_edit`; real-time
edits come in batches through the group commit (app/letters/group_commit.py), which uses the
same checks (`valid_edit`) and answers (`stored_revision`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Official
from app.extensions import db
from app.letters import live_text
from app.letters.events import RevisionBatch, StoredRevision, text_changed
from app.letters.loading import Need, load_letter
from app.letters.models import Letter, Revision
from app.letters.revision_texts import cache as text_cache
from app.letters.revision_texts import patches_after, text_at
from app.letters.write_lock import letter_write_lock
from app.shared.errors import InvalidInput, LetterLocked, ServiceError, TooLarge
from app.shared.ids import whole_number
from app.sync import MAX_PATCH_BYTES, SyncError, merge_edit

MAX_EDIT_ID_LENGTH = 100


class SyncRefused(ServiceError):
    """The sync engine refused an edit (bad_patch, too_large or conflict)."""

    def __init__(self, error: SyncError) -> None:
        super().__init__(str(error.message if hasattr(error, "message") else error))
        self.code = error.code
        self.status = 413 if error.code == "too_large" else 409 if error.code == "conflict" else 400


def author_json(official: Official | None) -> dict[str, Any]:
    if official is None:
        return {"id": None, "name": "—"}
    return {"id": official.id, "name": official.name}


def refuse_nul(text: str) -> None:
    """A letter's text may not hold NUL characters (no database keeps them in text)."""
    if "\x00" in text:
        raise InvalidInput(_("A letter's text may not contain NUL characters."))


def valid_edit(edit_id: object, base_revision: object, patch: object) -> tuple[str, int, str]:
    if not isinstance(edit_id, str) or not 1 <= len(edit_id) <= MAX_EDIT_ID_LENGTH:
        raise InvalidInput(
            ngettext(
                "edit_id must be a string of 1 to %(num)d character.",
                "edit_id must be a string of 1 to %(num)d characters.",
                MAX_EDIT_ID_LENGTH,
            )
        )
    base_revision = whole_number(base_revision, "base_revision")
    if not isinstance(patch, str):
        raise InvalidInput(_("patch must be diff-match-patch patch text."))
    if len(patch.encode("utf-8", "surrogatepass")) > MAX_PATCH_BYTES:
        raise TooLarge(_("An edit may be at most %(n)s KiB.", n=MAX_PATCH_BYTES // 1024))
    return edit_id, base_revision, patch


def _existing(letter_id: int, edit_id: str) -> Revision | None:
    return db.session.scalar(select(Revision).where(Revision.letter_id == letter_id, Revision.edit_id == edit_id))


def stored_revision(revision: Revision, duplicate: bool = False) -> StoredRevision:
    return StoredRevision(
        letter_id=revision.letter_id,
        revision=revision.number,
        patch=revision.patch,
        edit_id=revision.edit_id,
        author=author_json(revision.author),
        duplicate=duplicate,
    )


def store_edit(
    author: Official,
    letter_id: object,
    edit_id: object,
    base_revision: object,
    patch: object,
    *,
    before_store: Callable[[Letter], None] | None = None,
) -> StoredRevision:
    """Merge a patch into the newest text and store it as the next revision, credited to `author`.

    No authorisation check: callers (submit_edit, accepting a suggestion, restoring a revision)
    check first. `before_store` runs inside the letter's lock once the merge has succeeded, just
    before the revision is added (it may change more rows, committed with the revision, or raise
    to store nothing). Once committed, `text_changed` is sent while the letter is still held,
    so revisions leave in order.
    """
    letter = load_letter(letter_id, need=Need.EXISTS)
    edit_id, base_revision, patch = valid_edit(edit_id, base_revision, patch)
    with letter_write_lock(letter.id) as letter:
        existing = _existing(letter.id, edit_id)
        if existing is not None:
            return stored_revision(existing, duplicate=True)
        if letter.is_locked:
            raise LetterLocked(_("This letter is locked; its text can no longer change."))
        if base_revision > letter.revision:
            raise InvalidInput(
                _(
                    "base_revision %(base)s is newer than the letter (revision %(newest)s).",
                    base=base_revision,
                    newest=letter.revision,
                )
            )
        base_text = text_at(letter, base_revision)
        try:
            # Rebase over the stored patches, exactly as clients do with the broadcast ones.
            result = merge_edit(base_text, patch, later_patches=patches_after(letter, base_revision))
        except SyncError as error:
            raise SyncRefused(error) from error
        refuse_nul(result.text)
        if before_store is not None:
            before_store(letter)
        number = letter.revision + 1
        every = current_app.config["SNAPSHOT_EVERY"]
        revision = Revision(
            letter_id=letter.id,
            number=number,
            author_id=author.id,
            base_revision=base_revision,
            edit_id=edit_id,
            patch=result.patch,
            snapshot=result.text if number % every == 0 else None,
        )
        db.session.add(revision)
        letter.text = result.text
        letter.revision = number
        try:
            db.session.commit()
        except IntegrityError:  # the same edit_id stored by a concurrent request
            db.session.rollback()
            existing = _existing(letter.id, edit_id)
            if existing is None:
                raise
            return stored_revision(existing, duplicate=True)
        live_text.forget(letter.id)  # the next drafting batch reads the new text
        text_cache.put((letter.id, number), result.text)
        stored = StoredRevision(letter.id, number, result.patch, edit_id, author_json(author))
        text_changed.send(RevisionBatch(letter.id, (stored,)))
        return stored
