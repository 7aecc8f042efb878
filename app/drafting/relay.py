"""Revisions and presence between server processes.

Each stored batch of revisions (the letters' `text_changed` event, sent while the letter is
still held) is passed to this process's feed (app/drafting/fanout.py) at once and, when
several processes share a Redis (`SOCKETIO_MESSAGE_QUEUE=redis://...`), published on the
channel `<SOCKETIO_CHANNEL>:drafting`; every other process passes it to its own feed, which
puts revisions from all processes in order. Presence travels the same way: each process
publishes who is in each letter on it, whenever that changes and every `HEARTBEAT` seconds,
and asks the others for theirs when it starts. So do ended credentials (a sign-out, a new
password, a deactivation, a revoked token): every process closes that official's connections
that no longer hold.

Without Redis (one process) nothing leaves the process. When Redis is unreachable the edit is
still stored and answered; other processes' drafters catch up by fetching.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.drafting import fanout, presence
from app.extensions import socketio
from app.letters.events import RevisionBatch

log = logging.getLogger(__name__)

HEARTBEAT = 10  # seconds between re-publications of this process's presence
PROCESS = secrets.token_hex(8)  # this process, in messages

_redis: Any = None
_channel = "undersigned:drafting"
_listening = False
_credentials_ended_elsewhere: Callable[[int], None] | None = None


def publish_revisions(batch: RevisionBatch) -> None:
    """Subscriber of `text_changed`: this process's connections, then the others'."""
    events = batch.events()
    fanout.receive(batch.letter_id, events)
    _publish({"kind": "revisions", "letter_id": batch.letter_id, "revisions": events})


def publish_presence(letter_id: int) -> None:
    """Tell the other processes who is in the letter on this one."""
    _publish({"kind": "presence", "letter_id": letter_id, "users": presence.local_users(letter_id)})


def publish_credentials_ended(official_id: int) -> None:
    """Subscriber of `credentials_ended`: the other server processes close that official's
    connections whose session or token no longer holds, as this one does (a connection that only
    listens makes no request that would find out). Works from a command too (`flask users ...`)."""
    _connect(current_app._get_current_object())  # type: ignore[attr-defined]
    _publish({"kind": "credentials_ended", "official_id": official_id})


def on_credentials_ended_elsewhere(handler: Callable[[int], None]) -> None:
    """What this process does when another one says an official's credentials ended."""
    global _credentials_ended_elsewhere
    _credentials_ended_elsewhere = handler


def _publish(message: dict[str, Any]) -> None:
    if _redis is None:
        return
    try:
        _redis.publish(_channel, json.dumps({**message, "from": PROCESS}, separators=(",", ":")))
    except Exception:
        log.warning("could not publish to the other server processes (Redis unreachable)")


def _handle(raw: bytes) -> None:
    message = json.loads(raw)
    sender = message.get("from")
    if sender == PROCESS:
        return
    kind = message.get("kind")
    if kind == "revisions":
        fanout.receive(message["letter_id"], message["revisions"])
    elif kind == "presence":
        if presence.update_remote(message["letter_id"], sender, message["users"]):
            presence.announce(message["letter_id"])
    elif kind == "credentials_ended" and _credentials_ended_elsewhere is not None:
        _credentials_ended_elsewhere(int(message["official_id"]))
    elif kind == "hello":
        for letter_id in presence.local_letters():
            publish_presence(letter_id)


def _listen() -> None:
    """Background task: pass on what the other processes publish; reconnect after a failure."""
    while True:
        try:
            pubsub = _redis.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(_channel)
            _publish({"kind": "hello"})
            for message in pubsub.listen():
                try:
                    _handle(message["data"])
                except Exception:
                    log.exception("could not pass on a message from another server process")
        except Exception:
            log.warning("lost the other server processes (Redis); reconnecting")
            socketio.sleep(1)


def _heartbeat() -> None:
    while True:
        socketio.sleep(HEARTBEAT)
        for letter_id in presence.local_letters():
            publish_presence(letter_id)
        for letter_id in presence.expire_remote():
            presence.announce(letter_id)


def _connect(app: Flask) -> bool:
    """The Redis client for publishing, when a Redis message queue is configured."""
    global _redis, _channel
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return False
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(url)
        _channel = f"{app.config.get('SOCKETIO_CHANNEL', 'undersigned')}:drafting"
    return True


def start(app: Flask) -> None:
    """Connect to the other processes (publish and listen) when a Redis message queue is configured."""
    global _listening
    if _listening or not _connect(app):
        return
    _listening = True
    socketio.start_background_task(_listen)
    socketio.start_background_task(_heartbeat)
