"""The servers' websocket frames are unmasked and validated by wsaccel, with the same result."""

from __future__ import annotations

import os

from geventwebsocket import utf8validator
from geventwebsocket.websocket import Header

import app.web.server  # noqa: F401  (installs the speed-ups)


def python_unmask(payload: bytes, mask: bytes) -> bytes:
    return bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


def test_a_received_frame_is_unmasked_exactly():
    for length in (0, 1, 3, 4, 5, 125, 126, 4099):
        payload, mask = os.urandom(length), os.urandom(4)
        header = Header(fin=1, opcode=1, length=length)
        header.mask = mask
        assert bytes(header.unmask_payload(payload)) == python_unmask(payload, mask)


def test_utf8_of_text_frames_is_checked_by_wsaccel():
    assert utf8validator.Utf8Validator.__module__.startswith("wsaccel")
    validator = utf8validator.Utf8Validator()
    assert validator.validate("é😀".encode())[0]
    assert not utf8validator.Utf8Validator().validate(b"\xff\xfe")[0]
