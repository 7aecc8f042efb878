"""Domain events of review, for whoever subscribes (the drafting socket layer tells the letter's
room, app/drafting/broadcast.py):

    comment_changed.send(CommentChange)    a comment was added to a letter, a reply was added to
                                           a thread, or a thread was resolved or reopened

Each is sent after the change is committed, by the use-case that made it (app/review/comments.py),
whoever called it: the drafting room, the review pages or the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from blinker import Namespace

_signals = Namespace()
comment_changed = _signals.signal("comment-changed")

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
