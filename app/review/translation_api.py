"""/api/v1/letters/{id}/translations: a letter's translations, drafted, reviewed and locked with it
(see docs/api.md)."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from app.accounts.api_auth import api_official
from app.letters import translations
from app.letters.loading import Need, load_letter
from app.letters.schemas import TranslationRevisionSchema, TranslationSaveSchema, TranslationSchema
from app.letters.translation_models import LetterTranslation, TranslationRevision
from app.review import late_translations, translation_comments, translation_review
from app.review.comments import Thread
from app.review.history import RevisionDiff
from app.review.models import Comment
from app.review.schemas import (
    ApprovalCreateSchema,
    CommentCreateSchema,
    CommentSchema,
    DiffQuerySchema,
    DiffSchema,
    ThreadSchema,
)
from app.review.textdiff import word_diff
from app.shared.errors import NotFound
from app.web.api.blueprint import answers, blp

BEARER = [{"bearerAuth": []}]


def _readable(letter_id: int, language: str) -> LetterTranslation:
    """The translation as its reader may see it: of a locked letter, only a locked translation."""
    letter = load_letter(letter_id, viewer=api_official(), need=Need.READ)
    translation = translations.get_translation(letter.id, language)
    if letter.is_locked and not translation.is_locked:
        raise NotFound(_("This letter has no translation in that language yet."))
    return translation


@blp.route("/letters/<int:letter_id>/translations")
class Translations(MethodView):
    @blp.response(200, TranslationSchema(many=True))
    @answers(401, 404)
    def get(self, letter_id: int) -> list[LetterTranslation]:
        """A letter's translations: every one of a draft (officials), only those locked with it once locked."""
        return translations.published_translations(load_letter(letter_id, viewer=api_official(), need=Need.READ))


@blp.route("/letters/<int:letter_id>/translations/<language>")
class TranslationItem(MethodView):
    @blp.response(200, TranslationSchema)
    @answers(401, 404)
    def get(self, letter_id: int, language: str) -> LetterTranslation:
        """The newest version of the translation into `language` (e.g. `es`)."""
        return _readable(letter_id, language)

    @blp.arguments(TranslationSaveSchema)
    @blp.response(200, TranslationSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def put(self, payload: dict, letter_id: int, language: str) -> LetterTranslation:
        """Save a version of the translation (drafter), based on `base_revision` (0 for a new one).

        409 `stale`, nothing saved, if someone saved it after that version; 409 `locked` once the
        letter is locked. The same title and text again store nothing new."""
        return translations.save_translation(
            api_official(), letter_id, language, payload["title"], payload["text"], payload["base_revision"]
        )


@blp.route("/letters/<int:letter_id>/translations/<language>/revisions")
class TranslationRevisions(MethodView):
    @blp.response(200, TranslationRevisionSchema(many=True))
    @answers(401, 403, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, language: str) -> list[TranslationRevision]:
        """Every saved version of the translation, oldest first (officials)."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        return translations.translation_revisions(translations.get_translation(letter.id, language))


@blp.route("/letters/<int:letter_id>/translations/<language>/diff")
class TranslationDiff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200, DiffSchema)
    @answers(400, 401, 403, 404)
    @blp.doc(security=BEARER)
    def get(self, query: dict, letter_id: int, language: str) -> RevisionDiff:
        """The word diff between two saved versions of the translation's text (officials)."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        translation = translations.get_translation(letter.id, language)
        first = translations.translation_revision(translation, query["first"])
        second = translations.translation_revision(translation, query["second"])
        return RevisionDiff(first.number, second.number, word_diff(first.text, second.text))


@blp.route("/letters/<int:letter_id>/translations/<language>/approvals")
class TranslationApprovals(MethodView):
    @blp.arguments(ApprovalCreateSchema)
    @blp.response(201, TranslationSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int, language: str) -> LetterTranslation:
        """Approve the newest version of the translation (reviewer): 409 `stale` for an older one.
        Only a translation whose newest version is approved is locked with the letter."""
        return translation_review.approve_translation(api_official(), letter_id, language, payload["revision"])


@blp.route("/letters/<int:letter_id>/translations/<language>/publish")
class TranslationPublish(MethodView):
    @blp.arguments(ApprovalCreateSchema)
    @blp.response(200, TranslationSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int, language: str) -> LetterTranslation:
        """Publish a translation after the lock (clerk): one left out when the letter was locked, or
        started since, once a reviewer approved its newest version `revision`. It is locked with its
        own SHA-256; signatures made before keep the hashes they recorded. 409 `not_locked` for a
        draft letter, `stale` for an older version, `translation_not_approved`, or `locked` when it
        is locked already; nothing changes."""
        return late_translations.publish_translation(api_official(), letter_id, language, payload["revision"])


@blp.route("/letters/<int:letter_id>/translations/<language>/comments")
class TranslationComments(MethodView):
    @blp.response(200, ThreadSchema(many=True))
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, language: str) -> list[Thread]:
        """Comment threads on the translation, oldest first, each anchor carried to its newest
        version (`anchor.revision`; officials). Reply and resolve as on the original's comments."""
        return translation_comments.list_translation_threads(api_official(), letter_id, language)

    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @answers(400, 401, 404, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int, language: str) -> Comment:
        """Comment on characters start..end of a saved version of the translation (`revision`,
        default: the newest). 400 outside the text; 404 for an unknown translation or version."""
        return translation_comments.add_translation_comment(
            api_official(),
            letter_id,
            language,
            payload["body"],
            revision=payload.get("revision"),
            start=payload["start"],
            end=payload["end"],
        )
