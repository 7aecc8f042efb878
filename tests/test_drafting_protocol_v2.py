"""Version 2 of the drafting protocol (`revisions` batches), beside version 1, and the group
commit that stores the edits waiting for a letter together."""

from __future__ import annotations

import threading
import time

import pytest

from app.drafting import fanout
from app.extensions import db
from app.letters.events import text_changed
from app.letters.models import Letter, Revision
from app.letters.write_lock import letter_write_lock
from app.sync import apply_patch_exact, make_patch
from tests.support.sockets import socket_client

NS = "/draft"
TEXT = "Dear Mayor,\n\nWe ask.\n"


@pytest.fixture
def letter(client, drafter, bearer) -> dict:
    return client.post("/api/v1/letters", json={"title": "Sanctuary", "text": TEXT}, headers=bearer(drafter)).json


@pytest.fixture
def connect(app, bearer):
    clients = []

    def connect(official, letter_id, protocol=2):
        sio = socket_client(app, namespace=NS, auth={"token": bearer(official)["Authorization"][7:]})
        clients.append(sio)
        payload = {"letter_id": letter_id} if protocol is None else {"letter_id": letter_id, "protocol": protocol}
        answer = sio.emit("join", payload, namespace=NS, callback=True)
        assert answer["ok"], answer
        sio.get_received(NS)
        return sio, answer

    yield connect
    for sio in clients:
        if sio.is_connected(NS):
            sio.disconnect(namespace=NS)


def received(sio, name: str, revisions: int, seconds: float = 5.0) -> list[dict]:
    """The `name` events received until they carry `revisions` revisions (bounded wait)."""
    got: list[dict] = []
    deadline = time.monotonic() + seconds
    while True:
        got += [e["args"][0] for e in sio.get_received(NS) if e["name"] == name]
        count = sum(len(e["revisions"]) for e in got) if name == "revisions" else len(got)
        if count >= revisions or time.monotonic() > deadline:
            return got
        time.sleep(0.01)


def send_edit(sio, letter_id, base, old, new, edit_id):
    return sio.emit(
        "edit",
        {"letter_id": letter_id, "edit_id": edit_id, "base_revision": base, "patch": make_patch(old, new)},
        namespace=NS,
        callback=True,
    )


def test_join_answers_the_protocol_version_it_will_speak(connect, drafter, letter):
    _sio, answer = connect(drafter, letter["id"], protocol=2)
    assert answer == {"ok": True, "revision": 0, "text": TEXT, "status": "drafting", "protocol": 2}
    _sio, answer = connect(drafter, letter["id"], protocol=None)
    assert "protocol" not in answer
    _sio, answer = connect(drafter, letter["id"], protocol=1)
    assert "protocol" not in answer


@pytest.mark.parametrize("protocol", [3, 0, "2", True, None, 2.5])
def test_unknown_protocol_versions_are_refused(app, bearer, drafter, letter, protocol):
    sio = socket_client(app, namespace=NS, auth={"token": bearer(drafter)["Authorization"][7:]})
    answer = sio.emit("join", {"letter_id": letter["id"], "protocol": protocol}, namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "bad_request"
    sio.disconnect(namespace=NS)


def test_version_2_gets_revisions_batches_and_version_1_single_revisions(connect, drafter, drafter2, letter):
    v2, _ = connect(drafter, letter["id"], protocol=2)
    v1, _ = connect(drafter2, letter["id"], protocol=None)
    texts = [TEXT]
    for n in range(1, 6):
        texts.append(texts[-1] + f"Line {n}.\n")
        assert send_edit(v2, letter["id"], n - 1, texts[-2], texts[-1], f"e{n}") == {"ok": True, "revision": n}

    batches = received(v2, "revisions", 5)
    revisions = [r for batch in batches for r in batch["revisions"]]
    assert [r["revision"] for r in revisions] == [1, 2, 3, 4, 5]  # in order, no gaps, the sender included
    assert all(batch["letter_id"] == letter["id"] for batch in batches)
    assert [r["edit_id"] for r in revisions] == ["e1", "e2", "e3", "e4", "e5"]
    assert all(r["author"] == {"id": drafter.id, "name": drafter.name} for r in revisions)
    text = TEXT
    for r in revisions:
        text = apply_patch_exact(text, r["patch"])
    assert text == texts[-1]
    assert not [e for e in v2.get_received(NS) if e["name"] == "revision"]

    singles = received(v1, "revision", 5)
    assert [r["revision"] for r in singles] == [1, 2, 3, 4, 5]
    assert set(singles[0]) == {"letter_id", "revision", "patch", "edit_id", "author"}


def test_revisions_close_together_leave_in_one_event(app, connect, drafter, drafter2, letter):
    fanout._interval = 0.5  # a long interval: the first revision leaves at once, the rest wait for it
    watcher, _ = connect(drafter2, letter["id"])
    sio, _ = connect(drafter, letter["id"])
    text = TEXT
    for n in range(1, 5):
        assert send_edit(sio, letter["id"], n - 1, text, text + str(n), f"b{n}")["ok"]
        text += str(n)
    batches = received(watcher, "revisions", 4)
    assert [[r["revision"] for r in b["revisions"]] for b in batches] == [[1], [2, 3, 4]]


def test_revisions_from_another_process_arriving_early_wait_for_the_ones_before(connect, drafter, letter):
    sio, _ = connect(drafter, letter["id"])
    v1, _ = connect(drafter, letter["id"], protocol=None)
    sio.get_received(NS)  # the second connection's presence

    def revision(n):
        author = {"id": 1, "name": "A"}
        return {"letter_id": letter["id"], "revision": n, "patch": "", "edit_id": f"x{n}", "author": author}

    fanout.receive(letter["id"], [revision(2), revision(3)])  # 1 is still on its way
    time.sleep(0.05)
    assert not [e for client in (sio, v1) for e in client.get_received(NS) if e["name"].startswith("revision")]
    fanout.receive(letter["id"], [revision(1)])
    assert [r["revision"] for b in received(sio, "revisions", 3) for r in b["revisions"]] == [1, 2, 3]
    assert [r["revision"] for r in received(v1, "revision", 3)] == [1, 2, 3]
    fanout.receive(letter["id"], [revision(2)])  # a revision passed on already is not sent twice
    fanout.receive(letter["id"], [revision(5)])  # 4 never comes: 5 leaves after the gap wait
    assert [r["revision"] for r in received(v1, "revision", 1)] == [5]


def test_edits_waiting_for_a_letter_are_stored_in_one_transaction(app, connect, drafter, drafter2, letter):
    """While the letter is held, edits queue; they are then stored and sent as one batch."""
    batches = []
    text_changed.connect(batches.append, weak=False)
    clients = [connect(official, letter["id"])[0] for official in (drafter, drafter2, drafter, drafter2)]
    answers: dict[int, dict] = {}

    def type_line(index, sio):
        answers[index] = send_edit(sio, letter["id"], 0, TEXT, TEXT + f"From client {index}.\n", f"c{index}")

    try:
        with app.app_context(), letter_write_lock(letter["id"]):
            threads = [threading.Thread(target=type_line, args=(i, sio)) for i, sio in enumerate(clients)]
            for thread in threads:
                thread.start()
            time.sleep(0.3)  # every edit has reached the queue; none can be stored yet
            assert answers == {}
        for thread in threads:
            thread.join(10)
    finally:
        text_changed.disconnect(batches.append)
    assert sorted(a["revision"] for a in answers.values()) == [1, 2, 3, 4]
    assert sum(len(b.revisions) for b in batches) == 4 and len(batches) <= 2  # the first leader, then the rest
    assert any(len(b.revisions) >= 3 for b in batches)
    with app.app_context():
        stored = db.session.get(Letter, letter["id"])
        assert stored.revision == 4
        for i in range(4):
            assert f"From client {i}.\n" in stored.text
        assert db.session.query(Revision).filter_by(letter_id=letter["id"]).count() == 5  # with revision 0


def test_one_refused_edit_in_a_batch_does_not_stop_the_others(app, connect, drafter, drafter2, letter):
    good, _ = connect(drafter, letter["id"])
    bad, _ = connect(drafter2, letter["id"])
    answers: dict[str, dict] = {}

    def send(name, sio, patch):
        answers[name] = sio.emit(
            "edit",
            {"letter_id": letter["id"], "edit_id": name, "base_revision": 0, "patch": patch},
            namespace=NS,
            callback=True,
        )

    with app.app_context(), letter_write_lock(letter["id"]):
        threads = [
            threading.Thread(target=send, args=("good", good, make_patch(TEXT, TEXT + "Yes.\n"))),
            threading.Thread(target=send, args=("bad", bad, make_patch("Something else\n", "Something else!\n"))),
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(10)
    assert answers["good"] == {"ok": True, "revision": 1}
    assert answers["bad"]["ok"] is False and answers["bad"]["error"]["code"] == "conflict"
    with app.app_context():
        assert db.session.get(Letter, letter["id"]).text == TEXT + "Yes.\n"
