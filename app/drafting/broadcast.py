"""Server-to-room events of the drafting protocol: the socket layer's subscribers to the letters'
domain events (app/letters/events.py), connected at start-up by `subscribe`."""

from __future__ import annotations

from app.extensions import socketio
from app.letters.events import LockResult, StoredRevision, letter_locked, text_changed

NAMESPACE = "/draft"


def room(letter_id: int) -> str:
    return f"letter:{letter_id}"


def broadcast_revision(stored: StoredRevision) -> None:
    """The contract's `revision` event, to everyone in the letter's room (the sender included)."""
    socketio.emit("revision", stored.event(), to=room(stored.letter_id), namespace=NAMESPACE)


def broadcast_locked(result: LockResult) -> None:
    socketio.emit("locked", result.event(), to=room(result.letter_id), namespace=NAMESPACE)


def subscribe() -> None:
    """Broadcast every stored revision and every lock (idempotent)."""
    text_changed.connect(broadcast_revision)
    letter_locked.connect(broadcast_locked)
