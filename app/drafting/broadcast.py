"""Server-to-room events of the drafting protocol, used by socket handlers and HTTP calls alike."""

from __future__ import annotations

from app.drafting.edits import StoredRevision
from app.extensions import socketio
from app.review.locking import LockResult

NAMESPACE = "/draft"


def room(letter_id: int) -> str:
    return f"letter:{letter_id}"


def broadcast_revision(stored: StoredRevision) -> None:
    """The contract's `revision` event, to everyone in the letter's room (the sender included)."""
    socketio.emit("revision", stored.event(), to=room(stored.letter_id), namespace=NAMESPACE)


def broadcast_locked(result: LockResult) -> None:
    socketio.emit("locked", result.event(), to=room(result.letter_id), namespace=NAMESPACE)
