"""Storing a batch of drafting edits in one transaction (the group commit's write).

Under the letter's write lock (its revision number and status read, not its text), every edit
waiting for the letter is merged in turn into the newest text kept in memory
(app/letters/live_text.py), each on its own (one refused edit changes nothing and does not
stop the others); the new revisions are inserted together, the letter's text is written once,
and all are committed at once. Only then is each edit answered, and the batch leaves as one
`text_changed` event while the letter is still held, so batches leave in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update

from app.accounts import credentials
from app.accounts.authorization import Action, require_role
from app.accounts.credentials import Credential
from app.extensions import db
from app.letters import live_text
from app.letters.events import RevisionBatch, StoredRevision, text_changed
from app.letters.live_text import LiveText
from app.letters.models import Letter, Revision
from app.letters.revision_texts import cache as text_cache
from app.letters.revision_texts import view_at
from app.letters.revisions import SyncRefused, stored_revision
from app.letters.write_lock import LetterHead, letter_head_lock
from app.shared.db_types import utcnow
from app.shared.errors import InvalidInput, LetterLocked, NotFound, ServiceError, Unauthorized
from app.sync import Operation, SyncError, apply_patch_to_view, merge_into_view

# The batch's statements, built once (each is compiled once; only parameters change).
_revisions = Revision.__table__
_letters = Letter.__table__
_INSERT_REVISIONS = insert(_revisions)
_UPDATE_LETTER = (
    update(_letters)
    .where(_letters.c.id == bindparam("b_id"))
    .values(text=bindparam("b_text"), revision=bindparam("b_revision"), updated_at=bindparam("b_updated_at"))
)
_PATCHES_BETWEEN = (
    select(_revisions.c.number, _revisions.c.patch)
    .where(
        _revisions.c.letter_id == bindparam("letter_id"),
        _revisions.c.number > bindparam("after"),
        _revisions.c.number <= bindparam("upto"),
    )
    .order_by(_revisions.c.number)
)
_STORED_EDIT_IDS = select(_revisions.c.edit_id).where(
    _revisions.c.letter_id == bindparam("letter_id"), _revisions.c.edit_id.in_(bindparam("edit_ids", expanding=True))
)


@dataclass(eq=False)
class PendingEdit:
    """One drafter's edit waiting for its letter's next batch, and then its outcome."""

    credential: Credential
    edit_id: str
    base_revision: int
    patch: str
    outcome: StoredRevision | Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to store the next batch rather than with an outcome

    def settle(self, outcome: StoredRevision | Exception) -> None:
        if self.outcome is None:
            self.outcome = outcome


def store_batch(letter_id: int, take: Callable[[], list[PendingEdit]]) -> list[PendingEdit]:
    """Hold the letter, `take` the edits waiting for it (every one that arrived meanwhile),
    store what can be stored of them and settle every one (a revision or an error)."""
    edits: list[PendingEdit] | None = None
    try:
        with letter_head_lock(letter_id) as head:
            edits = take()
            _store_held(head, edits, _authors(edits))
    except Exception as error:
        live_text.forget(letter_id)
        db.session.rollback()
        if edits is None:
            edits = take()
        for edit in edits:
            edit.settle(error)
    return edits


def _store_held(head: LetterHead, edits: list[PendingEdit], authors: dict[Credential, dict[str, Any]]) -> None:
    live = live_text.current(head.id, head.revision) or _caught_up(head) or _load_live(head)
    _settle_duplicates(head.id, edits)
    rows: list[dict] = []
    stored: list[StoredRevision] = []
    first_of: dict[str, PendingEdit] = {}
    every = current_app.config["SNAPSHOT_EVERY"]
    for edit in edits:
        if edit.outcome is not None:
            continue
        if edit.edit_id in first_of:  # the same edit twice in one batch: answered with the first
            continue
        first_of[edit.edit_id] = edit
        if head.is_locked:
            edit.settle(LetterLocked(_("This letter is locked; its text can no longer change.")))
            continue
        try:
            view, operation, patch = _merge(head, live, edit)
        except ServiceError as error:
            edit.settle(error)
            continue
        author = authors[edit.credential]
        number = live.advance(view, operation)
        rows.append(
            {
                "letter_id": head.id,
                "number": number,
                "author_id": author["id"],
                "base_revision": edit.base_revision,
                "edit_id": edit.edit_id,
                "patch": patch,
                "snapshot": live.text if number % every == 0 else None,
                "created_at": utcnow(),
            }
        )
        stored.append(StoredRevision(head.id, number, patch, edit.edit_id, author))
    if rows:
        text = live.text
        connection = db.session.connection()  # Core statements: no ORM bookkeeping per row
        connection.execute(_INSERT_REVISIONS, rows)
        connection.execute(
            _UPDATE_LETTER, {"b_id": head.id, "b_text": text, "b_revision": live.revision, "b_updated_at": utcnow()}
        )
        db.session.commit()
        text_cache.put((head.id, live.revision), text)
        text_changed.send(RevisionBatch(head.id, tuple(stored)))
    by_edit_id = {s.edit_id: s for s in stored}
    for edit in edits:
        if edit.outcome is None:
            first = first_of[edit.edit_id]
            if first is edit:
                edit.settle(by_edit_id[edit.edit_id])
            else:
                edit.settle(first.outcome if isinstance(first.outcome, Exception) else _as_duplicate(first.outcome))


def _as_duplicate(stored: StoredRevision | None) -> StoredRevision | Exception:
    if stored is None:
        return NotFound(_("No such letter."))
    return StoredRevision(stored.letter_id, stored.revision, stored.patch, stored.edit_id, stored.author, True)


def _authors(edits: list[PendingEdit]) -> dict[Credential, dict[str, Any]]:
    """The authors ({id, name}) whose credentials still hold and who may draft; the edits of
    the others are refused. Plain values: they outlive the session's objects."""
    holding = credentials.officials_holding(edit.credential for edit in edits)
    authors = {}
    for edit in edits:
        holder = holding.get(edit.credential)
        try:
            if holder is None:
                raise Unauthorized(_("This connection is not signed in."))
            require_role(holder.role, Action.EDIT_DRAFT)
        except ServiceError as error:
            edit.settle(error)
            continue
        authors[edit.credential] = {"id": holder.id, "name": holder.name}
    return authors


def _caught_up(head: LetterHead) -> LiveText | None:
    """The kept text brought up to the database's revision with the patches another process
    stored since (one query for a few rows, not the whole text), or None to reload."""
    live = live_text.behind(head.id, head.revision)
    if live is None:
        return None
    parameters = {"letter_id": head.id, "after": live.revision, "upto": head.revision}
    rows = db.session.connection().execute(_PATCHES_BETWEEN, parameters).all()
    if [number for number, _patch in rows] != list(range(live.revision + 1, head.revision + 1)):
        return None
    try:
        for _number, patch in rows:
            live.advance(*apply_patch_to_view(live.view, patch))
    except SyncError:
        live_text.forget(head.id)
        return None
    return live


def _load_live(head: LetterHead) -> LiveText:
    text = db.session.scalar(select(Letter.text).where(Letter.id == head.id))
    return live_text.start(head.id, head.revision, text or "")


def _settle_duplicates(letter_id: int, edits: list[PendingEdit]) -> None:
    """An edit_id already stored answers the revision it first made (idempotency): one query."""
    wanted = {e.edit_id for e in edits if e.outcome is None}
    if not wanted:
        return
    parameters = {"letter_id": letter_id, "edit_ids": sorted(wanted)}
    if db.session.connection().execute(_STORED_EDIT_IDS, parameters).first() is None:
        return  # the usual case: none of them stored before
    found = {
        row.edit_id: row
        for row in db.session.scalars(
            select(Revision).where(Revision.letter_id == letter_id, Revision.edit_id.in_(wanted))
        )
    }
    for edit in edits:
        row = found.get(edit.edit_id)
        if edit.outcome is None and row is not None:
            edit.settle(stored_revision(row, duplicate=True))


def _merge(head: LetterHead, live: LiveText, edit: PendingEdit) -> tuple[str, Operation, str]:
    """The new newest view, its operation and its patch, or a ServiceError."""
    base = edit.base_revision
    if base > live.revision:
        raise InvalidInput(
            _(
                "base_revision %(base)s is newer than the letter (revision %(newest)s).",
                base=base,
                newest=live.revision,
            )
        )
    base_view, later = _history_since(head, live, base)
    try:
        merged = merge_into_view(base_view, edit.patch, later, live.view)
    except SyncError as error:
        raise SyncRefused(error) from error
    if any(isinstance(op, str) and "\x00" in op for op in merged.operation):
        raise InvalidInput(_("A letter's text may not contain NUL characters."))
    return merged.view, merged.operation, merged.patch


def _history_since(head: LetterHead, live: LiveText, base: int) -> tuple[str, list[Operation]]:
    """The view of revision `base` and the operations after it, from memory where kept and
    from the stored patches otherwise."""
    kept = live.view_of(base)
    later = live.operations_after(base)
    if kept is not None and later is not None:
        return kept, later
    letter = db.session.get(Letter, head.id)
    if letter is None:
        raise NotFound(_("No such letter."))
    view = view_at(letter, base)
    base_view = view
    operations: list[Operation] = []
    for (patch,) in db.session.execute(
        select(Revision.patch)
        .where(Revision.letter_id == head.id, Revision.number > base, Revision.number <= head.revision)
        .order_by(Revision.number)
    ):
        view, operation = apply_patch_to_view(view, patch)
        operations.append(operation)
    operations.extend(live.operations_after(head.revision) or [])
    return base_view, operations
