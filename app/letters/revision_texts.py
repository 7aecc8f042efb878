"""The exact text of any revision: the nearest snapshot at or before it, plus its patches
(applied on UTF-16 views, as clients apply them, converting the text once each way).

Revision texts never change once written, so recently rebuilt ones are cached in memory
(bounded); any process may cache them, whatever the other processes do.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.letters.models import Letter, Revision
from app.shared.errors import NotFound
from app.shared.lru import LRUCache
from app.sync import apply_patch_to_view, from_utf16_view, to_utf16_view

cache: LRUCache[str] = LRUCache(capacity=512)


def view_at(letter: Letter, number: int) -> str:
    """The UTF-16 view of revision `number`'s text (which must exist): from the cache, the newest
    text, or the nearest snapshot at or before it plus the patches after it, applied on views (the
    text is converted once each way, not once per patch)."""
    if number == letter.revision:
        return to_utf16_view(letter.text)
    cached = cache.get((letter.id, number))
    if cached is not None:
        return to_utf16_view(cached)
    start = (
        db.session.connection()
        .execute(
            select(Revision.number, Revision.snapshot)
            .where(Revision.letter_id == letter.id, Revision.number <= number, Revision.snapshot.is_not(None))
            .order_by(Revision.number.desc())
            .limit(1)
        )
        .first()
    )
    if start is None:
        raise NotFound(_("This letter's history is incomplete."))
    view = to_utf16_view(start.snapshot or "")
    expected = start.number + 1
    for patch_number, patch in db.session.connection().execute(
        select(Revision.number, Revision.patch)
        .where(Revision.letter_id == letter.id, Revision.number > start.number, Revision.number <= number)
        .order_by(Revision.number)
    ):
        if patch_number != expected:
            raise NotFound(_("This letter's history is incomplete."))
        expected += 1
        if patch:
            view, _ops = apply_patch_to_view(view, patch)
    if expected != number + 1:
        raise NotFound(_("This letter's history is incomplete."))
    return view


def text_at(letter: Letter, number: int) -> str:
    """The exact text after revision `number` (which must exist; see require_revision)."""
    if number == letter.revision:
        return letter.text
    cached = cache.get((letter.id, number))
    if cached is not None:
        return cached
    return remember_text(letter, number, view_at(letter, number))


def remember_text(letter: Letter, number: int, view: str) -> str:
    """Put a replayed text in the shared revision-text cache and return it as a string."""
    text = from_utf16_view(view)
    cache.put((letter.id, number), text)
    return text


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
