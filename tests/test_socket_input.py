"""Drafting requests with text no database can keep, or JSON too deep to read, are answered
`bad_request` (never `server_error`, never silence) and change nothing (issue 11, item 11)."""

from __future__ import annotations

import pytest

from app.accounts import api_tokens
from app.extensions import db
from app.letters.models import Letter, Revision
from app.shared.errors import Unauthorized
from app.sync import make_patch
from tests.review_helpers import TEXT, new_letter
from tests.support.sockets import socket_client

NS = "/draft"
DEEP = 50_000


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


@pytest.fixture
def sio(app, drafter, bearer, letter_id):
    client = socket_client(app, namespace=NS, auth={"token": bearer(drafter)["Authorization"][7:]})
    assert client.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)["ok"]
    yield client
    client.disconnect(namespace=NS)


def assert_bad_request(answer: dict) -> None:
    assert answer["ok"] is False, answer
    assert answer["error"]["code"] == "bad_request", answer
    assert answer["error"]["message"]


def assert_unchanged(letter_id: int) -> None:
    db.session.expire_all()
    letter = db.session.get(Letter, letter_id)
    assert (letter.revision, letter.text) == (0, TEXT)
    assert db.session.query(Revision).filter(Revision.letter_id == letter_id, Revision.number > 0).count() == 0


def edit(sio, letter_id: int, **changes):
    payload = {"letter_id": letter_id, "edit_id": "e1", "base_revision": 0, "patch": make_patch(TEXT, TEXT + "!")}
    return sio.emit("edit", {**payload, **changes}, namespace=NS, callback=True)


@pytest.mark.parametrize("edit_id", ["\ud800", "x\udc00y", "a\x00b"])
def test_an_edit_id_no_database_can_keep_is_a_bad_request(sio, letter_id, edit_id):
    assert_bad_request(edit(sio, letter_id, edit_id=edit_id))
    assert_unchanged(letter_id)


@pytest.mark.parametrize(
    "patch",
    [
        make_patch(TEXT, TEXT + "\x00"),  # a patch that would write NUL into the letter
        "@@ -1,4 +1,5 @@\n Dear\n+\x00\n",
        "@@ -1,4 +1,5 @@\n Dear\n+\ud800\n",
    ],
    ids=["escaped-nul", "raw-nul", "raw-surrogate"],
)
def test_a_patch_that_would_store_unstorable_text_is_refused(sio, letter_id, patch):
    answer = edit(sio, letter_id, patch=patch)
    assert answer["ok"] is False and answer["error"]["code"] in ("bad_request", "bad_patch"), answer
    assert_unchanged(letter_id)


VALID = {
    "join": {},
    "edit": {"edit_id": "e1", "base_revision": 0, "patch": make_patch(TEXT, TEXT + "!")},
    "fetch": {"since": 0},
    "leave": {},
    "cursor": {"revision": 0, "start": 0, "end": 1},
}


@pytest.mark.parametrize("event", sorted(VALID))
def test_any_payload_string_with_a_lone_surrogate_or_nul_is_a_bad_request(sio, letter_id, event):
    """An otherwise valid request with such a string anywhere, in a value or a key."""
    valid = {"letter_id": letter_id, **VALID[event]}
    for bad in ("\ud800", "\x00"):
        assert_bad_request(sio.emit(event, {**valid, "note": bad}, namespace=NS, callback=True))
        assert_bad_request(sio.emit(event, {**valid, bad: 1}, namespace=NS, callback=True))
        assert_bad_request(sio.emit(event, {**valid, "note": {"deeper": [bad]}}, namespace=NS, callback=True))
    assert_unchanged(letter_id)


def raw_event(sio, packet: str):
    """Send an already encoded Socket.IO event packet (as a browser's bytes would arrive) and return
    its acknowledgement."""
    with sio.app.app_context():
        sio.acks = None
        sio.socketio.server._handle_eio_message(sio.eio_sid, packet)
        assert sio.acks is not None, "no answer"
        return sio.acks["args"][0]


@pytest.mark.parametrize("event", ["edit", "join", "fetch"])
def test_a_payload_nested_50000_deep_is_answered_bad_request(sio, letter_id, event):
    answer = raw_event(sio, f'2{NS},7["{event}",' + "[" * DEEP + "]" * DEEP + "]")
    assert_bad_request(answer)
    assert "deep" in answer["error"]["message"]
    assert_unchanged(letter_id)
    # The connection still works.
    assert raw_event(sio, f'2{NS},8["join",{{"letter_id":{letter_id}}}]')["ok"] is True


def test_a_raw_lone_surrogate_escape_in_a_packet_is_a_bad_request(sio, letter_id):
    packet = f'2{NS},9["edit",{{"letter_id":{letter_id},"edit_id":"\\ud800","base_revision":0,"patch":""}}]'
    assert_bad_request(raw_event(sio, packet))
    assert_unchanged(letter_id)


@pytest.mark.parametrize("token", ["usg_\ud800", "usg_a\x00b"])
def test_a_token_no_database_can_keep_is_refused_as_unauthorized(app, caplog, token):
    with pytest.raises(Unauthorized):
        api_tokens.authenticate_token(token)
    client = socket_client(app, namespace=NS, auth={"token": token})
    assert not client.is_connected(NS)
    assert "could not be checked" not in caplog.text  # refused as unauthorized, not as a server fault
