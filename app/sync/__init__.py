"""Real-time sync engine: exact UTF-16 diff-match-patch patches and operational transformation.

Pure code (standard library and diff-match-patch only): no Flask, no database. Code outside
this package uses only the names below (``from app.sync import ...``), never its modules.

Texts. Python strings count code points, patches and browsers count UTF-16 code units. The
*UTF-16 view* of a text splits each character outside the Basic Multilingual Plane into its
two surrogates, so offsets in a view are UTF-16 offsets.

* :func:`normalise_newlines` (CRLF and CR to LF), :func:`utf16_len`,
  :func:`to_utf16_view`, :func:`from_utf16_view`.

Patches: diff-match-patch patch text, byte for byte as JavaScript diff-match-patch 1.0.5
writes it, always applied exactly (no fuzzy matching).

* :func:`make_patch` (old text -> new text), :func:`apply_patch_exact` (text -> text);
* :func:`check_patch_text`: type and size of a patch received from a client
  (``MAX_PATCH_BYTES``; texts are limited to ``MAX_TEXT_UNITS``);
* :func:`apply_patch_to_view`: replay a stored revision's patch on a view, with the
  operation it performed; :func:`patch_from_operation`: the patch of an operation.

Edits. What the ``edit`` event does:

* :func:`edit_operation`: the text a client means by its patch, and its operation;
* :func:`merge_edit`: merge an edit made on an older revision into the newest text
  (:class:`MergeResult`); the algorithm is in :mod:`app.sync.merge`'s docstring;
* :func:`merge_into_view`: the same on UTF-16 views with the later revisions' operations
  (:class:`ViewMerge`), for a server that keeps the newest text in memory.

Operations: a list of components over a whole UTF-16 view, a positive ``int`` n keeps n
units, a negative ``int`` -n deletes n units, a non-empty ``str`` inserts it (see
:mod:`app.sync.operations`). The same rules as the browser's
``static/js/drafting/operations.js``; ``tests/sync/data/transform_vectors.json`` holds the
cases both must agree on.

* :data:`Operation`; :func:`canonical_operation` (from components),
  :func:`operation_between` (from two texts), :func:`is_noop`;
* :func:`apply_operation`, :func:`compose_operations` (one after the other);
* :func:`transform_operations` (two concurrent ones: the one committed first goes first),
  :func:`map_offset` (carry an offset, e.g. a comment's anchor, past an operation).

Diffs: :class:`DeterministicDiffMatchPatch`, diff-match-patch with a work budget instead
of a timeout (the same texts always give the same diff).

Errors: :class:`SyncError` and its subclasses :class:`BadPatch`, :class:`TooLarge`,
:class:`Conflict`, each with the wire error ``code``.
"""

from .diffs import DeterministicDiffMatchPatch, operation_between
from .errors import BadPatch, Conflict, SyncError, TooLarge
from .merge import (
    MAX_PATCH_BYTES,
    MAX_TEXT_UNITS,
    MergeResult,
    apply_patch_exact,
    apply_patch_to_view,
    check_patch_text,
    edit_operation,
    make_patch,
    merge_edit,
)
from .operations import Operation, apply_operation, canonical_operation, compose_operations, is_noop
from .patch_text import patch_from_operation
from .text import from_utf16_view, normalise_newlines, to_utf16_view, utf16_len
from .transform import map_offset, transform_operations
from .view_merge import ViewMerge, merge_into_view

__all__ = [
    "MAX_PATCH_BYTES",
    "MAX_TEXT_UNITS",
    "BadPatch",
    "Conflict",
    "DeterministicDiffMatchPatch",
    "MergeResult",
    "Operation",
    "SyncError",
    "TooLarge",
    "ViewMerge",
    "apply_operation",
    "apply_patch_exact",
    "apply_patch_to_view",
    "canonical_operation",
    "check_patch_text",
    "compose_operations",
    "edit_operation",
    "from_utf16_view",
    "is_noop",
    "make_patch",
    "map_offset",
    "merge_edit",
    "merge_into_view",
    "normalise_newlines",
    "operation_between",
    "patch_from_operation",
    "to_utf16_view",
    "transform_operations",
    "utf16_len",
]
