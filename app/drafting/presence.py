"""Who is in each letter's room (shown as names with colours), across server processes.

Each process knows its own connections and what the other processes last published of theirs
(app/drafting/relay.py); a process that stops publishing is forgotten after `REMOTE_TTL`
seconds. The `presence` event a connection gets is the union of both.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from app.accounts.models import Official
from app.drafting.rooms import NAMESPACE, room
from app.extensions import socketio

PALETTE = ["#0b5cab", "#a4161a", "#2b7a0b", "#7a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f"]
REMOTE_TTL = 35  # seconds: three missed heartbeats

_rooms: dict[int, dict[str, dict[str, Any]]] = {}
# letter -> process -> (users, when last heard)
_remote: dict[int, dict[str, tuple[list[dict[str, Any]], float]]] = {}
_guard = threading.Lock()


def user_json(official: Official) -> dict[str, Any]:
    return {"id": official.id, "name": official.name, "color": PALETTE[official.id % len(PALETTE)]}


def clear() -> None:
    with _guard:
        _rooms.clear()
        _remote.clear()


def enter(letter_id: int, sid: str, official: Official) -> None:
    with _guard:
        _rooms.setdefault(letter_id, {})[sid] = user_json(official)


def leave(letter_id: int, sid: str) -> bool:
    with _guard:
        return _rooms.get(letter_id, {}).pop(sid, None) is not None


def leave_all(sid: str) -> list[int]:
    with _guard:
        left = [letter_id for letter_id, members in _rooms.items() if members.pop(sid, None) is not None]
    return left


def is_present(letter_id: int, sid: str) -> bool:
    with _guard:
        return sid in _rooms.get(letter_id, {})


def local_users(letter_id: int) -> list[dict[str, Any]]:
    """The officials in the letter on this process (each once)."""
    with _guard:
        return list({user["id"]: user for user in _rooms.get(letter_id, {}).values()}.values())


def local_letters() -> list[int]:
    with _guard:
        return [letter_id for letter_id, members in _rooms.items() if members]


def update_remote(letter_id: int, process: str, users: list[dict[str, Any]]) -> bool:
    """What another process published; whether it changes what this one shows."""
    with _guard:
        processes = _remote.setdefault(letter_id, {})
        before = processes.get(process, ([], 0.0))[0]
        processes[process] = (users, time.monotonic())
        return before != users


def expire_remote() -> list[int]:
    """Forget processes not heard from for REMOTE_TTL seconds; the letters that changed."""
    cutoff = time.monotonic() - REMOTE_TTL
    changed = []
    with _guard:
        for letter_id, processes in _remote.items():
            for process in [p for p, (_users, heard) in processes.items() if heard < cutoff]:
                del processes[process]
                changed.append(letter_id)
    return changed


def snapshot(letter_id: int) -> dict[str, Any]:
    """The `presence` event: each official once, however many tabs and processes."""
    with _guard:
        users = {user["id"]: user for user in _rooms.get(letter_id, {}).values()}
        for remote_users, _heard in _remote.get(letter_id, {}).values():
            for user in remote_users:
                users.setdefault(user["id"], user)
    return {"letter_id": letter_id, "users": sorted(users.values(), key=lambda u: u["name"])}


def announce(letter_id: int) -> None:
    """Send the letter's presence to its connections on this process."""
    socketio.emit("presence", snapshot(letter_id), to=room(letter_id), namespace=NAMESPACE, ignore_queue=True)
