"""Where a suggested change touches the text, and the first later revision that touched the same
place (a suggestion made on an older text conflicts only where the text changed under it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.letters.models import Letter
from app.review.history import replay
from app.shared.errors import Conflict
from app.sync import (
    Operation,
    map_offset,
)


class SuggestionConflict(Conflict):
    """The text the suggestion changes was edited since its base revision."""

    code = "conflict"


@dataclass
class Footprint:
    """Where an operation changes its base text, in UTF-16 units: the ranges it deletes or
    replaces, and the points where it only inserts."""

    ranges: list[tuple[int, int]] = field(default_factory=list)
    points: list[int] = field(default_factory=list)


def footprint(ops: Operation) -> Footprint:
    out = Footprint()
    pos = 0
    pending_insert: int | None = None
    for op in ops:
        if isinstance(op, str):
            pending_insert = pos
        elif op > 0:
            if pending_insert is not None:
                out.points.append(pending_insert)
                pending_insert = None
            pos += op
        else:
            out.ranges.append((pos, pos - op))  # an insertion just before it is a replacement
            pending_insert = None
            pos -= op
    if pending_insert is not None:
        out.points.append(pending_insert)
    return out


def _deleted_spans(ops: Operation) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            continue
        if op < 0:
            spans.append((pos, pos - op))
        pos += abs(op)
    return spans


def _insert_points(ops: Operation) -> list[int]:
    points = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            points.append(pos)
        else:
            pos += abs(op)
    return points


def touches(change: Footprint, later: Operation) -> bool:
    """Whether a later operation edited the text that `change` changes (see the module doc)."""
    deleted = _deleted_spans(later)
    inserted = _insert_points(later)
    for start, end in change.ranges:
        if any(a < end and b > start for a, b in deleted) or any(start < p < end for p in inserted):
            return True
    # An insertion point conflicts when the character before or after it was deleted, or when
    # something else was inserted at that very place.
    return any(a < point + 1 and b > point - 1 for point in change.points for a, b in deleted) or any(
        p == point for point in change.points for p in inserted
    )


def carry_footprint(change: Footprint, later: Operation) -> Footprint:
    return Footprint(
        ranges=[
            (map_offset(s, later, after_insert=True), map_offset(e, later, after_insert=False))
            for s, e in change.ranges
        ],
        points=[map_offset(p, later, after_insert=True) for p in change.points],
    )


def first_conflict(letter: Letter, base_revision: int, ops: Operation) -> int | None:
    """The first revision after `base_revision` that edited the text `ops` changes, or None."""
    change = footprint(ops)
    for number, _view, later in replay(letter, base_revision, letter.revision):
        if touches(change, later):
            return number
        change = carry_footprint(change, later)
    return None


def conflict_message(number: int) -> str:
    return _(
        "Revision %(n)s changed the text this suggestion changes. Refresh the suggestion to place it on the "
        "newest text, or reject it.",
        n=number,
    )
