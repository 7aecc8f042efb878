"""Letters: creation, reading and listing, with the access rules."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.authorization import Action, can, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.models import Letter, LetterStatus, Revision
from app.shared.errors import InvalidInput, NotFound, TooLarge
from app.shared.validation import clean_text
from app.sync import MAX_TEXT_UNITS, normalise_newlines, utf16_len


@dataclass(frozen=True)
class LetterCounts:
    endorsements: int = 0
    signatures: int = 0


def validate_letter_text(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput("text must be a string.", details={"field": "text"})
    text = normalise_newlines(text)
    if utf16_len(text) > MAX_TEXT_UNITS:
        raise TooLarge(_("A letter may have at most %(n)s characters.", n=MAX_TEXT_UNITS), details={"field": "text"})
    return text


def create_letter(actor: Official | None, title: object, text: object) -> Letter:
    """A clerk or drafter creates a letter; its text is revision 0."""
    require(actor, Action.CREATE_LETTER)
    title = clean_text(title, "title")
    text = validate_letter_text(text)
    letter = Letter(title=title, text=text, revision=0, status=LetterStatus.DRAFTING.value, creator_id=actor.id)
    db.session.add(letter)
    db.session.flush()
    db.session.add(
        Revision(
            letter_id=letter.id,
            number=0,
            author_id=actor.id,
            base_revision=0,
            edit_id=f"create-{letter.id}",
            patch="",
            snapshot=text,
        )
    )
    audit.record(actor, "letter.created", f"letter:{letter.id}", title=title)
    db.session.commit()
    return letter


def get_letter(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(_("No such letter."))
    return letter


def get_readable_letter(viewer: Official | None, letter_id: int) -> Letter:
    """Anyone reads a locked letter; only officials read a draft."""
    letter = get_letter(letter_id)
    if not letter.is_locked:
        require(viewer, Action.READ_DRAFT)
    return letter


def get_draft_for_official(viewer: Official | None, letter_id: int) -> Letter:
    require(viewer, Action.READ_DRAFT)
    return get_letter(letter_id)


def list_letters(viewer: Official | None) -> list[Letter]:
    """Officials see every letter; the public sees locked ones."""
    query = select(Letter).order_by(Letter.updated_at.desc())
    if not can(viewer, Action.READ_DRAFT):
        query = query.where(Letter.status == LetterStatus.LOCKED.value)
    return list(db.session.scalars(query))


def letter_counts(letter: Letter) -> LetterCounts:
    """Endorsements, and signatures: confirmed online ones plus imported paper ones (exact)."""
    from app.letters.endorsements import endorsement_count

    return LetterCounts(endorsements=endorsement_count(letter.id), signatures=letter.signature_count)
