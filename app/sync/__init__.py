"""Real-time sync engine: exact UTF-16 diff-match-patch patches and operational transformation.

Pure code (standard library and diff-match-patch only): no Flask, no database. The
service layer calls :func:`merge_edit` for every ``edit`` event, stores ``result.patch`` as
the revision's patch and broadcasts it; :func:`apply_patch_exact` replays stored patches;
:func:`make_patch` makes a patch between two texts. See :mod:`app.sync.merge` for the
merge rule and error choices.
"""

from .client import OutgoingEdit, RevisionGap, SyncClient
from .errors import BadPatch, Conflict, SyncError, TooLarge
from .merge import (
    MAX_PATCH_BYTES,
    MAX_TEXT_UNITS,
    MergeResult,
    apply_patch_exact,
    check_patch_text,
    make_patch,
    merge_edit,
)
from .text import normalise_newlines, utf16_len

__all__ = [
    "MAX_PATCH_BYTES",
    "MAX_TEXT_UNITS",
    "BadPatch",
    "Conflict",
    "MergeResult",
    "OutgoingEdit",
    "RevisionGap",
    "SyncClient",
    "SyncError",
    "TooLarge",
    "apply_patch_exact",
    "check_patch_text",
    "make_patch",
    "merge_edit",
    "normalise_newlines",
    "utf16_len",
]
