"""Where a letter's review stands, as a small snapshot that changes whenever anything a review page
shows changes: the newest revision, the status, and the counts of suggestions, comments, approvals,
checkpoints and review requests (with the newest decision or resolution). The review pages poll it
(with its ETag) to update themselves while drafters type, and say what changed since a snapshot.

One query per snapshot, reading no text: it is cheap enough to be asked every few seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.extensions import db
from app.letters.models import Letter, LetterStatus, Revision
from app.review.models import Approval, Checkpoint, Comment, ReviewRequest, Suggestion, SuggestionStatus
from app.shared.errors import NotFound
from app.shared.ids import whole_number
from app.web.dates import names_list

# At most this many names in "3 new revisions by A, B and C".
NAMED_AUTHORS = 3


@dataclass(frozen=True)
class Snapshot:
    """The counts a review page's reader is told about (`since`), in the order of `token()`."""

    revision: int
    suggestions: int
    comments: int
    approvals: int
    checkpoints: int
    requests: int
    locked: int

    def token(self) -> str:
        """A compact form for the `since` parameter: "57.3.10.2.1.0.0"."""
        return ".".join(str(n) for n in astuple(self))

    @classmethod
    def parse(cls, token: object) -> Snapshot | None:
        """The snapshot a `since` parameter names, or None for anything malformed."""
        if not isinstance(token, str) or len(token) > 120:
            return None
        parts = token.split(".")
        if len(parts) != len(cls.__dataclass_fields__) or not all(p.isdecimal() and len(p) <= 12 for p in parts):
            return None
        return cls(*(int(p) for p in parts))


@dataclass(frozen=True)
class LiveState:
    letter_id: int
    snapshot: Snapshot
    # Changes that leave the counts as they are: a suggestion decided, a thread resolved or reopened.
    open_suggestions: int
    open_threads: int
    newest_change: datetime | None

    @property
    def etag(self) -> str:
        """Changes whenever anything the review pages show about the letter changes."""
        stamp = self.newest_change.isoformat() if self.newest_change else ""
        raw = f"{self.letter_id}|{self.snapshot.token()}|{self.open_suggestions}|{self.open_threads}|{stamp}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _count(model, *conditions) -> object:
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def live_state(actor: Official | None, letter_id: object) -> LiveState:
    """The letter's snapshot for an official (Action.READ_DRAFT); 404 when there is no such letter."""
    require(actor, Action.READ_DRAFT)
    letter_id = whole_number(letter_id, "letter_id")
    row = db.session.execute(
        select(
            Letter.revision,
            Letter.status,
            _count(Suggestion, Suggestion.letter_id == letter_id),
            _count(Comment, Comment.letter_id == letter_id),
            _count(Approval, Approval.letter_id == letter_id),
            _count(Checkpoint, Checkpoint.letter_id == letter_id),
            _count(ReviewRequest, ReviewRequest.letter_id == letter_id),
            _count(Suggestion, Suggestion.letter_id == letter_id, Suggestion.status == SuggestionStatus.OPEN.value),
            _count(Comment, Comment.letter_id == letter_id, Comment.parent_id.is_(None), Comment.resolved_at.is_(None)),
            select(func.max(Suggestion.updated_at)).where(Suggestion.letter_id == letter_id).scalar_subquery(),
            select(func.max(Comment.resolved_at)).where(Comment.letter_id == letter_id).scalar_subquery(),
        ).where(Letter.id == letter_id)
    ).one_or_none()
    if row is None:
        raise NotFound(_("No such letter."))
    revision, status, suggestions, comments, approvals, checkpoints, requests, open_s, open_t, changed, resolved = row
    locked = int(status == LetterStatus.LOCKED.value)
    snapshot = Snapshot(revision, suggestions, comments, approvals, checkpoints, requests, locked)
    newest = max((d for d in (changed, resolved) if d is not None), default=None)
    return LiveState(letter_id, snapshot, open_s, open_t, newest)


def announcement(state: LiveState, since: Snapshot | None) -> str:
    """What changed since `since`, in a sentence or a few, for a screen reader ("" for nothing new)."""
    if since is None:
        return ""
    now = state.snapshot
    parts: list[str] = []
    new_revisions = now.revision - since.revision
    if new_revisions > 0:
        names = _authors_since(state.letter_id, since.revision, now.revision)
        parts.append(
            ngettext(
                "%(num)d new revision by %(names)s.", "%(num)d new revisions by %(names)s.", new_revisions, names=names
            )
            if names
            else ngettext("%(num)d new revision.", "%(num)d new revisions.", new_revisions)
        )
    for new, singular, plural in (
        (now.suggestions - since.suggestions, "%(num)d new suggestion.", "%(num)d new suggestions."),
        (now.comments - since.comments, "%(num)d new comment.", "%(num)d new comments."),
        (now.approvals - since.approvals, "%(num)d new approval.", "%(num)d new approvals."),
        (now.checkpoints - since.checkpoints, "%(num)d new checkpoint.", "%(num)d new checkpoints."),
    ):
        if new > 0:
            parts.append(ngettext(singular, plural, new))
    if now.locked and not since.locked:
        parts.append(_("The letter is locked."))
    return " ".join(parts)


def _authors_since(letter_id: int, since: int, newest: int) -> str:
    names = list(
        db.session.scalars(
            select(Official.name)
            .distinct()
            .join(Revision, Revision.author_id == Official.id)
            .where(Revision.letter_id == letter_id, Revision.number > since, Revision.number <= newest)
            .order_by(Official.name)
            .limit(NAMED_AUTHORS + 1)
        )
    )
    if len(names) > NAMED_AUTHORS:
        return names_list([*names[:NAMED_AUTHORS], _("others")])
    return names_list(names)
