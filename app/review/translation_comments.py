"""Comments on a translation, as on the original (app.review.comments): on a passage of one saved
version, in threads with replies, resolved or reopened. A translation is saved whole, version by
version, so an anchor is carried from version to version through the diff between their texts
(text typed at its start goes before it, at its end after it); once all of its text is gone it is
outdated for good."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import select

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.translation_models import LetterTranslation
from app.letters.translations import get_translation, translation_revision, translation_revisions
from app.review.comments import Thread, carry_anchors, gather_threads, moving_anchors, store_comment
from app.review.models import Comment
from app.shared.ids import whole_number
from app.sync import operation_between


def add_translation_comment(
    actor: Official | None,
    letter_id: object,
    language: object,
    body: object,
    *,
    revision: object = None,
    start: object = None,
    end: object = None,
    quote: object = None,
) -> Comment:
    """Comment on characters start..end of version `revision` of the translation (default: its
    newest), or on the one occurrence of `quote` in it. 400 outside the text; 404 for an unknown
    translation or version."""
    require(actor, Action.COMMENT)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    translation = get_translation(letter.id, language)
    number = translation.revision if revision is None else whole_number(revision, "revision")
    text = translation.text if number == translation.revision else translation_revision(translation, number).text
    return store_comment(
        actor, letter.id, text, number, body, start=start, end=end, quote=quote, translation_id=translation.id
    )


def track_translation_anchors(translation: LetterTranslation, roots: list[Comment]) -> None:
    """Carry these threads' anchors to the translation's newest version, version by version."""
    moving = moving_anchors(roots, translation.revision)
    if moving:
        first = min(c.tracked_revision for c in moving)  # type: ignore[type-var]
        texts = [v.text for v in translation_revisions(translation) if v.number >= first]
        pairs = enumerate(pairwise(texts), start=1)
        steps = ((first + i, operation_between(old, new)) for i, (old, new) in pairs)
        carry_anchors(moving, translation.revision, steps)


def translation_threads(translation: LetterTranslation) -> list[Thread]:
    """Every thread on the translation, oldest first, anchors carried to its newest version."""
    comments = list(
        db.session.scalars(select(Comment).where(Comment.translation_id == translation.id).order_by(Comment.id))
    )
    track_translation_anchors(translation, [c for c in comments if c.parent_id is None])
    return gather_threads(translation.text, comments)


def list_translation_threads(actor: Official | None, letter_id: object, language: object) -> list[Thread]:
    """Every thread on the letter's translation into `language`, for an official."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    return translation_threads(get_translation(letter.id, language))
