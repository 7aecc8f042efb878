"""The contract's Socket.IO drafting protocol, through Flask-SocketIO test clients."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.letters.models import Letter, Revision
from app.sync import apply_patch_exact, make_patch
from tests.support.sockets import socket_client

NS = "/draft"


@pytest.fixture
def letter(client, drafter, bearer) -> dict:
    return client.post(
        "/api/v1/letters", json={"title": "Sanctuary", "text": "Dear Mayor,\n\nWe ask.\n"}, headers=bearer(drafter)
    ).json


@pytest.fixture
def connect(app, bearer):
    clients = []

    def connect(official, letter_id=None):
        sio = socket_client(app, namespace=NS, auth={"token": bearer(official)["Authorization"][7:]})
        assert sio.is_connected(NS)
        clients.append(sio)
        if letter_id is not None:
            answer = sio.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)
            assert answer["ok"], answer
            sio.get_received(NS)
        return sio

    yield connect
    for sio in clients:
        if sio.is_connected(NS):
            sio.disconnect(namespace=NS)


def events(sio, name):
    return [event["args"][0] for event in sio.get_received(NS) if event["name"] == name]


def edit(sio, letter_id, base, old, new, edit_id):
    return sio.emit(
        "edit",
        {"letter_id": letter_id, "edit_id": edit_id, "base_revision": base, "patch": make_patch(old, new)},
        namespace=NS,
        callback=True,
    )


def test_connection_without_credentials_is_refused(app):
    sio = socket_client(app, namespace=NS)
    assert not sio.is_connected(NS)


def test_connection_with_bad_token_is_refused(app):
    sio = socket_client(app, namespace=NS, auth={"token": "usg_wrong"})
    assert not sio.is_connected(NS)


def test_connection_with_session_cookie(app, client, drafter, sign_in, letter):
    sign_in(drafter)
    sio = socket_client(app, namespace=NS, flask_test_client=client)
    assert sio.is_connected(NS)
    answer = sio.emit("join", {"letter_id": letter["id"]}, namespace=NS, callback=True)
    assert answer == {"ok": True, "revision": 0, "text": "Dear Mayor,\n\nWe ask.\n", "status": "drafting"}


def test_join_errors(connect, drafter, letter):
    sio = connect(drafter)
    assert sio.emit("join", {"letter_id": 999}, namespace=NS, callback=True)["error"]["code"] == "unknown_letter"
    assert sio.emit("join", {"letter_id": "1"}, namespace=NS, callback=True)["error"]["code"] == "bad_request"
    assert sio.emit("join", ["nope"], namespace=NS, callback=True)["error"]["code"] == "bad_request"


def test_edit_is_stored_acknowledged_and_broadcast_to_everyone(connect, drafter, drafter2, reviewer, letter):
    lid = letter["id"]
    alice, bob, rae = connect(drafter, lid), connect(drafter2, lid), connect(reviewer, lid)
    answer = edit(alice, lid, 0, letter["text"], "Dear Mayor,\n\nWe ask, together.\n", "e-1")
    assert answer == {"ok": True, "revision": 1}
    for sio in (alice, bob, rae):
        [event] = events(sio, "revision")
        assert event["letter_id"] == lid and event["revision"] == 1 and event["edit_id"] == "e-1"
        assert event["author"] == {"id": drafter.id, "name": drafter.name}
        assert apply_patch_exact(letter["text"], event["patch"]) == "Dear Mayor,\n\nWe ask, together.\n"
    stored = db.session.get(Letter, lid)
    db.session.refresh(stored)
    assert stored.revision == 1 and stored.text == "Dear Mayor,\n\nWe ask, together.\n"


def test_reviewer_and_clerk_may_watch_but_not_edit(connect, reviewer, clerk, letter):
    for official in (reviewer, clerk):
        sio = connect(official, letter["id"])
        answer = edit(sio, letter["id"], 0, letter["text"], letter["text"] + "x", f"e-{official.id}")
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    assert db.session.get(Letter, letter["id"]).revision == 0


def test_resending_an_edit_id_never_applies_it_twice(connect, drafter, letter):
    lid = letter["id"]
    sio = connect(drafter, lid)
    first = edit(sio, lid, 0, letter["text"], letter["text"] + "P.S.\n", "same")
    again = edit(sio, lid, 0, letter["text"], letter["text"] + "P.S.\n", "same")
    assert first == again == {"ok": True, "revision": 1}
    letter_row = db.session.get(Letter, lid)
    db.session.refresh(letter_row)
    assert letter_row.text.count("P.S.") == 1 and letter_row.revision == 1


def test_concurrent_edits_on_the_same_base_are_merged(connect, drafter, drafter2, letter):
    lid = letter["id"]
    alice, bob = connect(drafter, lid), connect(drafter2, lid)
    base = letter["text"]
    assert edit(alice, lid, 0, base, "Dear Mayor Lee,\n\nWe ask.\n", "a")["revision"] == 1
    assert edit(bob, lid, 0, base, "Dear Mayor,\n\nWe ask firmly.\n", "b")["revision"] == 2
    row = db.session.get(Letter, lid)
    db.session.refresh(row)
    assert row.text == "Dear Mayor Lee,\n\nWe ask firmly.\n"
    # Everyone can rebuild the text from the broadcast patches alone.
    text = base
    for event in events(alice, "revision"):
        text = apply_patch_exact(text, event["patch"])
    assert text == row.text


def test_emoji_and_other_astral_characters_sync_exactly(connect, drafter, drafter2, letter):
    lid = letter["id"]
    alice, bob = connect(drafter, lid), connect(drafter2, lid)
    v1 = letter["text"] + "We stand 😀 with 𝒜ll.\n"
    assert edit(alice, lid, 0, letter["text"], v1, "astral-1")["ok"]
    v2 = v1.replace("😀", "😃")  # shares a high surrogate with the old emoji
    assert edit(bob, lid, 1, v1, v2, "astral-2")["ok"]
    row = db.session.get(Letter, lid)
    db.session.refresh(row)
    assert row.text == v2


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ("this is not a patch", "bad_patch"),
        ("@@ -1,3 +1,4 @@\n-XYZ\n+ABCD\n", "conflict"),
        ("@@ -1,1 +1,1 @@\n-D\n+" + "x" * 70_000 + "\n", "too_large"),
    ],
)
def test_bad_patches_change_nothing(connect, drafter, letter, patch, code):
    sio = connect(drafter, letter["id"])
    answer = sio.emit(
        "edit",
        {"letter_id": letter["id"], "edit_id": "bad", "base_revision": 0, "patch": patch},
        namespace=NS,
        callback=True,
    )
    assert answer["ok"] is False and answer["error"]["code"] == code
    assert db.session.query(Revision).filter_by(letter_id=letter["id"]).count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"edit_id": "x", "base_revision": 0, "patch": ""},
        {"letter_id": 1, "base_revision": 0, "patch": ""},
        {"letter_id": 1, "edit_id": 5, "base_revision": 0, "patch": ""},
        {"letter_id": 1, "edit_id": "x", "base_revision": "0", "patch": ""},
        {"letter_id": 1, "edit_id": "x", "base_revision": 0},
        {"letter_id": 1, "edit_id": "x", "base_revision": 99, "patch": ""},
        {"letter_id": 1, "edit_id": "", "base_revision": 0, "patch": ""},
    ],
)
def test_malformed_edit_requests_are_bad_request(connect, drafter, letter, payload):
    sio = connect(drafter, letter["id"])
    answer = sio.emit("edit", payload, namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] in ("bad_request", "unknown_letter")
    if "letter_id" in payload:
        assert answer["error"]["code"] == "bad_request"


def test_edit_to_unknown_letter(connect, drafter, letter):
    sio = connect(drafter)
    answer = sio.emit(
        "edit", {"letter_id": 4242, "edit_id": "x", "base_revision": 0, "patch": ""}, namespace=NS, callback=True
    )
    assert answer["error"]["code"] == "unknown_letter"


def test_fetch_returns_every_revision_after_since_in_order(connect, drafter, letter):
    lid = letter["id"]
    sio = connect(drafter, lid)
    texts = [letter["text"]]
    for i in range(5):
        texts.append(texts[-1] + f"line {i}\n")
        assert edit(sio, lid, i, texts[-2], texts[-1], f"f-{i}")["revision"] == i + 1
    answer = sio.emit("fetch", {"letter_id": lid, "since": 2}, namespace=NS, callback=True)
    assert answer["ok"] and [r["revision"] for r in answer["revisions"]] == [3, 4, 5]
    text = texts[2]
    for r in answer["revisions"]:
        text = apply_patch_exact(text, r["patch"])
        assert text == texts[r["revision"]]
        assert r["author"]["id"] == drafter.id
    assert (
        sio.emit("fetch", {"letter_id": lid, "since": -1}, namespace=NS, callback=True)["error"]["code"]
        == "bad_request"
    )
    assert sio.emit("fetch", {"letter_id": lid, "since": 5}, namespace=NS, callback=True)["revisions"] == []


def test_lock_is_broadcast_and_refuses_later_edits(client, connect, drafter, clerk, bearer, letter):
    lid = letter["id"]
    sio = connect(drafter, lid)
    response = client.post(f"/api/v1/letters/{lid}/lock", headers=bearer(clerk))
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "locked" and body["revision"] == 0
    import hashlib

    assert body["content_hash"] == hashlib.sha256(letter["text"].encode()).hexdigest()
    [event] = events(sio, "locked")
    assert event == {"letter_id": lid, "revision": 0, "content_hash": body["content_hash"]}
    answer = edit(sio, lid, 0, letter["text"], letter["text"] + "late", "late")
    assert answer["ok"] is False and answer["error"]["code"] == "locked"
    assert client.post(f"/api/v1/letters/{lid}/lock", headers=bearer(clerk)).status_code == 409
    assert client.get(f"/api/v1/letters/{lid}").json["text"] == letter["text"]


def test_only_the_clerk_locks(client, drafter, bearer, letter):
    response = client.post(f"/api/v1/letters/{letter['id']}/lock", headers=bearer(drafter))
    assert response.status_code == 403


def test_presence_and_cursors(connect, drafter, drafter2, letter):
    lid = letter["id"]
    alice = connect(drafter, lid)
    bob = connect(drafter2)
    bob.emit("join", {"letter_id": lid}, namespace=NS, callback=True)
    [presence] = events(alice, "presence")
    assert {u["name"] for u in presence["users"]} == {drafter.name, drafter2.name}
    assert all(u["color"].startswith("#") for u in presence["users"])
    assert bob.emit("cursor", {"letter_id": lid, "revision": 0, "start": 3, "end": 5}, namespace=NS, callback=True)[
        "ok"
    ]
    [cursor] = events(alice, "cursor")
    assert cursor["user"]["id"] == drafter2.id and (cursor["start"], cursor["end"]) == (3, 5)
    assert (
        bob.emit("cursor", {"letter_id": lid, "start": -1}, namespace=NS, callback=True)["error"]["code"]
        == "bad_request"
    )
    bob.disconnect(namespace=NS)
    [after] = events(alice, "presence")
    assert [u["id"] for u in after["users"]] == [drafter.id]


def test_snapshots_are_kept_every_k_revisions_and_any_revision_rebuilds(app, connect, drafter, letter):
    app.config["SNAPSHOT_EVERY"] = 3
    from app.letters import revision_texts

    lid = letter["id"]
    sio = connect(drafter, lid)
    texts = [letter["text"]]
    for i in range(7):
        texts.append(texts[-1] + f"{i}😀\n")
        assert edit(sio, lid, i, texts[-2], texts[-1], f"s-{i}")["ok"]
    numbers = {
        r.number for r in db.session.query(Revision).filter(Revision.letter_id == lid, Revision.snapshot.isnot(None))
    }
    assert numbers == {0, 3, 6}
    revision_texts.cache.clear()
    row = db.session.get(Letter, lid)
    db.session.refresh(row)
    for n, expected in enumerate(texts):
        assert revision_texts.text_at(row, n) == expected


def test_numbers_too_large_for_the_database_are_bad_request(connect, drafter, letter):
    sio = connect(drafter, letter["id"])
    huge = 2**63
    assert sio.emit("join", {"letter_id": huge}, namespace=NS, callback=True)["error"]["code"] == "bad_request"
    answer = sio.emit("fetch", {"letter_id": letter["id"], "since": huge}, namespace=NS, callback=True)
    assert answer["error"]["code"] == "bad_request"
