"""Fair limits on real-time edits (issue 11, item 12): token buckets per connection and per
official, kept in memory; an edit over the limit is answered `bad_request` with `retry_after`
and changes nothing."""

from __future__ import annotations

import pytest

from app.drafting.edit_limits import Limit, TokenBuckets
from app.extensions import db
from app.letters.models import Letter
from app.sync import make_patch
from tests.review_helpers import TEXT, new_letter
from tests.support.sockets import socket_client

NS = "/draft"
SLOW = 0.001  # a refill rate no test lasts long enough to notice


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_one_edit_per_refill():
    clock = Clock()
    buckets = TokenBuckets(clock=clock)
    limit = Limit(rate=2, burst=3)
    assert [buckets.take([("c", limit)]) for _ in range(3)] == [0, 0, 0]
    assert buckets.take([("c", limit)]) == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take([("c", limit)]) == 0
    assert buckets.take([("c", limit)]) == pytest.approx(0.5)
    clock.now += 60  # refills up to the burst, no further
    assert [buckets.take([("c", limit)]) for _ in range(4)][-1] > 0


def test_an_edit_is_taken_from_every_bucket_or_none():
    clock = Clock()
    buckets = TokenBuckets(clock=clock)
    roomy, tight = Limit(rate=1, burst=10), Limit(rate=1, burst=1)
    assert buckets.take([("connection", roomy), ("official", tight)]) == 0
    assert buckets.take([("connection", roomy), ("official", tight)]) > 0
    # The refused edit spent nothing from the connection's bucket: 9 remain.
    assert [buckets.take([("connection", roomy)]) for _ in range(9)] == [0] * 9
    assert buckets.take([("connection", roomy)]) > 0


def test_a_rate_of_zero_is_no_limit_and_forgetting_refills():
    buckets = TokenBuckets(clock=Clock())
    assert all(buckets.take([("c", Limit(rate=0, burst=0))]) == 0 for _ in range(1000))
    limit = Limit(rate=1, burst=1)
    assert buckets.take([("d", limit)]) == 0 and buckets.take([("d", limit)]) > 0
    buckets.forget("d")
    assert buckets.take([("d", limit)]) == 0


def test_the_number_of_buckets_is_bounded():
    buckets = TokenBuckets(clock=Clock(), capacity=10)
    for n in range(100):
        buckets.take([(n, Limit(rate=1, burst=1))])
    assert len(buckets._buckets) == 10


# -- through the socket -------------------------------------------------------------------------


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


@pytest.fixture
def connect(app, bearer, letter_id):
    clients = []

    def connect(official):
        sio = socket_client(app, namespace=NS, auth={"token": bearer(official)["Authorization"][7:]})
        assert sio.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)["ok"]
        clients.append(sio)
        return sio

    yield connect
    for sio in clients:
        sio.disconnect(namespace=NS)


def text_and_revision(letter_id: int) -> tuple[str, int]:
    db.session.expire_all()
    letter = db.session.get(Letter, letter_id)
    return letter.text, letter.revision


def add_word(sio, letter_id: int, word: str) -> dict:
    """Append a word to the newest text, as an edit on the newest revision."""
    text, revision = text_and_revision(letter_id)
    patch = make_patch(text, text + word)
    payload = {"letter_id": letter_id, "edit_id": f"edit-{word}", "base_revision": revision, "patch": patch}
    return sio.emit("edit", payload, namespace=NS, callback=True)


def test_edits_beyond_a_connections_burst_are_refused_with_retry_after(app, connect, drafter, letter_id):
    app.config.update(DRAFT_EDIT_RATE=SLOW, DRAFT_EDIT_BURST=3)
    sio = connect(drafter)
    assert [add_word(sio, letter_id, f" w{n}")["ok"] for n in range(3)] == [True] * 3
    before = text_and_revision(letter_id)
    answer = add_word(sio, letter_id, " w3")
    assert answer["ok"] is False
    assert answer["error"]["code"] == "bad_request"
    assert answer["error"]["retry_after"] > 0 and "Too many edits" in answer["error"]["message"]
    assert text_and_revision(letter_id) == before


def test_another_connection_has_its_own_bucket(app, connect, drafter, letter_id):
    app.config.update(DRAFT_EDIT_RATE=SLOW, DRAFT_EDIT_BURST=2)
    first, second = connect(drafter), connect(drafter)
    assert [add_word(first, letter_id, f" a{n}")["ok"] for n in range(3)] == [True, True, False]
    assert add_word(second, letter_id, " b0")["ok"] is True


def test_an_officials_connections_share_the_officials_bucket(app, connect, drafter, drafter2, letter_id):
    app.config.update(DRAFT_EDIT_RATE_PER_OFFICIAL=SLOW, DRAFT_EDIT_BURST_PER_OFFICIAL=3)
    first, second = connect(drafter), connect(drafter)
    assert [add_word(first, letter_id, f" a{n}")["ok"] for n in range(2)] == [True, True]
    assert add_word(second, letter_id, " b0")["ok"] is True
    refused = add_word(second, letter_id, " b1")
    assert refused["ok"] is False and refused["error"]["code"] == "bad_request"
    # Another official is not affected.
    assert add_word(connect(drafter2), letter_id, " c0")["ok"] is True


def test_the_default_limits_let_a_burst_of_fast_typing_through(connect, drafter, letter_id):
    sio = connect(drafter)
    answers = [add_word(sio, letter_id, f" w{n}") for n in range(30)]
    assert all(answer["ok"] for answer in answers), [a for a in answers if not a["ok"]][:1]
    assert text_and_revision(letter_id) == (TEXT + "".join(f" w{n}" for n in range(30)), 30)
