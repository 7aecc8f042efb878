"""Merging an edit on UTF-16 views, for a server that keeps the newest text in memory.

:func:`merge_into_view` does what :func:`app.sync.merge.merge_edit` does, with the same
answers and errors, but takes the base and the newest text as UTF-16 views and the later
revisions as operations (kept from when they were stored), so that a busy letter's edits
cost no text conversion and no re-parsing of earlier patches. It also returns the stored
revision's operation, which is exactly the one every client derives from its patch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .diffs import operation_between
from .errors import Conflict, TooLarge
from .merge import MAX_TEXT_UNITS, check_patch_text
from .operations import Operation, apply_operation, is_noop
from .patch_text import apply_hunks, parse_patch, patch_from_operation
from .text import from_utf16_view, normalise_newlines
from .transform import transform_past

_LONE_SURROGATE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")


@dataclass(frozen=True, slots=True)
class ViewMerge:
    """Outcome of :func:`merge_into_view`: the new newest view, the patch from the previous
    newest view to it (``""`` when nothing changed) and that patch's operation."""

    view: str
    patch: str
    operation: Operation
    changed: bool


def _changed_windows(view: str, ops: Operation) -> list[tuple[int, int]]:
    """The ranges of the result view that an operation wrote (plus one unit either side)."""
    windows = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            windows.append((max(pos - 1, 0), min(pos + len(op) + 1, len(view))))
            pos += len(op)
        elif op < 0:
            windows.append((max(pos - 1, 0), min(pos + 1, len(view))))
        else:
            pos += op
    return windows


def _check_pairs(view: str, ops: Operation) -> None:
    """An edit may not leave half of a surrogate pair anywhere it wrote."""
    for start, end in _changed_windows(view, ops):
        # One unit past the window, so that a high surrogate at its end sees its partner.
        found = _LONE_SURROGATE.search(view, start, min(end + 1, len(view)))
        if found is not None and found.start() < end:
            raise Conflict("the edit would split a character")


def _client_operation(base_view: str, patch: str) -> tuple[str, Operation]:
    """The view a client means by ``patch`` on ``base_view`` (LF line endings) and its operation."""
    view, ops = apply_hunks(base_view, parse_patch(check_patch_text(patch)))
    if "\r" in view:
        _check_pairs(view, ops)
        base_text = from_utf16_view(base_view)
        wanted = normalise_newlines(from_utf16_view(view))
        ops = operation_between(base_text, wanted)
        view = apply_operation(base_view, ops)
    return view, ops


def merge_into_view(
    base_view: str,
    patch: str,
    later_operations: Sequence[Operation],
    newest_view: str,
    *,
    max_units: int = MAX_TEXT_UNITS,
) -> ViewMerge:
    """Merge a client's edit made on ``base_view`` into ``newest_view``.

    ``later_operations`` are the operations of the revisions stored after the base, in order
    (empty when the base is the newest), exactly as clients derive them from those
    revisions' patches. Raises :class:`BadPatch`, :class:`TooLarge` or :class:`Conflict`,
    as :func:`merge_edit` does.
    """
    wanted, ops = _client_operation(base_view, patch)
    if len(wanted) > max_units:
        raise TooLarge(f"text would be longer than {max_units} UTF-16 code units")
    _check_pairs(wanted, ops)
    for later in later_operations:
        ops = transform_past(ops, later)
    try:
        result = apply_operation(newest_view, ops)
    except ValueError as exc:
        raise Conflict("the edit could not be carried to the newest revision") from exc
    if len(result) > max_units:
        raise TooLarge(f"text would be longer than {max_units} UTF-16 code units")
    if is_noop(ops) or result == newest_view:
        return ViewMerge(view=newest_view, patch="", operation=[len(newest_view)] if newest_view else [], changed=False)
    _check_pairs(result, ops)
    return ViewMerge(view=result, patch=patch_from_operation(newest_view, ops), operation=ops, changed=True)
