"""gevent-websocket's per-frame work, done in C by wsaccel (a pinned dependency).

gevent-websocket validates the UTF-8 of every received text frame with wsaccel's validator when
wsaccel is installed, but always unmasks a received frame (every client frame is masked) byte by
byte in Python. `install()` makes it unmask with wsaccel's masker: the same bytes, about a
hundredth of the time. Called when the servers (app/web/server.py) are imported.
"""

from __future__ import annotations

from geventwebsocket.websocket import Header
from wsaccel.xormask import XorMaskerSimple


def _unmask(header: Header, payload: bytes) -> bytes:
    return XorMaskerSimple(bytes(header.mask)).process(payload)


def install() -> None:
    Header.mask_payload = _unmask  # type: ignore[method-assign]
    Header.unmask_payload = _unmask  # type: ignore[method-assign]
