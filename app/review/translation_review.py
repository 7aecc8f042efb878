"""Reviewing a translation: a reviewer approves its newest version (409 `stale` when it was saved
again since the version they read). Only an approved translation is locked with the letter, or
published after it (app.review.late_translations); a locked one is never approved again."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.translation_models import LetterTranslation
from app.letters.translations import StaleTranslation, check_language, open_translation
from app.letters.write_lock import letter_write_lock
from app.shared.db_types import utcnow
from app.shared.errors import InvalidInput
from app.shared.ids import whole_number


def approve_translation(
    actor: Official | None, letter_id: int, language: object, revision: object
) -> LetterTranslation:
    """The reviewer approves version `revision` of the translation, which must be its newest."""
    require(actor, Action.APPROVE)
    language = check_language(language)
    if revision is None:
        raise InvalidInput(_("%(field)s is required.", field="revision"), details={"field": "revision"})
    number = whole_number(revision, "revision")
    with letter_write_lock(letter_id) as letter:
        translation = open_translation(letter.id, language)
        if number != translation.revision:
            raise StaleTranslation(
                _(
                    "Only the newest version of a translation can be approved: version %(newest)s, "
                    "not %(n)s. Nothing was approved.",
                    n=number,
                    newest=translation.revision,
                ),
                details={"revision": number, "newest": translation.revision},
            )
        translation.approved_revision, translation.approved_by_id = number, actor.id
        translation.approved_at = utcnow()
        audit.record(actor, "translation.approved", f"letter:{letter.id}", language=language, revision=number)
        db.session.commit()
        return translation
