"""Server-to-room events of the drafting protocol: the socket layer's subscribers to the letters'
domain events (app/letters/events.py, app/review/events.py), connected at start-up by `subscribe`.
Revisions go through the relay and each process's feed (relay.py, fanout.py); a lock, a
suggestion's change and a change to a comment thread (the `suggestions` and `comment` extension
events, docs/protocol.md) are sent to the room (through the message queue when several processes
share one)."""

from __future__ import annotations

import logging

from app.drafting import relay
from app.drafting.rooms import NAMESPACE, room
from app.extensions import socketio
from app.letters.events import LockResult, letter_locked, text_changed
from app.review.events import CommentChange, SuggestionChange, comment_changed, suggestion_changed

log = logging.getLogger(__name__)


def broadcast_locked(result: LockResult) -> None:
    socketio.emit("locked", result.event(), to=room(result.letter_id), namespace=NAMESPACE)


def broadcast_suggestion(change: SuggestionChange) -> None:
    """The `suggestions` event (an extension of the contract, docs/protocol.md): everyone in the
    letter, the suggester included, learns that a suggestion was made, changed or decided. The
    change is committed already: if the message cannot leave (the message queue is down), the
    rooms' pages still see it on their next poll."""
    try:
        socketio.emit("suggestions", change.event(), to=room(change.letter_id), namespace=NAMESPACE)
    except Exception:
        log.warning("could not tell letter %s's room about suggestion %s", change.letter_id, change.suggestion_id)


def broadcast_comment(change: CommentChange) -> None:
    socketio.emit("comment", change.event(), to=room(change.letter_id), namespace=NAMESPACE)


def subscribe() -> None:
    """Send every stored batch of revisions, every lock, every suggestion's change and every
    change to a comment thread (idempotent)."""
    text_changed.connect(relay.publish_revisions)
    letter_locked.connect(broadcast_locked)
    suggestion_changed.connect(broadcast_suggestion)
    comment_changed.connect(broadcast_comment)
