"""What a drafting request's payload may hold, and how Socket.IO packets are read.

A payload's strings must be text a database can keep (no NUL, no lone surrogate such as the
JSON escape "\\ud800"); anything else is a `bad_request`, answered before any handler runs. A
packet nested too deeply for the JSON parser is not dropped unanswered: it reaches its handler
as `TOO_DEEP`, which is answered `bad_request` too."""

from __future__ import annotations

import json
import re
from typing import Any

from flask_babel import gettext as _

from app.shared.errors import InvalidInput
from app.shared.validation import is_storable


class _TooDeep:
    """The payload of an event whose JSON was nested too deeply to read."""

    def __repr__(self) -> str:
        return "TOO_DEEP"


TOO_DEEP = _TooDeep()

# The event name at the start of an event packet's JSON array: ["edit", ...
_EVENT_NAME = re.compile(r'\s*\[\s*"([A-Za-z_][A-Za-z0-9_]{0,40})"')


class PacketJSON:
    """The JSON module Socket.IO reads and writes packets with (`SocketIO(json=PacketJSON)`): the
    standard library's, except that an event whose arguments are nested too deeply to parse
    arrives as `[event, TOO_DEEP]` instead of being dropped with no answer."""

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        try:
            return json.loads(text, *args, **kwargs)
        except RecursionError:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            event = _EVENT_NAME.match(text)
            if event is None:
                raise ValueError("JSON nested too deeply") from None
            return [event.group(1), TOO_DEEP]


def check_payload(payload: Any) -> dict:
    """The payload of a drafting request, if it is an object whose strings can be stored."""
    if payload is TOO_DEEP:
        raise InvalidInput(_("The payload is nested too deeply."))
    if not isinstance(payload, dict):
        raise InvalidInput(_("The payload must be an object."))
    if not is_storable(payload):
        raise InvalidInput(_("Text in the payload may not contain NUL characters or lone surrogates."))
    return payload
