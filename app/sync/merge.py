"""Server-side entry points: exact patching and merging an edit made on an older revision.

How an edit is merged (:func:`merge_edit`):

1. The client's patch is applied *exactly* to the text of its base revision: every hunk's
   context and deleted text must sit exactly where its offsets say. This gives the text
   the client meant, and the operation (retain/insert/delete, in UTF-16 units) that the
   hunks performed. Line endings of the client's text are normalised to LF.
2. That operation is transformed against the operation of every revision stored since
   the base, in order (operational transformation, see :mod:`app.sync.transform`): at
   equal positions the earlier-committed insertion goes first, insertions are never
   split, text inserted concurrently inside a deleted range survives, and deleting text
   that is already gone is a no-op. Nothing is placed by fuzzy context search.
3. The result is applied to the newest text, and a patch from the newest text to the new
   text is made from the transformed operation.

Error choices:

* malformed patch text, or a patch that is not a string -> :class:`BadPatch`;
* patch text over ``MAX_PATCH_BYTES`` (UTF-8) or a text over ``MAX_TEXT_UNITS`` UTF-16
  units -> :class:`TooLarge`;
* a patch that does not apply exactly to its own base text -> :class:`Conflict`, whether or
  not the base is the newest revision: the client is out of sync with the text it names
  and should catch up (``fetch``) and send its change again. A hunk that would cut a
  surrogate pair counts as not applying.

All functions are pure: on error they raise and nothing changes.

Revisions and clients: every client turns a revision's patch into an operation the same way
(applying its hunks exactly and composing them), so the server must use the *same*
operations when carrying an edit past those revisions. Pass the stored revision patches as
``later_patches``; with texts only, the operations are re-derived by diffing consecutive
texts, which agrees with the patches only when they were made by :func:`make_patch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .diffs import operation_between
from .errors import BadPatch, Conflict, TooLarge
from .operations import Operation, apply_operation, is_noop
from .patch_text import apply_hunks, parse_patch, patch_from_operation
from .text import from_utf16_view, has_surrogates, normalise_newlines, to_utf16_view
from .transform import transform_operations

MAX_TEXT_UNITS = 200_000
MAX_PATCH_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Outcome of :func:`merge_edit`.

    ``text`` is the new newest text; ``patch`` turns the previous newest text into it
    exactly; ``changed`` is False (and ``patch`` is ``""``) when the edit leaves the newest
    text as it was.
    """

    text: str
    patch: str
    changed: bool


def check_patch_text(patch: object) -> str:
    """Validate a patch received from a client: type, size and encodability."""
    if not isinstance(patch, str):
        raise BadPatch("patch must be a string")
    if len(patch) > MAX_PATCH_BYTES:
        raise TooLarge(f"patch is larger than {MAX_PATCH_BYTES} bytes")
    try:
        size = len(patch.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise BadPatch("patch contains unpaired surrogates") from exc
    if size > MAX_PATCH_BYTES:
        raise TooLarge(f"patch is larger than {MAX_PATCH_BYTES} bytes")
    return patch


def _check_text(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    if has_surrogates(text):
        raise ValueError(f"{what} contains surrogate code points")
    return text


def _to_text(view: str) -> str:
    try:
        return from_utf16_view(view)
    except ValueError as exc:  # cannot happen for patches that apply exactly
        raise Conflict("the edit would split a character") from exc


def _check_size(view: str, max_units: int | None) -> None:
    if max_units is not None and len(view) > max_units:
        raise TooLarge(f"text would be longer than {max_units} UTF-16 code units")


def apply_patch_exact(text: str, patch: str, *, max_units: int | None = MAX_TEXT_UNITS) -> str:
    """Apply patch text exactly to ``text`` (no fuzzy matching, no newline normalisation).

    Raises :class:`BadPatch`, :class:`TooLarge` (patch, or a result over ``max_units``) or
    :class:`Conflict` (a hunk does not sit exactly where it says).
    """
    _check_text(text, "text")
    hunks = parse_patch(check_patch_text(patch))
    view, _ops = apply_hunks(to_utf16_view(text), hunks)
    _check_size(view, max_units)
    return _to_text(view)


def apply_patch_to_view(view: str, patch: str) -> tuple[str, Operation]:
    """Apply a stored revision's patch exactly to a UTF-16 view: the new view and the operation.

    For replaying history (no size limits: stored patches were checked when stored; ``""``
    is the identity). The operation is the composition of the patch's hunks, as every
    client computes it (the browser's ``opsFromPatch``). Raises :class:`BadPatch` or
    :class:`Conflict`.
    """
    return apply_hunks(view, parse_patch(patch))


def make_patch(old: str, new: str) -> str:
    """Patch text (UTF-16 offsets, as JavaScript diff-match-patch 1.0.5 writes it) turning ``old`` into ``new``.

    Exact: no newline normalisation. ``""`` when the texts are equal. The diff runs on
    code points, so no surrogate pair is ever split.
    """
    _check_text(old, "old")
    _check_text(new, "new")
    if old == new:
        return ""
    return patch_from_operation(to_utf16_view(old), operation_between(old, new))


def edit_operation(base_text: str, patch: str) -> tuple[str, Operation]:
    """The text a client means by ``patch`` on ``base_text`` (LF line endings) and its operation.

    The operation is the composition of the patch's hunks, unless normalising line endings
    changed the text, in which case it is a diff of the two texts.
    """
    _check_text(base_text, "base_text")
    hunks = parse_patch(check_patch_text(patch))
    base_view = to_utf16_view(base_text)
    view, ops = apply_hunks(base_view, hunks)
    if "\r" in view:
        wanted = normalise_newlines(_to_text(view))
        return wanted, operation_between(base_text, wanted)
    return _to_text(view), ops


def revision_operations(
    base_text: str, later_texts: Sequence[str] = (), later_patches: Sequence[str] | None = None
) -> tuple[str, list[Operation]]:
    """Operations of the revisions after ``base_text``, and the newest text.

    With ``later_patches`` (the stored patch of each revision, in order) each operation is
    the exact composition of that patch's hunks, as clients compute it; ``later_texts``
    is then optional and, when given, must match. Without, operations are diffs of
    consecutive texts.
    """
    _check_text(base_text, "base_text")
    texts = [_check_text(t, "later_texts item") for t in later_texts]
    ops_list: list[Operation] = []
    if later_patches is None:
        prev = base_text
        for text in texts:
            ops_list.append(operation_between(prev, text))
            prev = text
        return prev, ops_list
    if texts and len(texts) != len(later_patches):
        raise ValueError("later_texts and later_patches differ in length")
    view = to_utf16_view(base_text)
    for index, rev_patch in enumerate(later_patches):
        try:
            view, ops = apply_hunks(view, parse_patch(rev_patch))
        except (BadPatch, Conflict) as exc:
            raise ValueError(f"stored revision patch {index + 1} does not apply: {exc.message}") from exc
        ops_list.append(ops)
        if texts and from_utf16_view(view) != texts[index]:
            raise ValueError(f"stored revision patch {index + 1} does not give the stored text")
    newest = texts[-1] if texts else from_utf16_view(view)
    return newest, ops_list


def merge_edit(
    base_text: str,
    patch: str,
    later_texts: Sequence[str] = (),
    *,
    later_patches: Sequence[str] | None = None,
) -> MergeResult:
    """Merge a client's edit, made on ``base_text``, into the newest text.

    ``later_texts`` are the exact texts of the revisions after the base, in order (empty
    when the base is the newest); ``later_patches``, if given, are those revisions' stored
    patches and are preferred (see the module docstring). Returns the new newest text and
    the patch from the previous newest text to it. Raises :class:`BadPatch`,
    :class:`TooLarge` or :class:`Conflict`; ``TypeError``/``ValueError`` for bad
    server-side arguments.
    """
    _check_text(base_text, "base_text")
    if isinstance(later_texts, str):
        raise TypeError("later_texts must be a sequence of str, not a str")
    check_patch_text(patch)
    newest, later_ops = revision_operations(base_text, later_texts, later_patches)
    wanted, ops = edit_operation(base_text, patch)
    _check_size(to_utf16_view(wanted), MAX_TEXT_UNITS)
    for rev_ops in later_ops:
        ops, _ = transform_operations(ops, rev_ops)
    newest_view = to_utf16_view(newest)
    try:
        result_view = apply_operation(newest_view, ops)
    except ValueError as exc:
        raise Conflict("the edit could not be carried to the newest revision") from exc
    _check_size(result_view, MAX_TEXT_UNITS)
    if is_noop(ops) or result_view == newest_view:
        return MergeResult(text=newest, patch="", changed=False)
    result = _to_text(result_view)
    return MergeResult(text=result, patch=patch_from_operation(newest_view, ops), changed=True)
