"""Comments on a range of a revision's text, threaded replies, resolving.

An anchor follows its text through later revisions: its ends are carried through each later
revision's operation (text typed at its start goes before it, text typed at its end goes after
it). Once every character of it has been deleted it is *outdated* for good. The newest place an
anchor was carried to is kept on the comment (in UTF-16 units), so each revision is replayed for
it once, not on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.revision_texts import text_at
from app.letters.revisions import author_json
from app.review.events import CommentAction, CommentChange, comment_changed
from app.review.history import replay, require_revision
from app.review.models import Comment
from app.review.suggestions import check_range, locate_quote
from app.shared.db_types import utcnow
from app.shared.errors import InvalidInput, NotFound
from app.shared.ids import whole_number
from app.sync import Operation, from_utf16_view, map_offset, to_utf16_view, utf16_len

MAX_BODY_LENGTH = 5000
CONTEXT = 40


def _clean_body(body: object) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(_("Write the comment first."), details={"field": "body"})
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(
            ngettext(
                "A comment may have at most %(num)d character.",
                "A comment may have at most %(num)d characters.",
                MAX_BODY_LENGTH,
            ),
            details={"field": "body"},
        )
    return body.strip().replace("\r\n", "\n")


def _characters(text: str, offset: object) -> object:
    """A UTF-16 offset into `text` as a character offset; anything that is not an offset into it
    is returned as it is, for `check_range` to refuse."""
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= utf16_len(text):
        return offset
    try:
        return len(from_utf16_view(to_utf16_view(text)[:offset]))
    except ValueError:  # between the two halves of an emoji, say
        raise InvalidInput(_("The range must not split a character."), details={"field": "start"}) from None


def _announce(comment: Comment, thread_id: int, action: CommentAction, actor: Official | None) -> None:
    comment_changed.send(CommentChange(comment.letter_id, thread_id, comment.id, action, author_json(actor)))


def get_comment(actor: Official | None, comment_id: object) -> Comment:
    require(actor, Action.READ_DRAFT)
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None:
        raise NotFound(_("No such comment."))
    return comment


def add_comment(
    actor: Official | None,
    letter_id: object,
    body: object,
    *,
    revision: object = None,
    start: object = None,
    end: object = None,
    quote: object = None,
    utf16: bool = False,
) -> Comment:
    """Comment on characters start..end of revision `revision` (default: the newest), or on the one
    occurrence of `quote` in it. With `utf16`, start and end count UTF-16 code units (a browser's
    offsets). A range outside the text is a 400; an unknown revision a 404."""
    require(actor, Action.COMMENT)
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    number = letter.revision if revision is None else require_revision(letter, whole_number(revision, "revision"))
    return store_comment(
        actor, letter.id, text_at(letter, number), number, body, start=start, end=end, quote=quote, utf16=utf16
    )


def store_comment(
    actor: Official,
    letter_id: int,
    text: str,
    number: int,
    body: object,
    *,
    start: object = None,
    end: object = None,
    quote: object = None,
    translation_id: int | None = None,
    utf16: bool = False,
) -> Comment:
    """Store a comment on characters start..end (or the one occurrence of `quote`) of `text`, the
    text of version `number` of the letter, or of its translation `translation_id`; with `utf16`,
    start and end count UTF-16 code units."""
    body = _clean_body(body)
    if start is None and end is None and isinstance(quote, str):
        first, last = locate_quote(text, quote.replace("\r\n", "\n"))
    elif utf16:
        first, last = check_range(text, _characters(text, start), _characters(text, end), allow_empty=False)
    else:
        first, last = check_range(text, start, end, allow_empty=False)
    tracked_start = utf16_len(text[:first])
    comment = Comment(
        letter_id=letter_id,
        translation_id=translation_id,
        author_id=actor.id,
        body=body,
        revision=number,
        start=first,
        end=last,
        quote=text[first:last],
        tracked_revision=number,
        tracked_start=tracked_start,
        tracked_end=tracked_start + utf16_len(text[first:last]),
        outdated=False,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        actor, "comment.added", f"letter:{letter_id}", comment=comment.id, revision=number, translation=translation_id
    )
    db.session.commit()
    _announce(comment, comment.id, "added", actor)
    return comment


def reply(actor: Official | None, comment_id: object, body: object) -> Comment:
    """A reply in a comment's thread (replying to a reply answers the same thread)."""
    require(actor, Action.COMMENT)
    parent = get_comment(actor, comment_id)
    root = parent if parent.parent_id is None else db.session.get(Comment, parent.parent_id)
    assert root is not None
    body = _clean_body(body)
    answer = Comment(
        letter_id=root.letter_id, translation_id=root.translation_id, parent_id=root.id, author_id=actor.id, body=body
    )
    db.session.add(answer)
    db.session.flush()
    audit.record(actor, "comment.replied", f"letter:{root.letter_id}", comment=answer.id, thread=root.id)
    db.session.commit()
    _announce(answer, root.id, "replied", actor)
    return answer


def set_resolved(actor: Official | None, comment_id: object, resolved: bool = True) -> Comment:
    """Resolve a thread (or reopen it)."""
    require(actor, Action.COMMENT)
    comment = get_comment(actor, comment_id)
    if comment.parent_id is not None:
        comment = db.session.get(Comment, comment.parent_id) or comment
    action: CommentAction | None = None
    if resolved and comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = actor.id
        audit.record(actor, "comment.resolved", f"letter:{comment.letter_id}", comment=comment.id)
        action = "resolved"
    elif not resolved and comment.resolved_at is not None:
        comment.resolved_at = None
        comment.resolved_by_id = None
        audit.record(actor, "comment.reopened", f"letter:{comment.letter_id}", comment=comment.id)
        action = "reopened"
    db.session.commit()
    if action is not None:
        _announce(comment, comment.id, action, actor)
    return comment


# -- anchors ----------------------------------------------------------------------------------


def carry_anchor(start: int, end: int, ops: Operation) -> tuple[int, int]:
    """An anchor's ends (UTF-16 units) after `ops`: text typed at its start goes before it, text
    typed at its end after it; an anchor whose text is all deleted collapses (start == end)."""
    new_start = map_offset(start, ops, after_insert=True)
    new_end = map_offset(end, ops, after_insert=False)
    return new_start, max(new_start, new_end)


def moving_anchors(comments: list[Comment], newest: int) -> list[Comment]:
    """The top-level comments whose anchors are not yet carried to version `newest`."""
    return [
        c
        for c in comments
        if c.parent_id is None and not c.outdated and c.tracked_revision is not None and c.tracked_revision < newest
    ]


def carry_anchors(moving: list[Comment], newest: int, steps: Iterable[tuple[int, Operation]]) -> None:
    """Carry the anchors of `moving` through `steps` (each later version's number and the operation
    that made it, in order) to version `newest`, and keep them."""
    places = {c.id: (c.tracked_start or 0, c.tracked_end or 0) for c in moving}
    for number, ops in steps:
        for comment in moving:
            if comment.tracked_revision < number:  # type: ignore[operator]
                places[comment.id] = carry_anchor(*places[comment.id], ops)
    for comment in moving:
        start, end = places[comment.id]
        comment.tracked_revision = newest
        comment.tracked_start, comment.tracked_end = start, end
        if start >= end:
            comment.outdated = True
    db.session.commit()


def track_anchors(letter: Letter, comments: list[Comment]) -> None:
    """Carry the anchors of these (top-level) comments to the newest revision and keep them."""
    moving = moving_anchors(comments, letter.revision)
    if moving:
        first = min(c.tracked_revision for c in moving)  # type: ignore[type-var]
        steps = ((number, ops) for number, _view, ops in replay(letter, first, letter.revision))
        carry_anchors(moving, letter.revision, steps)


@dataclass(frozen=True)
class Anchor:
    """Where a comment's text is in the newest revision."""

    outdated: bool
    start: int | None = None
    end: int | None = None
    text: str = ""
    before: str = ""
    after: str = ""


def anchor_in(text: str, comment: Comment) -> Anchor:
    """The anchor of a tracked comment in `text` (the newest text), in characters."""
    if comment.outdated or comment.tracked_start is None or comment.tracked_end is None:
        return Anchor(outdated=True)
    view = to_utf16_view(text)
    if comment.tracked_end > len(view):
        return Anchor(outdated=True)
    if len(view) == len(text):
        start, end = comment.tracked_start, comment.tracked_end
    else:
        start = len(from_utf16_view(view[: comment.tracked_start]))
        end = start + len(from_utf16_view(view[comment.tracked_start : comment.tracked_end]))
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return Anchor(
        outdated=False,
        start=start,
        end=end,
        text=text[start:end],
        before=("…" if start > CONTEXT else "") + before,
        after=after + ("…" if end + CONTEXT < len(text) else ""),
    )


@dataclass
class Thread:
    comment: Comment
    anchor: Anchor
    replies: list[Comment] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        """The anchored text is still there but reads differently from when it was commented on."""
        return not self.anchor.outdated and self.anchor.text != (self.comment.quote or "")


def threads_for(letter: Letter) -> list[Thread]:
    """Every thread on the letter's original, oldest first, anchors carried to the newest revision."""
    comments = list(
        db.session.scalars(
            select(Comment).where(Comment.letter_id == letter.id, Comment.translation_id.is_(None)).order_by(Comment.id)
        )
    )
    roots = [c for c in comments if c.parent_id is None]
    track_anchors(letter, roots)
    return gather_threads(letter.text, comments)


def gather_threads(text: str, comments: list[Comment]) -> list[Thread]:
    """Threads of `comments` (roots and replies, oldest first; the roots' anchors carried to `text`)."""
    threads = {c.id: Thread(c, anchor_in(text, c)) for c in comments if c.parent_id is None}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(threads.values())


def list_threads(actor: Official | None, letter_id: object) -> list[Thread]:
    """Every thread of the letter for an official (see `threads_for`)."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    return threads_for(letter)
