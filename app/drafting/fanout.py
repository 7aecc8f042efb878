"""Delivering stored revisions to this process's drafting connections, in order.

Revisions reach a process from its own writes and, with several processes, from the others'
through the relay (app/drafting/relay.py), so they may arrive out of order: each letter's feed
passes them on strictly in revision order, holding a revision that arrives early until the
ones before it arrive (or, after `GAP_WAIT` seconds, giving up on the gap: clients then fetch
it). Each revision is then sent:

* to version-1 connections at once, as one `revision` event each;
* to version-2 connections in `revisions` events: a revision arriving when the letter's last
  event left at least `DRAFT_BATCH_INTERVAL_MS` ago leaves at once; otherwise it waits for
  the end of that interval with the others that arrive meanwhile, so a busy letter costs one
  message per drafter per interval rather than one per revision.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from app.drafting.rooms import NAMESPACE, room_v1, room_v2
from app.extensions import socketio

GAP_WAIT = 0.25  # seconds an early revision waits for the ones before it

_interval = 0.02  # DRAFT_BATCH_INTERVAL_MS, in seconds


@dataclass
class _Feed:
    next: int | None = None  # the revision expected next (None: whatever comes)
    held: dict[int, dict[str, Any]] = field(default_factory=dict)
    unsent: list[dict[str, Any]] = field(default_factory=list)  # passed on, not yet sent to version 2
    last_sent: float = 0.0
    flush_due: bool = False
    gap_watch: bool = False


_feeds: dict[int, _Feed] = {}
_guard = threading.Lock()


def configure(app: Flask) -> None:
    global _interval
    _interval = max(0, int(app.config.get("DRAFT_BATCH_INTERVAL_MS", 20))) / 1000


def clear() -> None:
    """Forget every feed (tests start each app from nothing)."""
    with _guard:
        _feeds.clear()


def expect(letter_id: int, revision: int) -> None:
    """A connection joined at `revision`: a feed that knows nothing yet starts after it."""
    with _guard:
        feed = _feeds.setdefault(letter_id, _Feed())
        if feed.next is None:
            feed.next = revision + 1


def receive(letter_id: int, revisions: list[dict[str, Any]]) -> None:
    """Revisions of a letter, each a version-1 `revision` payload, from any process."""
    with _guard:
        feed = _feeds.setdefault(letter_id, _Feed())
        for event in revisions:
            number = event["revision"]
            if feed.next is None or number == feed.next:
                _pass_on(letter_id, feed, event)
            elif number > feed.next:
                feed.held[number] = event
        while feed.next in feed.held:
            _pass_on(letter_id, feed, feed.held.pop(feed.next))
        if feed.held and not feed.gap_watch:
            feed.gap_watch = True
            socketio.start_background_task(_end_gap, letter_id, feed)
        _send_or_schedule(letter_id, feed)


def _has_members(room: str) -> bool:
    """Whether a room has connections on this process (an emit encodes its packet even for an
    empty room, so a letter without version-1 clients skips that work)."""
    try:
        return bool(socketio.server.manager.rooms.get(NAMESPACE, {}).get(room))
    except AttributeError:  # python-socketio keeps its rooms elsewhere: just send
        return True


def _pass_on(letter_id: int, feed: _Feed, event: dict[str, Any]) -> None:
    feed.next = event["revision"] + 1
    if _has_members(room_v1(letter_id)):
        socketio.emit("revision", event, to=room_v1(letter_id), namespace=NAMESPACE, ignore_queue=True)
    feed.unsent.append(event)


def _send_or_schedule(letter_id: int, feed: _Feed) -> None:
    if not feed.unsent or feed.flush_due:
        return
    wait = feed.last_sent + _interval - time.monotonic()
    if wait <= 0:
        _send(letter_id, feed)
    else:
        feed.flush_due = True
        socketio.start_background_task(_send_later, letter_id, feed, wait)


def _send(letter_id: int, feed: _Feed) -> None:
    batch = {"letter_id": letter_id, "revisions": feed.unsent}
    feed.unsent = []
    feed.last_sent = time.monotonic()
    if _has_members(room_v2(letter_id)):
        socketio.emit("revisions", batch, to=room_v2(letter_id), namespace=NAMESPACE, ignore_queue=True)


def _send_later(letter_id: int, feed: _Feed, wait: float) -> None:
    socketio.sleep(wait)
    with _guard:
        feed.flush_due = False
        if feed.unsent:
            _send(letter_id, feed)


def _end_gap(letter_id: int, feed: _Feed) -> None:
    """After GAP_WAIT, pass on what is held even if revisions before it never came."""
    socketio.sleep(GAP_WAIT)
    with _guard:
        feed.gap_watch = False
        if feed.held:
            feed.next = min(feed.held)
            while feed.next in feed.held:
                _pass_on(letter_id, feed, feed.held.pop(feed.next))
            if feed.held:
                feed.gap_watch = True
                socketio.start_background_task(_end_gap, letter_id, feed)
        _send_or_schedule(letter_id, feed)
