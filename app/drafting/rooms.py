"""The Socket.IO namespace and rooms of drafting. Every connection in a letter joins the
letter's room (presence, cursors, `locked`) and the room of its protocol version (revisions)."""

from __future__ import annotations

NAMESPACE = "/draft"
PROTOCOLS = (1, 2)


def room(letter_id: int) -> str:
    """Everyone in the letter."""
    return f"letter:{letter_id}"


def room_v1(letter_id: int) -> str:
    """Connections that get one `revision` event per revision."""
    return f"letter:{letter_id}:v1"


def room_v2(letter_id: int) -> str:
    """Connections that get `revisions` events (protocol version 2)."""
    return f"letter:{letter_id}:v2"


def protocol_rooms(letter_id: int) -> tuple[str, ...]:
    return room_v1(letter_id), room_v2(letter_id)
