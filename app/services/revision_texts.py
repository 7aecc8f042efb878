"""The exact text of any revision: the nearest snapshot at or before it, plus its patches.

Revision texts never change once written, so recently rebuilt ones are cached in memory
(bounded); any process may cache them, whatever the other processes do.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Letter, Revision
from app.services.errors import NotFound
from app.services.lru import LRUCache
from app.sync import apply_patch_exact

cache: LRUCache[str] = LRUCache(capacity=512)


def texts_between(letter: Letter, first: int, last: int) -> list[str]:
    """The texts of revisions first..last (inclusive), in order."""
    if first < 0 or last > letter.revision or first > last:
        raise NotFound(f"No revision {first if first < 0 or first > last else last} of this letter.")
    if last == letter.revision and first == last:
        return [letter.text]
    cached = [cache.get((letter.id, n)) for n in range(first, last + 1)]
    if all(text is not None for text in cached):
        return cached  # type: ignore[return-value]
    start = db.session.scalar(
        select(Revision)
        .where(Revision.letter_id == letter.id, Revision.number <= first, Revision.snapshot.is_not(None))
        .order_by(Revision.number.desc())
        .limit(1)
    )
    if start is None:
        raise NotFound("This letter's history is incomplete.")
    text = start.snapshot or ""
    patches = db.session.execute(
        select(Revision.number, Revision.patch)
        .where(Revision.letter_id == letter.id, Revision.number > start.number, Revision.number <= last)
        .order_by(Revision.number)
    ).all()
    texts: list[str] = []
    if start.number >= first:
        texts.append(text)
    for number, patch in patches:
        text = apply_patch_exact(text, patch) if patch else text
        if number >= first:
            texts.append(text)
            cache.put((letter.id, number), text)
    return texts


def text_at(letter: Letter, number: int) -> str:
    """The exact text after revision `number`."""
    return texts_between(letter, number, number)[0]


def patches_after(letter: Letter, base: int) -> list[str]:
    """The stored patches of revisions base+1 .. newest, in order."""
    if base >= letter.revision:
        return []
    return list(
        db.session.scalars(
            select(Revision.patch)
            .where(Revision.letter_id == letter.id, Revision.number > base)
            .order_by(Revision.number)
        )
    )
