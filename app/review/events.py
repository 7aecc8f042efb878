"""Domain events of review, for whoever subscribes (the drafting socket layer tells the letter's
room, app/drafting/broadcast.py, so that every drafter and reviewer sees them without asking):

    suggestion_changed.send(SuggestionChange)   an open suggestion was made, changed or decided
                                                (suggestions.py, suggestion_decisions.py)
    comment_changed.send(CommentChange)         a comment was added to a letter, a reply was added
                                                to a thread, or a thread was resolved or reopened
                                                (comments.py)

Each is sent after the change is committed, by the use-case that made it, whoever called it: the
drafting room, the review pages or the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from blinker import Namespace

if TYPE_CHECKING:
    from app.review.models import Suggestion

_signals = Namespace()
suggestion_changed = _signals.signal("suggestion-changed")
comment_changed = _signals.signal("comment-changed")


class Change(StrEnum):
    """What happened to the suggestion."""

    CREATED = "created"
    UPDATED = "updated"  # its suggester typed on (or a refresh placed it on the newest text)
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class SuggestionChange:
    letter_id: int
    suggestion_id: int
    change: Change
    status: str
    author: dict[str, Any]  # the suggester {id, name}; id None when the account is gone
    revision: int | None = None  # the revision an accepted suggestion made

    def event(self) -> dict[str, Any]:
        """The payload of the drafting protocol's `suggestions` event (docs/protocol.md)."""
        return {
            "letter_id": self.letter_id,
            "suggestion_id": self.suggestion_id,
            "change": self.change.value,
            "status": self.status,
            "author": self.author,
            "revision": self.revision,
        }


def announce(suggestion: Suggestion, change: Change) -> None:
    """Send `suggestion_changed` for a suggestion whose change is committed."""
    author = suggestion.author
    suggestion_changed.send(
        SuggestionChange(
            letter_id=suggestion.letter_id,
            suggestion_id=suggestion.id,
            change=change,
            status=suggestion.status,
            author={"id": author.id, "name": author.name} if author is not None else {"id": None, "name": None},
            revision=suggestion.revision,
        )
    )


CommentAction = Literal["added", "replied", "resolved", "reopened"]


@dataclass(frozen=True)
class CommentChange:
    """What happened to which thread of which letter, and who did it."""

    letter_id: int
    thread_id: int
    comment_id: int
    action: CommentAction
    author: dict[str, Any]

    def event(self) -> dict[str, Any]:
        """The payload of the drafting protocol's `comment` event (docs/protocol.md)."""
        return {
            "letter_id": self.letter_id,
            "thread_id": self.thread_id,
            "comment_id": self.comment_id,
            "action": self.action,
            "author": self.author,
        }
