"""Comments in the drafting room's margin: the room's JSON (app/drafting/comment_json.py) with UTF-16
offsets, the same rules as the review pages and the API, and the `comment` event the socket layer
sends to the letter's room whoever made the change (app/review/events.py, app/drafting/broadcast.py)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.letters.models import Letter
from app.review.models import Comment
from tests.review_helpers import new_letter, replace_in
from tests.support.sockets import socket_client
from tests.test_drafting_room import post_json, room_csrf

TEXT = "Dear Mayor 🏠,\n\nWe ask you to affirm our sanctuary status.\n"
NS = "/draft"


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter, TEXT)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def newest(letter_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).text


def url(letter_id: int, tail: str = "") -> str:
    return f"/drafts/{letter_id}/comments{tail}.json"


def comment_on(client, letter_id: int, csrf: str, phrase: str, body: str = "Which status?"):
    text = newest(letter_id)
    start = units(text[: text.index(phrase)])
    revision = db.session.get(Letter, letter_id).revision
    return post_json(
        client, url(letter_id), csrf, {"revision": revision, "start": start, "end": start + units(phrase), "body": body}
    )


def test_a_comment_made_with_utf16_offsets_is_placed_on_the_newest_text(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    csrf = room_csrf(client, letter_id)
    assert client.get(url(letter_id)).get_json() == {"revision": 0, "can_comment": True, "threads": []}

    made = comment_on(client, letter_id, csrf, "sanctuary status")  # after an emoji: UTF-16 ≠ characters
    assert made.status_code == 201, made.get_data(as_text=True)
    assert db.session.get(Comment, made.get_json()["id"]).quote == "sanctuary status"

    replace_in(drafter, letter_id, "Dear Mayor", "URGENT 🚨 Dear Mayor")  # the letter moves on before it
    shown = client.get(url(letter_id)).get_json()
    text = newest(letter_id)
    [thread] = shown["threads"]
    assert shown["revision"] == 1
    view = text.encode("utf-16-le")
    assert view[2 * thread["start"] : 2 * thread["end"]].decode("utf-16-le") == "sanctuary status"
    assert thread["author"]["name"] == reviewer.name and thread["author"]["color"].startswith("#")
    assert thread["body"] == "Which status?" and thread["quote"] == "sanctuary status"
    assert thread["outdated"] is False and thread["edited"] is False and thread["replies"] == []
    assert thread["when"]


def test_a_drafter_replies_and_resolves_and_the_thread_leaves_the_margin(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    thread_id = comment_on(client, letter_id, room_csrf(client, letter_id), "affirm").get_json()["id"]
    sign_in(drafter)
    csrf = room_csrf(client, letter_id)
    replied = post_json(client, url(letter_id, f"/{thread_id}/replies"), csrf, {"body": "Done."})
    assert replied.status_code == 201
    [thread] = client.get(url(letter_id)).get_json()["threads"]
    assert [(r["body"], r["author"]["name"]) for r in thread["replies"]] == [("Done.", drafter.name)]

    resolved = post_json(client, url(letter_id, f"/{thread_id}/resolve"), csrf, {"resolved": True})
    assert resolved.status_code == 200 and resolved.get_json() == {"id": thread_id, "resolved": True}
    assert client.get(url(letter_id)).get_json()["threads"] == []
    assert db.session.get(Comment, thread_id).resolved_by_id == drafter.id


def test_a_passage_deleted_since_is_shown_as_outdated_without_a_place(client, sign_in, drafter, letter_id):
    sign_in(drafter)
    comment_on(client, letter_id, room_csrf(client, letter_id), "affirm ")
    replace_in(drafter, letter_id, "affirm ", "")
    [thread] = client.get(url(letter_id)).get_json()["threads"]
    assert thread["outdated"] is True and thread["start"] is None and thread["end"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"revision": 0, "start": 12, "end": 20, "body": "Splits the emoji"},  # 12 is inside 🏠's surrogate pair
        {"revision": 0, "start": 5, "end": 500, "body": "Past the end"},
        {"revision": 0, "start": 5, "end": 5, "body": "Empty passage"},
        {"revision": 0, "start": "5", "end": 9, "body": "A string"},
        {"revision": 9, "start": 1, "end": 2, "body": "No such revision"},
        {"revision": 0, "start": 1, "end": 2, "body": "   "},
        {"revision": 0, "start": 1, "end": 2},
    ],
)
def test_bad_comments_are_refused_clearly_and_store_nothing(client, sign_in, drafter, letter_id, body):
    sign_in(drafter)
    answer = post_json(client, url(letter_id), room_csrf(client, letter_id), body)
    assert 400 <= answer.status_code < 500
    assert answer.get_json()["error"]["message"]
    assert db.session.query(Comment).count() == 0


def test_requests_without_the_csrf_token_a_signed_in_official_or_the_right_letter_change_nothing(
    client, sign_in, drafter, letter_id
):
    sign_in(drafter)
    csrf = room_csrf(client, letter_id)
    assert comment_on(client, letter_id, "", "affirm").status_code == 400  # no CSRF token
    assert db.session.query(Comment).count() == 0
    thread_id = comment_on(client, letter_id, csrf, "affirm").get_json()["id"]
    other = new_letter(drafter, "Another letter.\n")
    assert post_json(client, url(other, f"/{thread_id}/replies"), csrf, {"body": "Hi"}).status_code == 404
    assert post_json(client, url(other, f"/{thread_id}/resolve"), csrf, {}).status_code == 404
    assert post_json(client, url(letter_id, f"/{thread_id}/resolve"), csrf, {"resolved": "yes"}).status_code == 400
    not_json = client.post(
        url(letter_id), data="[1]", headers={"X-CSRFToken": csrf, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.get_json()["error"]["code"] == "bad_request"
    assert db.session.query(Comment).count() == 1
    assert db.session.get(Comment, thread_id).resolved_at is None
    client.post("/auth/sign-out", data={"csrf_token": csrf})
    assert client.get(url(letter_id)).status_code == 302


def test_the_letters_room_hears_of_every_change_to_a_thread_whoever_makes_it(
    app, client, sign_in, bearer, drafter, reviewer, letter_id
):
    sio = socket_client(app, namespace=NS, auth={"token": bearer(drafter)["Authorization"][7:]})
    assert sio.emit("join", {"letter_id": letter_id}, namespace=NS, callback=True)["ok"]
    elsewhere = new_letter(drafter, "Another letter.\n")
    outsider = socket_client(app, namespace=NS, auth={"token": bearer(drafter)["Authorization"][7:]})
    assert outsider.emit("join", {"letter_id": elsewhere}, namespace=NS, callback=True)["ok"]
    sio.get_received(NS)
    outsider.get_received(NS)

    # From the API (a reviewer's token) ...
    made = client.post(
        f"/api/v1/letters/{letter_id}/comments",
        json={"body": "Which status?", "start": 28, "end": 34},
        headers=bearer(reviewer),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    thread_id = made.json["id"]
    # ... and from the drafting room (a drafter's session).
    sign_in(drafter)
    csrf = room_csrf(client, letter_id)
    post_json(client, url(letter_id, f"/{thread_id}/replies"), csrf, {"body": "Done."})
    post_json(client, url(letter_id, f"/{thread_id}/resolve"), csrf, {"resolved": True})
    post_json(client, url(letter_id, f"/{thread_id}/resolve"), csrf, {"resolved": True})  # already: no news
    post_json(client, url(letter_id, f"/{thread_id}/resolve"), csrf, {"resolved": False})

    heard = [event["args"][0] for event in sio.get_received(NS) if event["name"] == "comment"]
    assert [(e["action"], e["author"]["id"], e["thread_id"]) for e in heard] == [
        ("added", reviewer.id, thread_id),
        ("replied", drafter.id, thread_id),
        ("resolved", drafter.id, thread_id),
        ("reopened", drafter.id, thread_id),
    ]
    assert all(e["letter_id"] == letter_id for e in heard)
    assert heard[0]["comment_id"] == thread_id and heard[1]["comment_id"] != thread_id
    assert [e for e in outsider.get_received(NS) if e["name"] == "comment"] == [], "other letters hear nothing"
    sio.disconnect(namespace=NS)
    outsider.disconnect(namespace=NS)
