"""Translations of a letter: drafted through a plain form or the API, one saved version at a time.

A save names the version it was based on (`base_revision`, 0 for a new translation): if someone
saved meanwhile, nothing is saved (409 `stale`). Every save is kept as a revision for reviewers.
Saves hold the letter's write lock, so a translation never changes while the clerk locks. Once the
letter is locked, a translation that was not locked with it (left out, or started since) may still
be saved, approved and then published by the clerk (app.review.late_translations); a locked
translation never changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Connection, select

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.creation import validate_letter_text
from app.letters.events import letter_locked, translation_published
from app.letters.models import Letter
from app.letters.translation_models import LetterTranslation, TranslationRevision, TranslationStatus
from app.letters.write_lock import letter_write_lock
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput, LetterLocked, NotFound
from app.shared.ids import whole_number
from app.shared.validation import clean_text


class StaleTranslation(Conflict):
    """Someone saved the translation after the version the caller based its change on."""

    code = "stale"


def translation_languages() -> list[str]:
    """The languages a letter may be translated into: the site's languages but the original's."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [language for language in current_app.config["LANGUAGES"] if language != default]


def check_language(language: object) -> str:
    if not isinstance(language, str) or language not in translation_languages():
        raise NotFound(
            _("Letters can be translated into: %(languages)s.", languages=", ".join(translation_languages())),
            details={"field": "language"},
        )
    return language


def translations_for(letter_id: int) -> list[LetterTranslation]:
    """Every translation of the letter, by language."""
    query = select(LetterTranslation).where(LetterTranslation.letter_id == letter_id)
    return list(db.session.scalars(query.order_by(LetterTranslation.language)))


def published_translations(letter: Letter) -> list[LetterTranslation]:
    """What readers may see: every translation of a draft (officials only see drafts), and only the
    translations locked with it once the letter is locked."""
    found = translations_for(letter.id)
    return [t for t in found if t.is_locked] if letter.is_locked else found


def locked_translation(letter: Letter, language: str) -> LetterTranslation | None:
    """The translation locked with the letter in `language`, if there is one."""
    if not letter.is_locked:
        return None
    return next((t for t in translations_for(letter.id) if t.language == language and t.is_locked), None)


@dataclass(frozen=True)
class LetterVersion:
    """The version of a locked letter a reader gets in their language: its translation locked
    with it when there is one (`translated`), else the original. `original_hash` is authoritative."""

    title: str
    language: str
    content_hash: str | None
    original_hash: str | None
    translated: bool


def letter_version(letter: Letter | Mapping[str, Any]) -> LetterVersion:
    """The version for the current language (the page's, or the one a mail is rendered in).
    `letter` is a Letter, or the `{id, title, content_hash}` a mail rendered later carries."""
    if isinstance(letter, Mapping):
        letter_id, title, original_hash = letter.get("id"), letter.get("title", ""), letter.get("content_hash")
    else:
        letter_id, title, original_hash = letter.id, letter.title, letter.content_hash
    language = str(get_locale())
    # Asked once per letter and language per app context (a request, or a round of the mail
    # sender, which renders many mails of one letter); forgotten when a version is locked.
    memo = g.setdefault("letter_versions", {}) if has_app_context() else {}
    key = (letter_id, language)
    if key not in memo:
        memo[key] = None if letter_id is None else _locked_translation(letter_id, language)
    translation = memo[key]
    if translation is None:
        original = current_app.config["BABEL_DEFAULT_LOCALE"]
        return LetterVersion(title, original, original_hash, original_hash, False)
    translated_title, translated_hash = translation
    return LetterVersion(translated_title, language, translated_hash, original_hash, True)


def forget_versions(_sender: object = None, **_: object) -> None:
    """Subscriber of `letter_locked` and `translation_published`: a version was locked in this
    app context, so `letter_version` asks the database again."""
    if has_app_context():
        g.pop("letter_versions", None)


def subscribe() -> None:
    """Connect `forget_versions` (blinker keeps one subscription)."""
    letter_locked.connect(forget_versions)
    translation_published.connect(forget_versions)


def _locked_translation(letter_id: int, language: str) -> tuple[str, str | None] | None:
    """(title, content_hash) of the letter's locked translation into `language`, if any."""
    row = db.session.execute(
        select(LetterTranslation.title, LetterTranslation.content_hash).where(
            LetterTranslation.letter_id == letter_id,
            LetterTranslation.language == language,
            LetterTranslation.status == TranslationStatus.LOCKED.value,
        )
    ).first()
    return None if row is None else (row[0], row[1])


def locked_hashes(connection: Connection, letters: Mapping[int, Any]) -> dict[int, dict[str, str]]:
    """For each held letter (rows with `content_hash`), the SHA-256 of every locked version, as
    `version_hashes` above, read with one Core query (for the batched confirmations)."""
    hashes = {letter_id: {"original": row.content_hash or ""} for letter_id, row in letters.items()}
    if hashes:
        rows = connection.execute(
            select(LetterTranslation.letter_id, LetterTranslation.language, LetterTranslation.content_hash).where(
                LetterTranslation.letter_id.in_(list(hashes)),
                LetterTranslation.status == TranslationStatus.LOCKED.value,
            )
        )
        for row in rows:
            hashes[row.letter_id][row.language] = row.content_hash or ""
    return hashes


def get_translation(letter_id: int, language: object) -> LetterTranslation:
    language = check_language(language)
    translation = db.session.scalar(
        select(LetterTranslation).where(
            LetterTranslation.letter_id == letter_id, LetterTranslation.language == language
        )
    )
    if translation is None:
        raise NotFound(_("This letter has no translation in that language yet."))
    return translation


def translation_revisions(translation: LetterTranslation) -> list[TranslationRevision]:
    """Every saved version, oldest first."""
    query = select(TranslationRevision).where(TranslationRevision.translation_id == translation.id)
    return list(db.session.scalars(query.order_by(TranslationRevision.number)))


def translation_revision(translation: LetterTranslation, number: object) -> TranslationRevision:
    number = whole_number(number, "revision")
    found = db.session.scalar(
        select(TranslationRevision).where(
            TranslationRevision.translation_id == translation.id, TranslationRevision.number == number
        )
    )
    if found is None:
        raise NotFound(_("This translation has no revision %(n)s.", n=number), details={"field": "revision"})
    return found


def check_translation_open(translation: LetterTranslation | None) -> None:
    """A translation may change (be saved or approved) unless it is locked: with the letter, or
    published after it."""
    if translation is not None and translation.is_locked:
        raise LetterLocked(_("This translation is locked with the letter: it can no longer change."))


def stored_translation(letter_id: int, language: str) -> LetterTranslation | None:
    """The translation as stored now (read again, for a caller holding the letter's write lock)."""
    return db.session.scalar(
        select(LetterTranslation)
        .where(LetterTranslation.letter_id == letter_id, LetterTranslation.language == language)
        .execution_options(populate_existing=True)
    )


def open_translation(letter_id: int, language: str) -> LetterTranslation:
    """For a caller holding the letter's write lock: the translation as stored now, which must exist
    (404) and may still change (409 `locked` otherwise)."""
    get_translation(letter_id, language)  # 404 when there is none
    translation = stored_translation(letter_id, language)
    assert translation is not None
    check_translation_open(translation)
    return translation


def save_translation(
    actor: Official | None, letter_id: int, language: object, title: object, text: object, base_revision: object
) -> LetterTranslation:
    """A drafter saves a version of the translation, based on `base_revision` (0: a new one).
    Saving the same title and text again stores nothing new."""
    require(actor, Action.EDIT_DRAFT)
    language = check_language(language)
    title = clean_text(title, "title")
    text = validate_letter_text(text)
    if base_revision is None:
        raise InvalidInput(_("%(field)s is required.", field="base_revision"), details={"field": "base_revision"})
    base = whole_number(base_revision, "base_revision")
    with letter_write_lock(letter_id) as letter:
        translation = stored_translation(letter.id, language)
        check_translation_open(translation)
        newest = translation.revision if translation is not None else 0
        if base != newest:
            raise StaleTranslation(
                _(
                    "Someone saved this translation after the version you edited (version %(n)s): "
                    "its newest is version %(newest)s. Nothing was saved.",
                    n=base,
                    newest=newest,
                ),
                details={"base_revision": base, "newest": newest},
            )
        if translation is not None and (translation.title, translation.text) == (title, text):
            return translation
        if translation is None:
            translation = LetterTranslation(letter_id=letter.id, language=language, title=title, text=text, revision=1)
            translation.status = TranslationStatus.DRAFTING.value
            db.session.add(translation)
            db.session.flush()
        else:
            translation.title, translation.text = title, text
            translation.revision += 1
        translation.updated_at = utcnow()
        db.session.add(
            TranslationRevision(
                translation_id=translation.id, number=translation.revision, title=title, text=text, author_id=actor.id
            )
        )
        audit.record(
            actor, "translation.saved", f"letter:{letter.id}", language=language, revision=translation.revision
        )
        db.session.commit()
        return translation
