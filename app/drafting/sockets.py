"""The contract's Socket.IO drafting protocol, namespace /draft.

Every request is acknowledged with {ok: true, ...} or {ok: false, error: {code, message}}.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room

from app.accounts import credentials
from app.accounts.credentials import Credential
from app.accounts.events import credentials_ended
from app.accounts.models import Official
from app.drafting import edit_limits, fanout, presence, relay
from app.drafting import edits as drafting
from app.drafting.broadcast import subscribe
from app.drafting.payloads import PacketJSON, check_payload
from app.drafting.rooms import NAMESPACE, PROTOCOLS, protocol_rooms, room, room_v1, room_v2
from app.extensions import db, socketio
from app.shared.errors import InvalidInput, NotFound, ServiceError, Unauthorized
from app.shared.ids import is_whole_number, whole_number

log = logging.getLogger(__name__)

# What each connection was opened with, and the language of its answers (connections are
# local to a process).
_connections: dict[str, Credential] = {}
_languages: dict[str, str] = {}
_app: Flask  # the app the Socket.IO server was bound to (register_sockets)


def connection_official() -> Official | None:
    """The connection's official while its credential holds (checked on every request, one
    query); a connection whose session or token has ended is taken out of its rooms at once."""
    credential = _connections.get(request.sid)
    if credential is None:
        return None
    official = credentials.official_holding(credential)
    if official is None:
        _forget_connection(request.sid)
    return official


def _forget_connection(sid: str) -> None:
    """A connection whose credential ended gets nothing more: no room's events, no presence."""
    _connections.pop(sid, None)
    for name in socketio.server.rooms(sid, namespace=NAMESPACE):
        if name != sid:
            leave_room(name, sid=sid, namespace=NAMESPACE)
    _presence_changed(presence.leave_all(sid))


def _presence_changed(letter_ids: list[int]) -> None:
    for letter_id in letter_ids:
        presence.announce(letter_id)
        relay.publish_presence(letter_id)


def close_ended_connections(official_id: int) -> None:
    """Subscriber of `credentials_ended`: close this process's connections of that official
    whose session or token no longer holds. A failure here is only logged: the change is
    committed, and each connection's next request is checked anyway."""
    try:
        for sid, credential in list(_connections.items()):
            if credential.official_id == official_id and credentials.official_holding(credential) is None:
                _connections.pop(sid, None)
                socketio.server.disconnect(sid, namespace=NAMESPACE)
    except Exception:
        log.exception("could not close the drafting connections of official %s", official_id)


def _close_ended_connections_here(official_id: int) -> None:
    """Another process ended an official's credentials: close their connections here too."""
    with _app.app_context():
        close_ended_connections(official_id)
        db.session.remove()


def error_answer(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A refusal; an edit over the rate limit also says after how many seconds to send it again."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details and "retry_after" in details:
        error["retry_after"] = details["retry_after"]
    return {"ok": False, "error": error}


def _code_for(error: ServiceError) -> str:
    if isinstance(error, NotFound):
        return "unknown_letter"
    if isinstance(error, InvalidInput) and error.code not in ("bad_patch", "too_large", "conflict"):
        return "bad_request"
    return error.code


def answer(work: Callable[[], dict]) -> dict:
    """Run a request: {ok: true, ...} or its error as a code (nothing changed)."""
    try:
        return {"ok": True, **work()}
    except ServiceError as error:
        db.session.rollback()
        return error_answer(_code_for(error), error.message, error.details)
    except Exception:
        db.session.rollback()
        log.exception("drafting event failed")
        return error_answer("server_error", _("The server failed; nothing was changed. Try again."))
    finally:
        db.session.remove()


def acknowledged(handler: Callable[[Official, dict], dict]) -> Callable[[Any], dict]:
    """Turn a handler into an acknowledged request: checks the connection's credential (one
    query) and the payload, and maps errors to codes."""

    @functools.wraps(handler)
    def wrapper(payload: Any = None) -> dict:
        def work() -> dict:
            official = connection_official()
            if official is None:
                raise Unauthorized(_("This connection is not signed in."))
            return handler(official, check_payload(payload))

        return answer(work)

    return wrapper


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth: Any = None) -> None:
    official = credential = None
    try:
        if isinstance(auth, dict) and isinstance(auth.get("token"), str):
            official, credential = credentials.for_token(auth["token"])
        elif current_user and current_user.is_authenticated:
            official = current_user._get_current_object()
            credential = credentials.for_session(official)
    except ServiceError:
        official = None
    except Exception as error:  # the database is down: say so instead of leaving the client hanging
        db.session.remove()
        log.exception("drafting connection could not be checked")
        raise ConnectionRefusedError(
            "server_error", {"code": "server_error", "message": _("The server cannot check sign-ins right now.")}
        ) from error
    finally:
        if official is None:
            db.session.remove()
    if official is None:
        raise ConnectionRefusedError(
            "unauthorized", {"code": "unauthorized", "message": _("Sign in, or connect with auth {token: TOKEN}.")}
        )
    _connections[request.sid] = credential
    _languages[request.sid] = str(get_locale())
    db.session.remove()
    relay.start(current_app._get_current_object())


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args: Any) -> None:
    _connections.pop(request.sid, None)
    _languages.pop(request.sid, None)
    edit_limits.forget_connection(request.sid)
    _presence_changed(presence.leave_all(request.sid))


@socketio.on("join", namespace=NAMESPACE)
@acknowledged
def on_join(official: Official, payload: dict) -> dict:
    """Join a letter's room: {letter_id, protocol?}; version 2 gets `revisions` batches."""
    protocol = payload.get("protocol", 1)
    if protocol not in PROTOCOLS or isinstance(protocol, bool):
        raise InvalidInput(_("protocol must be 1 or 2."))
    letter = drafting.join(official, payload.get("letter_id"))
    for name in protocol_rooms(letter.id):
        leave_room(name)
    join_room(room(letter.id))
    join_room(room_v2(letter.id) if protocol == 2 else room_v1(letter.id))
    fanout.expect(letter.id, letter.revision)
    presence.enter(letter.id, request.sid, official)
    _presence_changed([letter.id])
    answer = {"revision": letter.revision, "text": letter.text, "status": letter.status}
    if protocol == 2:
        answer["protocol"] = 2
    return answer


@socketio.on("leave", namespace=NAMESPACE)
@acknowledged
def on_leave(official: Official, payload: dict) -> dict:
    letter_id = payload.get("letter_id")
    if isinstance(letter_id, int):
        for name in (room(letter_id), *protocol_rooms(letter_id)):
            leave_room(name)
        if presence.leave(letter_id, request.sid):
            _presence_changed([letter_id])
    return {}


def on_edit(sid: str, payload: Any = None) -> dict:
    """`edit`, the busiest event, is registered on the Socket.IO server itself (see
    `register_sockets`): it runs in an application context only, in the connection's language,
    without building a request context (session, URL match, teardown) for every edit. No query
    runs before its batch, which checks the connection's credential with the others' in its
    own transaction."""
    with _app.app_context():
        g.drafting_sid = sid  # flask-babel keeps a forced locale on `g`, which must not be empty
        with force_locale(_languages.get(sid) or _app.config["BABEL_DEFAULT_LOCALE"]):
            return answer(lambda: _edit(sid, payload))


def _edit(sid: str, payload: Any) -> dict:
    credential = _connections.get(sid)
    if credential is None:
        raise Unauthorized(_("This connection is not signed in."))
    checked = check_payload(payload)
    edit_limits.admit_edit(sid, credential.official_id)
    try:
        stored = drafting.submit_edit(
            credential,
            checked.get("letter_id"),
            checked.get("edit_id"),
            checked.get("base_revision"),
            checked.get("patch"),
        )
    except Unauthorized:
        _forget_connection(sid)
        raise
    return {"revision": stored.revision}


@socketio.on("fetch", namespace=NAMESPACE)
@acknowledged
def on_fetch(official: Official, payload: dict) -> dict:
    revisions = drafting.fetch(official, payload.get("letter_id"), payload.get("since"))
    return {
        "revisions": [
            {"revision": r.revision, "patch": r.patch, "edit_id": r.edit_id, "author": r.author} for r in revisions
        ]
    }


@socketio.on("cursor", namespace=NAMESPACE)
@acknowledged
def on_cursor(official: Official, payload: dict) -> dict:
    """Share a caret or selection with the room: {letter_id, revision, start, end} (UTF-16 offsets)."""
    letter_id = payload.get("letter_id")
    revision, start, end = (whole_number(payload.get(key), key) for key in ("revision", "start", "end"))
    if not is_whole_number(letter_id) or not presence.is_present(letter_id, request.sid):
        raise InvalidInput(_("Join the letter first."))
    emit(
        "cursor",
        {
            "letter_id": letter_id,
            "user": presence.user_json(official),
            "revision": revision,
            "start": start,
            "end": end,
        },
        to=room(letter_id),
        include_self=False,
        namespace=NAMESPACE,
    )
    return {}


def register_sockets(app: Flask) -> None:
    """Bind Socket.IO to the app. The handlers above are registered on import: Flask-SocketIO
    copies the handlers it knows into each new server it creates. Then subscribe the broadcasts
    to the letters' domain events."""
    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config.get("SOCKETIO_CHANNEL", "undersigned"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        manage_session=False,
        json=PacketJSON,
        # A connection's events run one after another in the greenlet that reads it, as they
        # arrive (no greenlet spawned per message; a client's events keep their order).
        async_handlers=False,
    )
    global _app
    _app = app
    socketio.server.on("edit", on_edit, namespace=NAMESPACE)
    fanout.configure(app)
    subscribe()
    credentials_ended.connect(close_ended_connections)
    credentials_ended.connect(relay.publish_credentials_ended)
    relay.on_credentials_ended_elsewhere(_close_ended_connections_here)
