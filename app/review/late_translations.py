"""Publishing a translation after the lock: when the clerk locked the letter without a translation
(no reviewer had approved it yet), drafters may finish it and a reviewer approve it afterwards; the
clerk then publishes it, locking it with its own SHA-256 beside the original's.

Signatures made before keep the hashes they recorded (the versions locked when they signed);
signatures made after it record its hash too (app.signing.confirmations reads every locked
version's hash in each batch)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.events import TranslationPublished, translation_published
from app.letters.translation_models import LetterTranslation
from app.letters.translations import StaleTranslation, check_language, open_translation
from app.letters.write_lock import letter_write_lock
from app.review.locking import TranslationNotApproved, lock_translation
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput
from app.shared.ids import whole_number


class LetterNotLocked(Conflict):
    """The letter is still being drafted: its approved translations are locked with it."""

    code = "not_locked"


def publish_translation(
    actor: Official | None, letter_id: int, language: object, revision: object
) -> LetterTranslation:
    """The clerk publishes version `revision` of a translation of a locked letter: it must be the
    newest version (else StaleTranslation) and approved by a reviewer (else TranslationNotApproved).
    Nothing changes when refused. `translation_published` is sent once committed."""
    require(actor, Action.LOCK_LETTER)
    language = check_language(language)
    if revision is None:
        raise InvalidInput(_("%(field)s is required.", field="revision"), details={"field": "revision"})
    number = whole_number(revision, "revision")
    with letter_write_lock(letter_id) as letter:
        if not letter.is_locked:
            raise LetterNotLocked(
                _(
                    "This letter is not locked yet: its approved translations are locked with it when the "
                    "clerk locks it. Nothing was published."
                )
            )
        translation = open_translation(letter.id, language)
        if number != translation.revision:
            raise StaleTranslation(
                _(
                    "This translation was saved again after version %(n)s: its newest is version %(newest)s. "
                    "Nothing was published.",
                    n=number,
                    newest=translation.revision,
                ),
                details={"revision": number, "newest": translation.revision},
            )
        if not translation.approved:
            raise TranslationNotApproved(
                _(
                    "No reviewer has approved version %(n)s of this translation: have it approved first. "
                    "Nothing was published.",
                    n=number,
                ),
                details={"languages": [language]},
            )
        digest = lock_translation(translation, utcnow())
        audit.record(
            actor,
            "translation.published_after_lock",
            f"letter:{letter.id}",
            language=language,
            revision=number,
            content_hash=digest,
        )
        db.session.commit()
        translation_published.send(TranslationPublished(letter.id, language, digest))
        return translation
