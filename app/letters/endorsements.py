"""Officials endorse a locked letter, once each; the endorsement records the content hash."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Endorsement
from app.shared.errors import Conflict
from app.shared.validation import clean_text


def endorse(actor: Official | None, letter_id: int, title: object = None) -> Endorsement:
    require(actor, Action.ENDORSE)
    letter = load_letter(letter_id, need=Need.EXISTS)
    if not letter.is_locked:
        raise Conflict(_("Only a locked letter can be endorsed."))
    title = clean_text(title, _("Title"), max_length=200) if title not in (None, "") else None
    endorsement = Endorsement(letter_id=letter.id, official_id=actor.id, title=title, content_hash=letter.content_hash)
    db.session.add(endorsement)
    audit.record(actor, "letter.endorsed", f"letter:{letter.id}", content_hash=letter.content_hash)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("You have already endorsed this letter.")) from error
    return endorsement


def endorsements_for(letter_id: int) -> list[Endorsement]:
    return list(
        db.session.scalars(
            select(Endorsement).where(Endorsement.letter_id == letter_id).order_by(Endorsement.created_at)
        )
    )


def endorsement_count(letter_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Endorsement.letter_id == letter_id)) or 0


def has_endorsed(official: Official | None, letter_id: int) -> bool:
    if official is None:
        return False
    return (
        db.session.scalar(
            select(Endorsement.id).where(Endorsement.letter_id == letter_id, Endorsement.official_id == official.id)
        )
        is not None
    )
