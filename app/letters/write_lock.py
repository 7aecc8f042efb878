"""Holding a letter for writing: every change to a letter's text or status takes this lock.

Serialisation: a lock on the letter's row (SELECT ... FOR UPDATE) on PostgreSQL, which holds
across server processes; plus an in-process lock per letter, which is all SQLite needs (one
process) and keeps one process's greenlets from queueing on the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import Connection, Row, bindparam, select

from app.extensions import db
from app.letters.models import Letter, LetterStatus
from app.shared.errors import NotFound

T = TypeVar("T")

_letter_locks: dict[int, threading.Lock] = {}
_letter_locks_guard = threading.Lock()


def _process_lock(letter_id: int) -> threading.Lock:
    with _letter_locks_guard:
        return _letter_locks.setdefault(letter_id, threading.Lock())


@contextmanager
def _holding(letter_id: int, read: Callable[[], T | None]) -> Iterator[T]:
    """Take the letter's in-process lock, then `read` its row under the database's row lock;
    NotFound if there is none. The transaction ends with the block (rolled back if not committed).

    A caller with nothing to write yet gives its database connection back to the pool before
    queueing for the letter, so that writers waiting their turn never exhaust the pool.
    """
    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.rollback()
    with _process_lock(letter_id):
        held = read()
        if held is None:
            db.session.rollback()
            raise NotFound(_("No such letter."))
        try:
            yield held
        finally:
            db.session.rollback()  # no-op after a commit; releases the row lock on failure


@contextmanager
def letter_write_lock(letter_id: int) -> Iterator[Letter]:
    """Hold the letter for writing (in this process and in the database) until the block ends."""
    with _holding(
        letter_id,
        lambda: db.session.scalar(
            select(Letter)
            .where(Letter.id == letter_id)
            .with_for_update()
            .execution_options(populate_existing=True)  # the row as it is now, not as first loaded
        ),
    ) as letter:
        yield letter


@dataclass(frozen=True)
class LetterHead:
    """What a writer needs to know of a held letter without reading its text."""

    id: int
    revision: int
    status: str

    @property
    def is_locked(self) -> bool:
        return self.status == LetterStatus.LOCKED.value


_letters = Letter.__table__
_HEAD = select(_letters.c.revision, _letters.c.status).where(_letters.c.id == bindparam("letter_id")).with_for_update()


@contextmanager
def letter_head_lock(letter_id: int) -> Iterator[LetterHead]:
    """Hold the letter for writing, like `letter_write_lock`, reading only its revision number
    and status (not its text): for the drafting path, which keeps the text in memory."""

    def read() -> LetterHead | None:
        row = db.session.connection().execute(_HEAD, {"letter_id": letter_id}).first()
        return None if row is None else LetterHead(letter_id, row[0], row[1])

    with _holding(letter_id, read) as head:
        yield head


@contextmanager
def letters_write_lock(connection: Connection, letter_ids: Iterable[int]) -> Iterator[dict[int, Row]]:
    """Hold several letters for writing in one Core transaction on `connection` (the one open, if
    any), committed when the block ends (rolled back on an exception): the in-process locks and
    the rows, in id order, as `letter_write_lock` takes them. Yields the letters that exist, by id
    (id, title, status, content_hash, closed_at). For batches of writes (app.shared.group_commit).
    A caller that read in the open transaction has no row locks yet, so waiting here is safe."""
    ids = sorted(set(letter_ids))
    with ExitStack() as held:
        for letter_id in ids:
            held.enter_context(_process_lock(letter_id))
        try:
            rows = connection.execute(
                select(Letter.id, Letter.title, Letter.status, Letter.content_hash, Letter.closed_at)
                .where(Letter.id.in_(ids))
                .order_by(Letter.id)
                .with_for_update()
            )
            yield {row.id: row for row in rows}
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
