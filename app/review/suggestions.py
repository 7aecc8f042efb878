"""Suggestions: a reviewer (or a drafter) proposes a change as a patch on a revision, with a note;
a drafter accepts it (merged and stored like an edit, credited to the suggester) or rejects it.

A suggestion *conflicts* when the text it changes was edited after its base revision: a later
revision deleted some of the text it replaces, inserted inside it, or deleted a character next to
where it inserts. Accepting a conflicting suggestion stores nothing (409 `conflict`) and leaves it
open with the reason; *refreshing* it re-places the change on the newest text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.authorization import Action, can, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.revision_texts import patches_after
from app.letters.revisions import SyncRefused, refuse_nul, store_edit
from app.review.history import replay, revision_text
from app.review.models import Suggestion, SuggestionStatus
from app.review.textdiff import Diffs, hunks, word_diff
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, Forbidden, InvalidInput, LetterLocked, NotFound, TooLarge
from app.shared.ids import whole_number
from app.sync import (
    MAX_TEXT_UNITS,
    Operation,
    SyncError,
    apply_patch_exact,
    check_patch_text,
    edit_operation,
    is_noop,
    make_patch,
    map_offset,
    merge_edit,
    utf16_len,
)

MAX_NOTE_LENGTH = 2000
MAX_REPLACEMENT_LENGTH = 20_000


class SuggestionConflict(Conflict):
    """The text the suggestion changes was edited since its base revision."""

    code = "conflict"


# -- where a change touches the text ----------------------------------------------------------


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


def _conflict_message(number: int) -> str:
    return _(
        "Revision %(n)s changed the text this suggestion changes. Refresh the suggestion to place it on the "
        "newest text, or reject it.",
        n=number,
    )


# -- reading ----------------------------------------------------------------------------------


def get_suggestion(actor: Official | None, suggestion_id: object) -> Suggestion:
    require(actor, Action.READ_DRAFT)
    suggestion = db.session.get(Suggestion, suggestion_id) if isinstance(suggestion_id, int) else None
    if suggestion is None:
        raise NotFound(_("No such suggestion."))
    return suggestion


def suggestions_for(letter: Letter, status: str | None = None) -> list[Suggestion]:
    query = select(Suggestion).where(Suggestion.letter_id == letter.id).order_by(Suggestion.id)
    if status is not None:
        query = query.where(Suggestion.status == status)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion as a page shows it: its change in context, and whether it still applies."""

    suggestion: Suggestion
    changes: list[Diffs]
    conflict_revision: int | None

    @property
    def applies(self) -> bool:
        return self.conflict_revision is None


def view_suggestion(letter: Letter, suggestion: Suggestion, *, check: bool = True) -> SuggestionView:
    base_text = revision_text(letter, suggestion.base_revision)
    try:
        wanted, ops = edit_operation(base_text, suggestion.patch)
    except SyncError:
        return SuggestionView(suggestion, [], suggestion.base_revision)
    conflict = first_conflict(letter, suggestion.base_revision, ops) if check and suggestion.is_open else None
    return SuggestionView(suggestion, hunks(word_diff(base_text, wanted), context=60), conflict)


# -- creating ---------------------------------------------------------------------------------


def _clean_note(note: object) -> str:
    if note is None:
        return ""
    if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            _("The note may have at most %(n)s characters.", n=MAX_NOTE_LENGTH), details={"field": "note"}
        )
    return note.strip()


def create_suggestion(
    actor: Official | None, letter_id: object, base_revision: object, patch: object, note: object = ""
) -> Suggestion:
    """A reviewer or drafter proposes `patch` (as in real-time drafting) on `base_revision`."""
    require(actor, Action.SUGGEST)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    if letter.is_locked:
        raise LetterLocked(_("This letter is locked; its text can no longer change."))
    if base_revision is None:
        raise InvalidInput(_("base_revision is required."), details={"field": "base_revision"})
    base = whole_number(base_revision, "base_revision")
    if base > letter.revision:
        raise InvalidInput(
            _("base_revision %(n)s is newer than the letter (revision %(newest)s).", n=base, newest=letter.revision),
            details={"field": "base_revision"},
        )
    note = _clean_note(note)
    try:
        patch = check_patch_text(patch)
        base_text = revision_text(letter, base)
        wanted, ops = edit_operation(base_text, patch)
    except SyncError as error:
        raise SyncRefused(error) from error
    if utf16_len(wanted) > MAX_TEXT_UNITS:
        raise TooLarge(_("A letter may have at most %(n)s characters.", n=MAX_TEXT_UNITS))
    refuse_nul(wanted)
    if is_noop(ops) or wanted == base_text:
        raise InvalidInput(_("This suggestion changes nothing."), details={"field": "patch"})
    conflict = first_conflict(letter, base, ops)
    if conflict is not None:
        raise SuggestionConflict(
            _(
                "Revision %(n)s changed this text after revision %(base)s: suggest your change on the newest text.",
                n=conflict,
                base=base,
            )
        )
    suggestion = Suggestion(
        letter_id=letter.id,
        author_id=actor.id,
        base_revision=base,
        patch=patch,
        note=note,
        status=SuggestionStatus.OPEN.value,
    )
    db.session.add(suggestion)
    db.session.flush()
    audit.record(actor, "suggestion.created", f"letter:{letter.id}", suggestion=suggestion.id, base_revision=base)
    db.session.commit()
    return suggestion


def locate_quote(text: str, quote: str) -> tuple[int, int]:
    """The one place `quote` occurs in `text` (400 when it is missing or occurs more than once)."""
    if not quote:
        raise InvalidInput(_("Select the text, or type it exactly as it appears."), details={"field": "quote"})
    at = text.find(quote)
    if at < 0:
        raise InvalidInput(
            _("That text does not occur in this revision; copy it exactly as it appears."), details={"field": "quote"}
        )
    if text.find(quote, at + 1) >= 0:
        raise InvalidInput(
            _("That text occurs more than once; include a few words around it."), details={"field": "quote"}
        )
    return at, at + len(quote)


def check_range(text: str, start: object, end: object, *, allow_empty: bool) -> tuple[int, int]:
    """Character offsets of a range of `text` (400 when outside it)."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(_("%(what)s must be a character offset.", what=name), details={"field": name})
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start <= end <= len(text) or (start == end and not allow_empty):
        raise InvalidInput(
            _(
                "The range %(start)s–%(end)s is outside the text, which has %(n)s characters.",
                start=start,
                end=end,
                n=len(text),
            ),
            details={"field": "start"},
        )
    return start, end


def suggest_replacement(
    actor: Official | None,
    letter_id: object,
    base_revision: object,
    *,
    start: object = None,
    end: object = None,
    quote: object = None,
    replacement: object = "",
    note: object = "",
) -> Suggestion:
    """The pages' way to suggest: replace characters start..end of the base revision's text (or the
    one occurrence of `quote`) with `replacement`; start == end inserts."""
    require(actor, Action.SUGGEST)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    base = whole_number(base_revision, "base_revision")
    if base > letter.revision:
        raise InvalidInput(_("No such revision."), details={"field": "base_revision"})
    text = revision_text(letter, base)
    if not isinstance(replacement, str) or len(replacement) > MAX_REPLACEMENT_LENGTH:
        raise InvalidInput(_("The replacement is too long."), details={"field": "replacement"})
    replacement = replacement.replace("\r\n", "\n").replace("\r", "\n")
    if start is None and end is None:
        if not isinstance(quote, str):
            raise InvalidInput(_("Select the text, or type it exactly as it appears."), details={"field": "quote"})
        first, last = locate_quote(text, quote.replace("\r\n", "\n"))
    else:
        first, last = check_range(text, start, end, allow_empty=True)
    if text[first:last] == replacement:
        raise InvalidInput(_("The replacement is the same as the selected text."), details={"field": "replacement"})
    patch = make_patch(text, text[:first] + replacement + text[last:])
    return create_suggestion(actor, letter.id, base, patch, note)


# -- deciding ---------------------------------------------------------------------------------


def _record_problem(suggestion_id: int, message: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion_id, Suggestion.status == SuggestionStatus.OPEN.value)
        .values(problem=message[:500], updated_at=utcnow())
    )
    db.session.commit()


def _already_decided(suggestion: Suggestion) -> Conflict:
    if suggestion.status == SuggestionStatus.ACCEPTED.value:
        return Conflict(_("This suggestion was already accepted (revision %(n)s).", n=suggestion.revision))
    if suggestion.status == SuggestionStatus.REJECTED.value:
        return Conflict(_("This suggestion was already rejected."))
    return Conflict(_("This suggestion was withdrawn."))


def accept_suggestion(
    actor: Official | None,
    suggestion_id: object,
) -> Suggestion:
    """A drafter accepts: the patch is merged and stored like an edit, credited to the suggester,
    whole or not at all. A conflict stores nothing and leaves the suggestion open, with the reason."""
    require(actor, Action.DECIDE_SUGGESTION)
    suggestion = get_suggestion(actor, suggestion_id)
    if not suggestion.is_open:
        raise _already_decided(suggestion)
    sid = suggestion.id
    letter_id = suggestion.letter_id
    base, patch = suggestion.base_revision, suggestion.patch
    author = suggestion.author or actor  # the suggester, unless their account is gone

    def before_store(letter: Letter) -> None:
        try:
            _wanted, ops = edit_operation(revision_text(letter, base), patch)
        except SyncError as error:
            raise SyncRefused(error) from error
        conflict = first_conflict(letter, base, ops)
        if conflict is not None:
            raise SuggestionConflict(_conflict_message(conflict))
        result = db.session.execute(
            update(Suggestion)
            .where(Suggestion.id == sid, Suggestion.status == SuggestionStatus.OPEN.value)
            .values(
                status=SuggestionStatus.ACCEPTED.value,
                revision=letter.revision + 1,
                decided_by_id=actor.id,
                decided_at=utcnow(),
                problem=None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict(_("This suggestion was decided by someone else a moment ago."))
        audit.record(actor, "suggestion.accepted", f"letter:{letter.id}", suggestion=sid, revision=letter.revision + 1)

    try:
        store_edit(
            author, letter_id, f"suggestion-{sid}", base, patch, before_store=before_store
        )
    except (SyncRefused, SuggestionConflict) as error:
        if error.code == "conflict":
            _record_problem(sid, error.message)
        raise
    db.session.expire_all()
    suggestion = db.session.get(Suggestion, sid)
    assert suggestion is not None
    if suggestion.status != SuggestionStatus.ACCEPTED.value:  # cannot happen: the revision was stored with it
        raise Conflict(_("This suggestion was decided by someone else a moment ago."))
    return suggestion


def _close_open_suggestion(
    actor: Official, suggestion: Suggestion, status: SuggestionStatus, action: str
) -> Suggestion:
    """Move an open suggestion to `status`, once: a concurrent decision makes this a 409."""
    if not suggestion.is_open:
        raise _already_decided(suggestion)
    result = db.session.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion.id, Suggestion.status == SuggestionStatus.OPEN.value)
        .values(status=status.value, decided_by_id=actor.id, decided_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This suggestion was decided by someone else a moment ago."))
    audit.record(actor, action, f"letter:{suggestion.letter_id}", suggestion=suggestion.id)
    db.session.commit()
    db.session.refresh(suggestion)
    return suggestion


def reject_suggestion(actor: Official | None, suggestion_id: object) -> Suggestion:
    """A drafter rejects: the text is unchanged."""
    require(actor, Action.DECIDE_SUGGESTION)
    suggestion = get_suggestion(actor, suggestion_id)
    return _close_open_suggestion(actor, suggestion, SuggestionStatus.REJECTED, "suggestion.rejected")


def withdraw_suggestion(actor: Official | None, suggestion_id: object) -> Suggestion:
    """The suggester takes back an open suggestion."""
    require(actor, Action.SUGGEST)
    suggestion = get_suggestion(actor, suggestion_id)
    if suggestion.author_id != actor.id:
        raise Forbidden(_("Only the official who made a suggestion may withdraw it."))
    return _close_open_suggestion(actor, suggestion, SuggestionStatus.WITHDRAWN, "suggestion.withdrawn")


def refresh_suggestion(actor: Official | None, suggestion_id: object) -> Suggestion:
    """Re-place an open suggestion's change on the newest text (its suggester or a drafter).

    If the text it changes is untouched, it is carried over exactly; otherwise its change is placed
    by context (diff-match-patch's fuzzy patching). 409 when it cannot be placed any more.
    """
    suggestion = get_suggestion(actor, suggestion_id)
    if not (can(actor, Action.DECIDE_SUGGESTION) or (can(actor, Action.SUGGEST) and suggestion.author_id == actor.id)):
        raise Forbidden(_("Only a drafter or the official who made the suggestion may refresh it."))
    if not suggestion.is_open:
        raise _already_decided(suggestion)
    letter = load_letter(suggestion.letter_id, viewer=actor, need=Need.DRAFT)
    if letter.is_locked:
        raise LetterLocked(_("This letter is locked; its text can no longer change."))
    base_text = revision_text(letter, suggestion.base_revision)
    try:
        wanted, ops = edit_operation(base_text, suggestion.patch)
    except SyncError as error:
        raise SyncRefused(error) from error
    newest = letter.text
    if first_conflict(letter, suggestion.base_revision, ops) is None:
        placed = merge_edit(
            base_text, suggestion.patch, later_patches=patches_after(letter, suggestion.base_revision)
        ).text
    else:
        dmp = diff_match_patch()
        patches = dmp.patch_make(base_text, wanted)
        if _already_applied(dmp, patches, newest):
            raise InvalidInput(_("The newest text already has this change: reject or withdraw the suggestion."))
        placed, applied = dmp.patch_apply(patches, newest)
        if not all(applied):
            message = _(
                "The text this suggestion changes is gone or has changed too much. Make a new suggestion on the "
                "newest text."
            )
            _record_problem(suggestion.id, message)
            raise SuggestionConflict(message)
    if placed == newest:
        raise InvalidInput(_("The newest text already has this change: reject or withdraw the suggestion."))
    suggestion.base_revision = letter.revision
    suggestion.patch = make_patch(newest, placed)
    suggestion.problem = None
    audit.record(actor, "suggestion.refreshed", f"letter:{letter.id}", suggestion=suggestion.id, base=letter.revision)
    db.session.commit()
    return suggestion


def _already_applied(dmp: diff_match_patch, patches: list, newest: str) -> bool:
    """Each change, read with its context, is in the newest text and the text it replaces is not."""
    for patch in patches:
        old = "".join(text for op, text in patch.diffs if op != dmp.DIFF_INSERT)
        new = "".join(text for op, text in patch.diffs if op != dmp.DIFF_DELETE)
        if new not in newest or (old and old in newest):
            return False
    return bool(patches)


def proposed_text(letter: Letter, suggestion: Suggestion) -> str:
    """The base revision's text with the suggestion applied."""
    return apply_patch_exact(revision_text(letter, suggestion.base_revision), suggestion.patch)


def open_count(letter: Letter) -> int:
    return (
        db.session.scalar(
            select(func.count(Suggestion.id)).where(
                Suggestion.letter_id == letter.id, Suggestion.status == SuggestionStatus.OPEN.value
            )
        )
        or 0
    )
