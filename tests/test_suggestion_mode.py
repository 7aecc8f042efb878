"""Suggestion mode's server side: a suggester changes their open suggestion as they type
(`PUT /drafts/ID/suggestions/SID.json`), every change of a suggestion leaves as a domain event
(app/review/events.py) that the drafting sockets broadcast to the letter's room as `suggestions`,
and only the rules of suggestions decide who may do what."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from app.extensions import db
from app.letters.models import Letter
from app.review.events import Change, SuggestionChange, suggestion_changed
from app.review.models import Suggestion
from app.review.suggestion_decisions import accept_suggestion, reject_suggestion, withdraw_suggestion
from app.review.suggestions import create_suggestion, revise_suggestion
from app.shared.errors import Conflict, Forbidden, ServiceError
from tests.review_helpers import TEXT, api_patch, new_letter, replace_in
from tests.support.sockets import socket_client

NS = "/draft"


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


@pytest.fixture
def sent() -> Iterator[list[SuggestionChange]]:
    """Every `suggestion_changed` sent during the test."""
    seen: list[SuggestionChange] = []

    def record(change: SuggestionChange) -> None:
        seen.append(change)

    suggestion_changed.connect(record)
    yield seen
    suggestion_changed.disconnect(record)


@pytest.fixture
def joined(app, bearer):
    """`joined(official, letter_id)`: a socket connection of that official in the letter's room."""
    clients = []

    def join(official, letter_id):
        sio = socket_client(app, namespace=NS, auth={"token": bearer(official)["Authorization"][7:]})
        assert sio.emit("join", {"letter_id": letter_id, "protocol": 2}, namespace=NS, callback=True)["ok"]
        sio.get_received(NS)
        clients.append(sio)
        return sio

    yield join
    for sio in clients:
        if sio.is_connected(NS):
            sio.disconnect(namespace=NS)


def received(sio, name: str) -> list[dict]:
    return [event["args"][0] for event in sio.get_received(NS) if event["name"] == name]


def text_of(letter_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).text


def patch_replacing(letter_id: int, old: str, new: str) -> str:
    text = text_of(letter_id)
    assert old in text
    return api_patch(text, text.replace(old, new, 1))


def room_csrf(client, letter_id: int) -> str:
    return re.search(r'data-csrf="([^"]+)"', client.get(f"/drafts/{letter_id}").get_data(as_text=True)).group(1)


# -- domain events ------------------------------------------------------------------------------


def test_every_change_of_a_suggestion_sends_one_event_after_it_is_stored(sent, drafter, drafter2, reviewer, letter_id):
    first = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "affirm", "reaffirm"), "Stronger.")
    revise_suggestion(reviewer, first.id, 0, patch_replacing(letter_id, "affirm", "firmly reaffirm"))
    second = create_suggestion(drafter2, letter_id, 0, patch_replacing(letter_id, "Signed", "Yours"))
    third = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "Dear", "Hello"))
    accepted = accept_suggestion(drafter, first.id)
    reject_suggestion(drafter, second.id)
    withdraw_suggestion(reviewer, third.id)

    assert [(c.suggestion_id, c.change, c.status) for c in sent] == [
        (first.id, Change.CREATED, "open"),
        (first.id, Change.UPDATED, "open"),
        (second.id, Change.CREATED, "open"),
        (third.id, Change.CREATED, "open"),
        (first.id, Change.ACCEPTED, "accepted"),
        (second.id, Change.REJECTED, "rejected"),
        (third.id, Change.WITHDRAWN, "withdrawn"),
    ]
    assert all(c.letter_id == letter_id for c in sent)
    assert sent[0].author == {"id": reviewer.id, "name": reviewer.name}
    assert sent[4].revision == accepted.revision == 1
    # The update is what was accepted: the suggester's newest words, credited to them.
    assert "firmly reaffirm" in text_of(letter_id)


def test_a_refused_change_sends_nothing(sent, drafter, reviewer, letter_id):
    with pytest.raises(ServiceError):
        create_suggestion(reviewer, letter_id, 0, "not a patch")
    made = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "affirm", "reaffirm"))
    with pytest.raises(Forbidden):
        accept_suggestion(reviewer, made.id)
    with pytest.raises(Forbidden):
        revise_suggestion(drafter, made.id, 0, patch_replacing(letter_id, "affirm", "uphold"))
    assert [c.change for c in sent] == [Change.CREATED]


# -- the socket broadcast -----------------------------------------------------------------------


def test_the_room_hears_of_each_suggestion_and_other_letters_do_not(
    client, joined, bearer, drafter, drafter2, reviewer, letter_id
):
    other_letter = new_letter(drafter, title="Another")
    alder, alder2, office = joined(drafter, letter_id), joined(drafter2, letter_id), joined(reviewer, letter_id)
    elsewhere = joined(drafter2, other_letter)

    made = client.post(
        f"/api/v1/letters/{letter_id}/suggestions",
        json={"base_revision": 0, "patch": patch_replacing(letter_id, "affirm", "reaffirm")},
        headers=bearer(reviewer),
    )
    assert made.status_code == 201
    sid = made.json["id"]
    expected = {
        "letter_id": letter_id,
        "suggestion_id": sid,
        "change": "created",
        "status": "open",
        "author": {"id": reviewer.id, "name": reviewer.name},
        "revision": None,
    }
    for sio in (alder, alder2, office):  # the suggester's own connection too
        assert received(sio, "suggestions") == [expected]
    assert received(elsewhere, "suggestions") == []

    assert client.post(f"/api/v1/suggestions/{sid}/accept", headers=bearer(drafter)).status_code == 200
    for sio in (alder2, office):
        events = sio.get_received(NS)
        names = [event["name"] for event in events]
        # The text's revision comes first, then the news that the suggestion was accepted.
        assert names == ["revisions", "suggestions"], names
        assert events[1]["args"][0]["change"] == "accepted" and events[1]["args"][0]["revision"] == 1


def test_a_broadcast_that_cannot_leave_does_not_undo_the_suggestion(app, monkeypatch, reviewer, letter_id):
    from app.extensions import socketio

    def down(*_args, **_kwargs):
        raise ConnectionError("message queue unreachable")

    monkeypatch.setattr(socketio, "emit", down)
    made = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "affirm", "reaffirm"))
    assert db.session.get(Suggestion, made.id).status == "open"


# -- typing on: changing one's own open suggestion -----------------------------------------------


def test_the_suggester_types_on_and_the_suggestion_follows(client, sign_in, sent, reviewer, letter_id):
    sign_in(reviewer)
    csrf = room_csrf(client, letter_id)
    made = client.post(
        f"/drafts/{letter_id}/suggestions.json",
        json={"base_revision": 0, "patch": patch_replacing(letter_id, "affirm", "uph"), "note": "Stronger."},
        headers={"X-CSRFToken": csrf},
    )
    assert made.status_code == 201
    sid = made.get_json()["id"]
    url = f"/drafts/{letter_id}/suggestions/{sid}.json"
    body = {"base_revision": 0, "patch": patch_replacing(letter_id, "affirm", "firmly uphold")}
    assert client.put(url, json=body).status_code == 400, "the CSRF token is required"
    revised = client.put(url, json=body, headers={"X-CSRFToken": csrf})
    assert revised.status_code == 200 and revised.get_json() == {"id": sid, "status": "open"}
    [shown] = client.get(f"/drafts/{letter_id}/suggestions.json").get_json()["suggestions"]
    assert shown["replacement"] == "firmly uphold" and shown["note"] == "Stronger.", "the note is kept"
    assert [c.change for c in sent] == [Change.CREATED, Change.UPDATED]
    assert text_of(letter_id) == TEXT, "a suggestion never changes the text"


def test_typing_on_a_suggestion_is_refused_clearly_and_changes_nothing(
    client, sign_in, drafter, drafter2, reviewer, letter_id
):
    original = patch_replacing(letter_id, "affirm", "reaffirm")
    made = create_suggestion(reviewer, letter_id, 0, original)
    sign_in(reviewer)
    csrf = room_csrf(client, letter_id)
    url = f"/drafts/{letter_id}/suggestions/{made.id}.json"

    def put(body, path=url):
        return client.put(path, json=body, headers={"X-CSRFToken": csrf})

    for bad in ({}, {"base_revision": 0, "patch": "not a patch"}, {"base_revision": 99, "patch": "@@"}):
        answer = put(bad)
        assert 400 <= answer.status_code < 500 and answer.get_json()["error"]["message"]
    assert put([1]).status_code == 400
    assert put({"base_revision": 0, "patch": "x"}, f"/drafts/{letter_id}/suggestions/999999.json").status_code == 404
    # On text a drafter changed since: refused with the revision that changed it, nothing stored.
    replace_in(drafter, letter_id, "affirm its", "confirm its")
    stale = put({"base_revision": 0, "patch": api_patch(TEXT, TEXT.replace("affirm its", "uphold its", 1))})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    assert "Revision 1" in stale.get_json()["error"]["message"]
    db.session.expire_all()
    kept = db.session.get(Suggestion, made.id)
    assert (kept.base_revision, kept.patch, kept.status) == (0, original, "open")

    # Someone else's suggestion: 403; a decided one: 409.
    sign_in(drafter2)
    csrf = room_csrf(client, letter_id)
    fresh = {"base_revision": 1, "patch": patch_replacing(letter_id, "Dear", "Hello")}
    assert put(fresh).status_code == 403
    sign_in(reviewer)
    csrf = room_csrf(client, letter_id)
    reject_suggestion(drafter, made.id)
    assert put(fresh).status_code == 409


def test_an_accept_does_not_take_a_suggestion_its_suggester_changed_meanwhile(
    monkeypatch, drafter, reviewer, letter_id
):
    made = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "affirm", "reaffirm"))
    # Its suggester types on between the drafter's reading it and the accept's storing it.
    from app.review import suggestion_decisions

    original = suggestion_decisions.first_conflict

    def typed_on_meanwhile(letter, base, ops):
        db.session.execute(
            Suggestion.__table__.update()
            .where(Suggestion.id == made.id)
            .values(patch=api_patch(TEXT, TEXT.replace("affirm", "uphold", 1)))
        )
        return original(letter, base, ops)

    monkeypatch.setattr(suggestion_decisions, "first_conflict", typed_on_meanwhile)
    with pytest.raises(Conflict) as refused:
        accept_suggestion(drafter, made.id)
    assert "changed this suggestion a moment ago" in refused.value.message
    assert text_of(letter_id) == TEXT


def test_the_suggester_withdraws_from_the_room_and_only_they_may(client, sign_in, drafter, reviewer, letter_id):
    made = create_suggestion(reviewer, letter_id, 0, patch_replacing(letter_id, "affirm", "reaffirm"))
    url = f"/drafts/{letter_id}/suggestions/{made.id}/withdraw.json"
    sign_in(drafter)
    assert client.post(url, json={}, headers={"X-CSRFToken": room_csrf(client, letter_id)}).status_code == 403
    sign_in(reviewer)
    answer = client.post(url, json={}, headers={"X-CSRFToken": room_csrf(client, letter_id)})
    assert answer.status_code == 200 and answer.get_json() == {"status": "withdrawn"}


def test_a_reviewer_never_changes_the_text_only_suggests(joined, reviewer, drafter, letter_id):
    office = joined(reviewer, letter_id)
    answer = office.emit(
        "edit",
        {"letter_id": letter_id, "edit_id": "r1", "base_revision": 0, "patch": api_patch(TEXT, TEXT + "mine")},
        namespace=NS,
        callback=True,
    )
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    made = create_suggestion(reviewer, letter_id, 0, api_patch(TEXT, TEXT + "mine"))
    with pytest.raises(Forbidden):
        accept_suggestion(reviewer, made.id)
    assert text_of(letter_id) == TEXT
