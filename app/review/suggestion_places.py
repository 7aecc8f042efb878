"""Where an open suggestion stands in the newest text: its patch (made on its base revision) carried
over every later revision, as the accept would merge it, then told as one range of the newest text
(widened to whole words) and the text that would replace it. The drafting room's editor shows
suggestions there (app/drafting/suggestion_json.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.letters.models import Letter, Revision
from app.letters.revision_texts import text_at
from app.review.models import Suggestion
from app.review.suggestion_footprints import first_conflict
from app.sync import SyncError, edit_operation, merge_edit, utf16_len


def place_suggestion(letter: Letter, suggestion: Suggestion) -> dict[str, Any] | None:
    """Where the suggestion changes the newest text, as one range in UTF-16 units and its
    replacement; None when it no longer applies there (the review page explains why)."""
    rows = db.session.scalars(
        select(Revision.patch)
        .where(Revision.letter_id == letter.id, Revision.number > suggestion.base_revision)
        .order_by(Revision.number)
    )
    base_text = text_at(letter, suggestion.base_revision)
    try:
        _, ops = edit_operation(base_text, suggestion.patch)
        if first_conflict(letter, suggestion.base_revision, ops) is not None:
            return None  # the text it changes was edited since: accepting would be refused
        merged = merge_edit(base_text, suggestion.patch, later_patches=list(rows))
    except (SyncError, ValueError):
        return None
    newest = letter.text
    if not merged.changed:
        return None
    result = merged.text
    prefix = 0
    limit = min(len(newest), len(result))
    while prefix < limit and newest[prefix] == result[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and newest[-1 - suffix] == result[-1 - suffix]:
        suffix += 1
    prefix, suffix = _whole_words(newest, result, prefix, suffix)
    start = utf16_len(newest[:prefix])
    return {
        "start": start,
        "end": start + utf16_len(newest[prefix : len(newest) - suffix]),
        "replacement": result[prefix : len(result) - suffix],
    }


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _whole_words(newest: str, result: str, prefix: int, suffix: int) -> tuple[int, int]:
    """Widen the changed part to whole words ("year" to "quarter", not "yea" to "quarte"): the
    common prefix and suffix give back the letters of a word the change begins or ends inside."""
    while (
        prefix > 0
        and _word(newest[prefix - 1])
        and (_word(newest[prefix : prefix + 1] or " ") or _word(result[prefix : prefix + 1] or " "))
    ):
        prefix -= 1
    while (
        suffix > 0
        and _word(newest[len(newest) - suffix])
        and (
            _word(newest[len(newest) - suffix - 1 : len(newest) - suffix] or " ")
            or _word(result[len(result) - suffix - 1 : len(result) - suffix] or " ")
        )
    ):
        suffix -= 1
    return prefix, suffix
