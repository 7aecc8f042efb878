"""Who is in each letter's room, in this process (shown as names with colours)."""

from __future__ import annotations

import threading
from typing import Any

from app.accounts.models import Official

PALETTE = ["#0b5cab", "#a4161a", "#2b7a0b", "#7a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f"]

_rooms: dict[int, dict[str, dict[str, Any]]] = {}
_guard = threading.Lock()


def user_json(official: Official) -> dict[str, Any]:
    return {"id": official.id, "name": official.name, "color": PALETTE[official.id % len(PALETTE)]}


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


def snapshot(letter_id: int) -> dict[str, Any]:
    """The `presence` event: each official once, however many tabs they have open."""
    with _guard:
        users = {user["id"]: user for user in _rooms.get(letter_id, {}).values()}
    return {"letter_id": letter_id, "users": sorted(users.values(), key=lambda u: u["name"])}
