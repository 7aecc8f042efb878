"""Authorship (blame): who wrote each part of a revision's text, kept incrementally.

The authorship of a revision is its *owners*: one entry per UTF-16 code unit of the text, the
number of the revision that inserted that unit. Carrying owners past a revision is one pass over
that revision's operation (kept units keep their owner, inserted units get the revision's number,
deleted units go), done with slices, never unit by unit in Python.

Owners are kept as a ``str`` whose code points are revision numbers (slicing, joining and finding
runs are then all done in C); past revision 1,114,111 they switch to an ``array`` of integers.

Blame of revision n is never a replay of the whole history: it starts from the nearest owners
known at or before n — a process-local cache (bounded) or a :class:`BlameSnapshot` row, stored every
``BLAME_SNAPSHOT_EVERY`` revisions (default: ``SNAPSHOT_EVERY``) the first time blame passes them —
and carries them forward through the few patches after it.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import BlameSnapshot, Letter, Official, Revision
from app.services.history import (
    letter_key,
    parse_revision_number,
    readable_letter,
    remember_text,
    replay,
    require_revision,
    revision_text,
)
from app.sync import operations as ot
from app.sync.text import from_utf16_view, is_high_surrogate, to_utf16_view

Owners = str | array

MAX_CHAR = 0x10FFFF
_RUN = re.compile(r"(.)\1*", re.DOTALL)


# -- pure owners arithmetic -------------------------------------------------------------------


def blank(length: int, revision: int) -> Owners:
    """Owners of a text of `length` units all written by `revision`."""
    if revision > MAX_CHAR:
        return array("q", [revision]) * length
    return chr(revision) * length


def _widen(owners: Owners) -> array:
    return owners if isinstance(owners, array) else array("q", map(ord, owners))


def carry(owners: Owners, ops: Sequence[ot.Op], revision: int) -> Owners:
    """The owners after applying `ops` (made by `revision`) to a text whose owners are `owners`."""
    if isinstance(owners, str) and revision > MAX_CHAR:
        owners = _widen(owners)
    if ot.base_length(ops) != len(owners):
        raise ValueError("the operation does not fit the owners")
    wide = isinstance(owners, array)
    parts: list[Any] = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            parts.append(array("q", [revision]) * len(op) if wide else chr(revision) * len(op))
        elif op > 0:
            parts.append(owners[pos : pos + op])
            pos += op
        else:
            pos -= op
    if not wide:
        return "".join(parts)
    out = array("q")
    for part in parts:
        out.extend(part)
    return out


def runs(owners: Owners) -> list[tuple[int, int]]:
    """Run-length encoding: [(length, revision), ...]."""
    if isinstance(owners, str):
        return [(m.end() - m.start(), ord(m.group(1))) for m in _RUN.finditer(owners)]
    return [(sum(1 for _ in group), revision) for revision, group in groupby(owners)]


def from_runs(pairs: Iterable[tuple[int, int]]) -> Owners:
    pairs = list(pairs)
    if any(revision > MAX_CHAR for _, revision in pairs):
        out = array("q")
        for length, revision in pairs:
            out.extend(array("q", [revision]) * length)
        return out
    return "".join(chr(revision) * length for length, revision in pairs)


def encode(owners: Owners) -> list[int]:
    """Flat [length, revision, length, revision, ...] for storage."""
    flat: list[int] = []
    for length, revision in runs(owners):
        flat.extend((length, revision))
    return flat


def decode(flat: Sequence[int]) -> Owners:
    return from_runs(zip(flat[0::2], flat[1::2], strict=True))


def spans(text: str, owners: Owners) -> list[tuple[str, int]]:
    """The text cut into (piece, revision) runs; the pieces joined are `text`. A run boundary that
    would cut a surrogate pair moves past it, so every piece is an ordinary string."""
    view = to_utf16_view(text)
    if len(view) != len(owners):
        raise ValueError("owners do not fit the text")
    out: list[tuple[str, int]] = []
    simple = len(view) == len(text)  # no characters outside the Basic Multilingual Plane
    pos = 0
    for length, revision in runs(owners):
        start, end = pos, pos + length
        pos = end
        if not simple:
            if start > 0 and start < len(view) and is_high_surrogate(view[start - 1]):
                start += 1  # the low half went with the previous piece
            if end < len(view) and is_high_surrogate(view[end - 1]):
                end += 1
            if start >= end:
                continue
        piece = view[start:end] if simple else from_utf16_view(view[start:end])
        if out and out[-1][1] == revision:
            out[-1] = (out[-1][0] + piece, revision)
        else:
            out.append((piece, revision))
    return out


# -- caches -----------------------------------------------------------------------------------


class _OwnersCache:
    """(letter key, revision) -> owners, bounded; any process may keep its own."""

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[Any, int], Owners] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, letter: Any, number: int) -> Owners | None:
        with self._lock:
            owners = self._items.get((letter, number))
            if owners is not None:
                self._items.move_to_end((letter, number))
            return owners

    def put(self, letter: Any, number: int, owners: Owners) -> None:
        with self._lock:
            self._items[(letter, number)] = owners
            self._items.move_to_end((letter, number))
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


owners_cache = _OwnersCache()

# (letter id, revision) -> author id: revisions never change author.
_revision_authors: dict[tuple[Any, int], int | None] = {}
_revision_authors_lock = threading.Lock()
_MAX_AUTHOR_ENTRIES = 200_000


def clear_caches() -> None:
    owners_cache.clear()
    with _revision_authors_lock:
        _revision_authors.clear()


def snapshot_every() -> int:
    config = current_app.config
    return int(config.get("BLAME_SNAPSHOT_EVERY") or config["SNAPSHOT_EVERY"])


# -- blame ------------------------------------------------------------------------------------


def owners_at(letter: Letter, number: int) -> Owners:
    """The owners of revision `number`'s text (which must exist)."""
    every = snapshot_every()
    start: int | None = None
    owners: Owners | None = None
    for m in range(number, max(-1, number - every - 1), -1):
        owners = owners_cache.get(letter_key(letter), m)
        if owners is not None:
            start = m
            break
    if owners is None:
        snapshot = db.session.scalar(
            select(BlameSnapshot)
            .where(BlameSnapshot.letter_id == letter.id, BlameSnapshot.revision <= number)
            .order_by(BlameSnapshot.revision.desc())
            .limit(1)
        )
        if snapshot is not None:
            start, owners = snapshot.revision, decode(snapshot.runs)
        else:
            start, owners = 0, blank(len(to_utf16_view(revision_text(letter, 0))), 0)
    assert start is not None and owners is not None
    if start < number:
        new_snapshots: dict[int, list[int]] = {}
        last_view = ""
        for revision, view, ops in replay(letter, start, number):
            owners = carry(owners, ops, revision)
            last_view = view
            if revision % every == 0:
                new_snapshots[revision] = encode(owners)
        remember_text(letter, number, last_view)
        _store_snapshots(letter, new_snapshots)
    owners_cache.put(letter_key(letter), number, owners)
    return owners


def _store_snapshots(letter: Letter, snapshots: dict[int, list[int]]) -> None:
    """Keep computed owners for later requests (best effort: a concurrent request may store the
    same ones first)."""
    if not snapshots:
        return
    letter_id = letter.id
    existing = set(
        db.session.scalars(
            select(BlameSnapshot.revision).where(
                BlameSnapshot.letter_id == letter_id, BlameSnapshot.revision.in_(list(snapshots))
            )
        )
    )
    missing = [n for n in snapshots if n not in existing]
    if not missing:
        return
    for n in missing:
        db.session.add(BlameSnapshot(letter_id=letter_id, revision=n, runs=snapshots[n]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def revision_authors(letter: Letter, numbers: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{revision number: {id, name}} for these revisions of the letter."""
    wanted = set(numbers)
    author_ids: dict[int, int | None] = {}
    missing: list[int] = []
    with _revision_authors_lock:
        for n in wanted:
            key = (letter_key(letter), n)
            if key in _revision_authors:
                author_ids[n] = _revision_authors[key]
            else:
                missing.append(n)
    missing.sort()
    for i in range(0, len(missing), 500):
        chunk = missing[i : i + 500]
        rows = db.session.execute(
            select(Revision.number, Revision.author_id).where(
                Revision.letter_id == letter.id, Revision.number.in_(chunk)
            )
        ).all()
        with _revision_authors_lock:
            if len(_revision_authors) > _MAX_AUTHOR_ENTRIES:
                _revision_authors.clear()
            for n, author_id in rows:
                author_ids[n] = author_id
                _revision_authors[(letter_key(letter), n)] = author_id
    ids = {a for a in author_ids.values() if a is not None}
    names: dict[int, str] = {}
    if ids:
        names = dict(db.session.execute(select(Official.id, Official.name).where(Official.id.in_(ids))).all())
    out: dict[int, dict[str, Any]] = {}
    for n in wanted:
        author_id = author_ids.get(n)
        if author_id is None or author_id not in names:
            out[n] = {"id": None, "name": "—"}
        else:
            out[n] = {"id": author_id, "name": names[author_id]}
    return out


@dataclass(frozen=True)
class BlameRun:
    text: str
    revision: int
    author: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"text": self.text, "revision": self.revision, "author": self.author}


def blame_runs(letter: Letter, number: int) -> list[BlameRun]:
    """Revision `number`'s text as runs credited to the revision that wrote them and its author
    (an accepted suggestion's revision is credited to the official who suggested it)."""
    require_revision(letter, number)
    text = revision_text(letter, number)
    pieces = spans(text, owners_at(letter, number)) if text else []
    authors = revision_authors(letter, {revision for _, revision in pieces})
    return [BlameRun(piece, revision, authors[revision]) for piece, revision in pieces]


def blame(actor: Official | None, letter_id: object, revision: object = None) -> list[dict[str, Any]]:
    """The contract's `GET /letters/{id}/blame?revision=n` (the newest revision without `revision`)."""
    letter = readable_letter(actor, letter_id)
    number = letter.revision if revision is None else parse_revision_number(revision, from_text=True)
    return [run.json() for run in blame_runs(letter, number)]
