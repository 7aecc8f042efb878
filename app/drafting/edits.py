"""Real-time drafting use-cases: join, edit, fetch. Edits go through the group commit
(app/letters/group_commit.py), which stores the edits waiting for a letter in one transaction
and answers each once it is durable; the broadcast leaves after that commit."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts import credentials
from app.accounts.authorization import Action, require
from app.accounts.credentials import Credential
from app.accounts.models import Official
from app.extensions import db
from app.letters import group_commit
from app.letters.events import StoredRevision
from app.letters.loading import Need, load_letter
from app.letters.models import Letter, Revision
from app.letters.revisions import stored_revision
from app.shared.ids import whole_number


def join(actor: Official | None, letter_id: object) -> Letter:
    return load_letter(letter_id, viewer=actor, need=Need.DRAFT)


def submit_edit(
    actor: Official | Credential | None,
    letter_id: object,
    edit_id: object,
    base_revision: object,
    patch: object,
) -> StoredRevision:
    """Merge a drafter's patch into the newest text and store it as the next revision.

    `actor` is the official, or the credential a drafting connection was opened with (checked,
    with the drafter's right to edit, in the batch's transaction). Whole or nothing.
    Re-sending an `edit_id` answers the revision it first made.
    """
    if not isinstance(actor, Credential):
        actor = credentials.for_session(require(actor, Action.EDIT_DRAFT))
    return group_commit.submit_edit(actor, letter_id, edit_id, base_revision, patch)


def fetch(actor: Official | None, letter_id: object, since: object) -> list[StoredRevision]:
    """Every revision after `since`, in order."""
    require(actor, Action.READ_DRAFT)
    letter = load_letter(letter_id, need=Need.EXISTS)
    since = whole_number(since, "since")
    rows = db.session.scalars(
        select(Revision).where(Revision.letter_id == letter.id, Revision.number > since).order_by(Revision.number)
    )
    return [stored_revision(row) for row in rows]
