"""Suggestions: a reviewer (or a drafter) proposes a change as a patch on a revision, with a note;
a drafter accepts it (merged and stored like an edit, credited to the suggester) or rejects it.

A suggestion *conflicts* when the text it changes was edited after its base revision: a later
revision deleted some of the text it replaces, inserted inside it, or deleted a character next to
where it inserts. Accepting a conflicting suggestion stores nothing (409 `conflict`) and leaves it
open with the reason; *refreshing* it re-places the change on the newest text.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.revision_texts import text_at
from app.letters.revisions import SyncRefused, refuse_nul
from app.review.events import Change, announce
from app.review.models import Suggestion, SuggestionStatus
from app.review.suggestion_footprints import SuggestionConflict, first_conflict
from app.review.textdiff import Diffs, hunks, word_diff
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, Forbidden, InvalidInput, LetterLocked, NotFound, TooLarge
from app.shared.ids import whole_number
from app.sync import (
    MAX_TEXT_UNITS,
    SyncError,
    check_patch_text,
    edit_operation,
    is_noop,
    make_patch,
    utf16_len,
)

MAX_NOTE_LENGTH = 2000
MAX_REPLACEMENT_LENGTH = 20_000


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
    base_text = text_at(letter, suggestion.base_revision)
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
            ngettext(
                "The note may have at most %(num)d character.",
                "The note may have at most %(num)d characters.",
                MAX_NOTE_LENGTH,
            ),
            details={"field": "note"},
        )
    return note.strip()


def _checked_change(letter: Letter, base_revision: object, patch: object) -> tuple[int, str]:
    """The base revision and patch of a suggested change, checked as `create_suggestion` says."""
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
    try:
        patch = check_patch_text(patch)
        base_text = text_at(letter, base)
        wanted, ops = edit_operation(base_text, patch)
    except SyncError as error:
        raise SyncRefused(error) from error
    if utf16_len(wanted) > MAX_TEXT_UNITS:
        raise TooLarge(
            ngettext(
                "A letter may have at most %(num)d character.",
                "A letter may have at most %(num)d characters.",
                MAX_TEXT_UNITS,
            )
        )
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
    return base, patch


def create_suggestion(
    actor: Official | None, letter_id: object, base_revision: object, patch: object, note: object = ""
) -> Suggestion:
    """A reviewer or drafter proposes `patch` (as in real-time drafting) on `base_revision`."""
    require(actor, Action.SUGGEST)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    base, patch = _checked_change(letter, base_revision, patch)
    note = _clean_note(note)
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
    announce(suggestion, Change.CREATED)
    return suggestion


def revise_suggestion(
    actor: Official | None, suggestion_id: object, base_revision: object, patch: object, note: object = None
) -> Suggestion:
    """Its suggester replaces an open suggestion's change (typing on in the drafting room's
    suggestion mode): the same rules as `create_suggestion`; the note is kept unless given.
    Only while it is open (409 once decided), and only by the official who made it (403)."""
    require(actor, Action.SUGGEST)
    suggestion = get_suggestion(actor, suggestion_id)
    if suggestion.author_id != actor.id:
        raise Forbidden(_("Only the official who made a suggestion may change it."))
    if not suggestion.is_open:
        raise Conflict(_("This suggestion was already decided; make a new one."))
    letter = load_letter(suggestion.letter_id, viewer=actor, need=Need.DRAFT)
    base, patch = _checked_change(letter, base_revision, patch)
    clean_note = suggestion.note if note is None else _clean_note(note)
    result = db.session.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion.id, Suggestion.status == SuggestionStatus.OPEN.value)
        .values(base_revision=base, patch=patch, note=clean_note, problem=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This suggestion was already decided; make a new one."))
    audit.record(actor, "suggestion.revised", f"letter:{letter.id}", suggestion=suggestion.id, base_revision=base)
    db.session.commit()
    db.session.refresh(suggestion)
    announce(suggestion, Change.UPDATED)
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
            ngettext(
                "The range %(start)s–%(end)s is outside the text, which has %(num)d character.",
                "The range %(start)s–%(end)s is outside the text, which has %(num)d characters.",
                len(text),
                start=start,
                end=end,
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
    text = text_at(letter, base)
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


def open_count(letter: Letter) -> int:
    return (
        db.session.scalar(
            select(func.count(Suggestion.id)).where(
                Suggestion.letter_id == letter.id, Suggestion.status == SuggestionStatus.OPEN.value
            )
        )
        or 0
    )
