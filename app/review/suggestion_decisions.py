"""Deciding a suggestion: a drafter accepts it (merged and stored like an edit, whole or not at
all, credited to the suggester) or rejects it; its author withdraws it or refreshes it onto the
newest text."""

from __future__ import annotations

from diff_match_patch import diff_match_patch
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.accounts.authorization import Action, can, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.revision_texts import patches_after, text_at
from app.letters.revisions import SyncRefused, store_edit
from app.review.events import Change, announce
from app.review.models import Suggestion, SuggestionStatus
from app.review.suggestion_footprints import SuggestionConflict, conflict_message, first_conflict
from app.review.suggestions import get_suggestion
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, Forbidden, InvalidInput, LetterLocked
from app.sync import (
    SyncError,
    edit_operation,
    make_patch,
    merge_edit,
)


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
            _wanted, ops = edit_operation(text_at(letter, base), patch)
        except SyncError as error:
            raise SyncRefused(error) from error
        conflict = first_conflict(letter, base, ops)
        if conflict is not None:
            raise SuggestionConflict(conflict_message(conflict))
        result = db.session.execute(
            update(Suggestion)
            .where(
                Suggestion.id == sid,
                Suggestion.status == SuggestionStatus.OPEN.value,
                # Not changed by its suggester meanwhile (suggestion mode updates it as they type).
                Suggestion.base_revision == base,
                Suggestion.patch == patch,
            )
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
            raise _changed_meanwhile(sid)
        audit.record(actor, "suggestion.accepted", f"letter:{letter.id}", suggestion=sid, revision=letter.revision + 1)

    try:
        store_edit(author, letter_id, f"suggestion-{sid}", base, patch, before_store=before_store)
    except (SyncRefused, SuggestionConflict) as error:
        if error.code == "conflict":
            _record_problem(sid, error.message)
        raise
    db.session.expire_all()
    suggestion = db.session.get(Suggestion, sid)
    assert suggestion is not None
    if suggestion.status != SuggestionStatus.ACCEPTED.value:  # cannot happen: the revision was stored with it
        raise Conflict(_("This suggestion was decided by someone else a moment ago."))
    announce(suggestion, Change.ACCEPTED)
    return suggestion


def _changed_meanwhile(suggestion_id: int) -> Conflict:
    """Why an accept found the suggestion no longer as it was read: decided, or changed by its suggester."""
    status = db.session.scalar(select(Suggestion.status).where(Suggestion.id == suggestion_id))
    if status == SuggestionStatus.OPEN.value:
        return Conflict(_("Its suggester changed this suggestion a moment ago: look at it again, then accept it."))
    return Conflict(_("This suggestion was decided by someone else a moment ago."))


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
    announce(suggestion, Change(status.value))
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
    base_text = text_at(letter, suggestion.base_revision)
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
    announce(suggestion, Change.UPDATED)
    return suggestion


def _already_applied(dmp: diff_match_patch, patches: list, newest: str) -> bool:
    """Each change, read with its context, is in the newest text and the text it replaces is not."""
    for patch in patches:
        old = "".join(text for op, text in patch.diffs if op != dmp.DIFF_INSERT)
        new = "".join(text for op, text in patch.diffs if op != dmp.DIFF_DELETE)
        if new not in newest or (old and old in newest):
            return False
    return bool(patches)
