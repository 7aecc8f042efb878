"""Server-to-room events of the drafting protocol: the socket layer's subscribers to the letters'
domain events (app/letters/events.py, app/review/events.py), connected at start-up by `subscribe`.
Revisions go through the relay and each process's feed (relay.py, fanout.py); a lock and a
change to a comment thread (the `comment` extension event, docs/protocol.md) are sent to the room."""

from __future__ import annotations

from app.drafting import relay
from app.drafting.rooms import NAMESPACE, room
from app.extensions import socketio
from app.letters.events import LockResult, letter_locked, text_changed
from app.review.events import CommentChange, comment_changed


def broadcast_locked(result: LockResult) -> None:
    socketio.emit("locked", result.event(), to=room(result.letter_id), namespace=NAMESPACE)


def broadcast_comment(change: CommentChange) -> None:
    socketio.emit("comment", change.event(), to=room(change.letter_id), namespace=NAMESPACE)


def subscribe() -> None:
    """Send every stored batch of revisions, every lock and every change to a comment thread
    (idempotent)."""
    text_changed.connect(relay.publish_revisions)
    letter_locked.connect(broadcast_locked)
    comment_changed.connect(broadcast_comment)
