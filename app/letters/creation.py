"""Creating a letter: its title and text become revision 0."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.models import Letter, LetterStatus, Revision
from app.letters.revisions import refuse_nul
from app.shared.errors import InvalidInput, TooLarge
from app.shared.validation import clean_text
from app.sync import MAX_TEXT_UNITS, normalise_newlines, utf16_len


def validate_letter_text(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput(_("text must be a string."), details={"field": "text"})
    text = normalise_newlines(text)
    if utf16_len(text) > MAX_TEXT_UNITS:
        raise TooLarge(
            ngettext(
                "A letter may have at most %(num)d character.",
                "A letter may have at most %(num)d characters.",
                MAX_TEXT_UNITS,
            ),
            details={"field": "text"},
        )
    refuse_nul(text)
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
