"""Group commit of drafting edits: the edits that arrive for a letter while one batch is being
stored wait together and are stored as the next batch, in one transaction (see
app/letters/revision_batches.py). A letter then costs one database transaction per batch, not
one per edit, and edits waiting their turn hold no database connection.

The first edit to arrive for an idle letter stores the batch itself (its request "leads");
when its batch is stored it hands the lead to the oldest edit still waiting, so that no request
works for others longer than its own batch.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from app.accounts.credentials import Credential
from app.letters.events import StoredRevision
from app.letters.revision_batches import PendingEdit, store_batch
from app.letters.revisions import valid_edit
from app.shared.errors import ServiceError
from app.shared.ids import whole_number

MAX_BATCH = 500  # edits stored in one transaction at most
WAIT_SECONDS = 30  # an edit never waits longer than this for its batch


class NotStored(ServiceError):
    """The edit could not be stored now (nothing was changed); the client sends it again."""

    code = "server_error"
    status = 503


@dataclass
class _LetterQueue:
    waiting: list[PendingEdit] = field(default_factory=list)
    leading: bool = False


_queues: dict[int, _LetterQueue] = {}
_guard = threading.Lock()
_last_start: dict[int, float] = {}  # letter -> when its last batch started (monotonic)


def submit_edit(
    credential: Credential, letter_id: object, edit_id: object, base_revision: object, patch: object
) -> StoredRevision:
    """Store a drafter's edit (checked with `credential`) in its letter's next batch and answer
    the revision it made (or, for an `edit_id` already stored, the revision it first made).

    Raises the edit's own ServiceError (bad input, conflict, locked letter, credential ended...);
    nothing is stored for a refused edit.
    """
    letter_id = whole_number(letter_id, "letter_id")
    edit_id, base_revision, patch = valid_edit(edit_id, base_revision, patch)
    edit = PendingEdit(credential, edit_id, base_revision, patch)
    with _guard:
        queue = _queues.setdefault(letter_id, _LetterQueue())
        queue.waiting.append(edit)
        edit.lead = not queue.leading
        queue.leading = True
    if not edit.lead:
        while not edit.done.wait(WAIT_SECONDS):
            with _guard:
                if edit in queue.waiting:  # never taken into a batch: give up on it
                    queue.waiting.remove(edit)
                    raise NotStored(_("The server is too busy to store this edit now; send it again."))
    if edit.outcome is None:  # this request leads the next batch
        _lead(letter_id, queue)
    outcome = edit.outcome
    if isinstance(outcome, Exception):
        raise outcome
    assert outcome is not None
    return outcome


def _space_out(letter_id: int) -> None:
    """Start a letter's batches at least DRAFT_COMMIT_INTERVAL_MS apart: a busy letter's edits
    then gather into fewer, larger batches (one transaction and one broadcast each), while an
    edit to a letter that was quiet for that long is stored at once. Yields in any case, so
    that edits that have already arrived join this batch."""
    interval = current_app.config.get("DRAFT_COMMIT_INTERVAL_MS", 20) / 1000
    now = time.monotonic()
    wait = _last_start.get(letter_id, 0.0) + interval - now
    time.sleep(wait if wait > 0 else 0)
    _last_start[letter_id] = time.monotonic()
    if len(_last_start) > 4096:  # letters drafted long ago
        for old in [key for key, at in _last_start.items() if at < now - 60]:
            del _last_start[old]


def _lead(letter_id: int, queue: _LetterQueue) -> None:
    """Store every edit waiting once the letter is held as one batch, then hand the lead on."""

    def take() -> list[PendingEdit]:
        with _guard:
            taken = queue.waiting[:MAX_BATCH]
            del queue.waiting[:MAX_BATCH]
        return taken

    _space_out(letter_id)
    batch: list[PendingEdit] = []
    try:
        batch = store_batch(letter_id, take)
    finally:
        for edit in batch:
            edit.settle(NotStored(_("The server failed; nothing was changed. Try again.")))
            edit.done.set()
        with _guard:
            if queue.waiting:
                queue.waiting[0].done.set()  # it finds no outcome, so it leads
            else:
                queue.leading = False
                if _queues.get(letter_id) is queue:
                    del _queues[letter_id]
