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

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby, pairwise
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Official
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter, Revision
from app.letters.revision_texts import remember_text, text_at
from app.review.history import (
    letter_key,
    replay,
    require_revision,
)
from app.review.models import BlameSnapshot
from app.review.word_authorship import whole_words
from app.shared.ids import whole_number
from app.shared.lru import LRUCache
from app.sync import Operation, to_utf16_view

Owners = str | array

_json_string = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]

MAX_CHAR = 0x10FFFF
_RUN = re.compile(r"(.)\1*", re.DOTALL)
_HIGH_SURROGATE = re.compile("[\ud800-\udbff]")


# -- pure owners arithmetic -------------------------------------------------------------------


def blank(length: int, revision: int) -> Owners:
    """Owners of a text of `length` units all written by `revision`."""
    if revision > MAX_CHAR:
        return array("q", [revision]) * length
    return chr(revision) * length


def _widen(owners: Owners) -> array:
    return owners if isinstance(owners, array) else array("q", map(ord, owners))


def carry(owners: Owners, ops: Operation, revision: int) -> Owners:
    """The owners after applying `ops` (made by `revision`) to a text whose owners are `owners`."""
    if isinstance(owners, str) and revision > MAX_CHAR:
        owners = _widen(owners)
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
    if pos != len(owners):
        raise ValueError("the operation does not fit the owners")
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
    pairs = runs(owners)
    revisions = [revision for _, revision in pairs]
    ends = list(accumulate(length for length, _ in pairs))
    if len(view) != len(text):  # characters outside the Basic Multilingual Plane: units -> characters
        # A unit offset u is character offset u minus the astral characters (high surrogates)
        # before it; a boundary between the two halves of a pair moves past the pair.
        highs = [m.start() for m in _HIGH_SURROGATE.finditer(view)]
        high_set = set(highs)
        ends = [u + 1 if (u - 1) in high_set else u for u in ends]
        ends = [u - bisect_left(highs, u) for u in ends]
        if any(b <= a for a, b in pairwise([0, *ends])):  # a run swallowed by a moved boundary
            out: list[tuple[str, int]] = []
            start = 0
            for end, revision in zip(ends, revisions, strict=True):
                if end > start:
                    if out and out[-1][1] == revision:
                        out[-1] = (out[-1][0] + text[start:end], revision)
                    else:
                        out.append((text[start:end], revision))
                    start = end
            return out
    starts = [0, *ends[:-1]] if ends else []
    return [(text[a:b], revision) for a, b, revision in zip(starts, ends, revisions, strict=True)]


# -- caches -----------------------------------------------------------------------------------


owners_cache: LRUCache[Owners] = LRUCache(capacity=32)

# letter key -> (newest revision known, {revision: author id}): revisions never change author.
revision_authors_cache: LRUCache[tuple[int, dict[int, int | None]]] = LRUCache(capacity=64)


def clear_caches() -> None:
    owners_cache.clear()
    pieces_cache.clear()
    body_cache.clear()
    revision_authors_cache.clear()


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
        owners = owners_cache.get((letter_key(letter), m))
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
            start, owners = 0, blank(len(to_utf16_view(text_at(letter, 0))), 0)
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
    owners_cache.put((letter_key(letter), number), owners)
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


def _author_ids(letter: Letter) -> dict[int, int | None]:
    """{revision number: author id} of every revision of the letter, loaded incrementally."""
    key = letter_key(letter)
    entry = revision_authors_cache.get(key)
    known, mapping = entry if entry is not None else (-1, {})
    if known < letter.revision:
        rows = (
            db.session.connection()
            .execute(
                select(Revision.number, Revision.author_id).where(
                    Revision.letter_id == letter.id, Revision.number > known, Revision.number <= letter.revision
                )
            )
            .all()
        )
        mapping = {**mapping, **dict(rows)}  # a new dict: other threads may be reading the cached one
        revision_authors_cache.put(key, (max(mapping, default=-1), mapping))
    return mapping


def revision_authors(letter: Letter, numbers: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{revision number: {id, name}} for these revisions of the letter."""
    wanted = set(numbers)
    mapping = _author_ids(letter)
    author_ids = {n: mapping.get(n) for n in wanted}
    ids = {a for a in author_ids.values() if a is not None}
    names: dict[int, str] = {}
    if ids:
        names = dict(db.session.execute(select(Official.id, Official.name).where(Official.id.in_(ids))).all())
    authors = {a: {"id": a, "name": names[a]} for a in ids if a in names}
    unknown = {"id": None, "name": "—"}
    return {n: authors.get(author_ids[n], unknown) if author_ids[n] is not None else unknown for n in wanted}


@dataclass(frozen=True)
class BlameRun:
    text: str
    revision: int
    author: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"text": self.text, "revision": self.revision, "author": self.author}


pieces_cache: LRUCache[Any] = LRUCache(32)
body_cache: LRUCache[Any] = LRUCache(16)


def blame_pieces(letter: Letter, number: int) -> list[tuple[str, int]]:
    """Revision `number`'s text cut into (piece, revision that wrote it) runs."""
    require_revision(letter, number)
    key = (letter_key(letter), number)
    pieces = pieces_cache.get(key)
    if pieces is None:
        owners = owners_at(letter, number)  # leaves the text in the cache
        text = text_at(letter, number)
        pieces = spans(text, owners) if text else []
        pieces_cache.put(key, pieces)
    return pieces


def blame_runs(letter: Letter, number: int) -> list[BlameRun]:
    """Revision `number`'s text as runs credited to the revision that wrote them and its author
    (an accepted suggestion's revision is credited to the official who suggested it)."""
    pieces = blame_pieces(letter, number)
    authors = revision_authors(letter, {revision for _, revision in pieces})
    return [BlameRun(piece, revision, authors[revision]) for piece, revision in pieces]


def word_runs(letter: Letter, number: int) -> list[BlameRun]:
    """`blame_runs` for reading: every word credited to one author (:func:`whole_words`)."""
    pieces = blame_pieces(letter, number)
    authors = revision_authors(letter, {revision for _, revision in pieces})
    words = whole_words(pieces, lambda revision: authors[revision]["id"])
    return [BlameRun(piece, revision, authors[revision]) for piece, revision in words]


def blame_body(actor: Official | None, letter_id: object, revision: object = None) -> str:
    """The contract's `GET /letters/{id}/blame?revision=n` (the newest revision without `revision`):
    `blame_runs` as JSON text (keys sorted, compact, ASCII: as the API writes JSON), built directly and
    kept for the next request while the authors' names stay the same."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    number = letter.revision if revision is None else whole_number(revision, "revision", from_text=True)
    pieces = blame_pieces(letter, number)
    authors = revision_authors(letter, {revision for _, revision in pieces})
    seen = frozenset((a["id"], a["name"]) for a in authors.values())
    key = (letter_key(letter), number)
    cached = body_cache.get(key)
    if cached is not None and cached[0] == seen:
        return cached[1]
    by_author = {
        pair: json.dumps({"id": pair[0], "name": pair[1]}, sort_keys=True, separators=(",", ":")) for pair in seen
    }
    author_json = {n: by_author[(a["id"], a["name"])] for n, a in authors.items()}
    body = (
        "["
        + ",".join(
            f'{{"author":{author_json[revision]},"revision":{revision},"text":{_json_string(piece)}}}'
            for piece, revision in pieces
        )
        + "]"
    )
    body_cache.put(key, (seen, body))
    return body
