"""The drafting room page: its style nonce (the editor's own style element, on this page only) and the
authorship runs its editor colours words with."""

from __future__ import annotations

import itertools
import re

import pytest

from app.extensions import db
from app.letters.models import Letter
from tests.review_helpers import api_patch, new_letter, replace_in


@pytest.fixture
def letter_id(drafter, drafter2) -> int:
    letter_id = new_letter(drafter)
    replace_in(drafter2, letter_id, "affirm", "reaffirm")
    return letter_id


def text_of(client, letter_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).text


def test_the_room_allows_its_own_style_element_and_no_other_page_does(client, sign_in, drafter, letter_id):
    sign_in(drafter)
    room = client.get(f"/drafts/{letter_id}")
    assert room.status_code == 200
    nonce = re.search(r'data-style-nonce="([^"]+)"', room.get_data(as_text=True)).group(1)
    assert f"style-src 'self' 'nonce-{nonce}'" in room.headers["Content-Security-Policy"]
    again = client.get(f"/drafts/{letter_id}")
    assert nonce not in again.headers["Content-Security-Policy"], "a new nonce for every page"
    assert "nonce" not in client.get("/dashboard").headers["Content-Security-Policy"]


def test_authorship_runs_spell_the_text_and_name_each_writer_with_a_colour(
    client, sign_in, reviewer, drafter2, letter_id
):
    sign_in(reviewer)
    runs = client.get(f"/drafts/{letter_id}/authorship.json?revision=1").get_json()
    text = client.get(f"/drafts/{letter_id}").get_data(as_text=True)
    assert "".join(run["text"] for run in runs)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", run["author"]["color"]) for run in runs)
    # Whole words, as on the review's authorship page: Bo's "re" leaves "reaffirm" to its writer.
    word = next(run for run in runs if "reaffirm" in run["text"])
    assert word["author"]["id"] != drafter2.id
    assert text  # the page still renders for a reviewer


def test_the_editors_authorship_never_splits_a_word(client, sign_in, drafter, drafter2, letter_id):
    replace_in(drafter, letter_id, "status.", "status at 7:4")
    replace_in(drafter2, letter_id, "at 7:4", "at 7:45 am")
    sign_in(drafter)
    runs = client.get(f"/drafts/{letter_id}/authorship.json").get_json()
    by_word = {w: run["author"]["name"] for run in runs for w in run["text"].split()}
    assert by_word["7:45"] == drafter.name and by_word["am"] == drafter2.name
    for before, after in itertools.pairwise(runs):  # every boundary between runs is at a space
        assert before["text"][-1:].isspace() or after["text"][:1].isspace()


@pytest.mark.parametrize("revision", ["abc", "-1", "99"])
def test_a_bad_revision_is_a_clear_error_not_a_fault(client, sign_in, drafter, letter_id, revision):
    sign_in(drafter)
    response = client.get(f"/drafts/{letter_id}/authorship.json?revision={revision}")
    assert 400 <= response.status_code < 500


def test_authorship_needs_a_signed_in_official(client, letter_id):
    response = client.get(f"/drafts/{letter_id}/authorship.json")
    assert response.status_code == 302


# -- suggestions inline ------------------------------------------------------------------------


def room_csrf(client, letter_id: int) -> str:
    return re.search(r'data-csrf="([^"]+)"', client.get(f"/drafts/{letter_id}").get_data(as_text=True)).group(1)


def post_json(client, url: str, csrf: str | None, body: dict | None = None):
    headers = {"X-CSRFToken": csrf} if csrf else {}
    return client.post(url, json=body or {}, headers=headers)


def test_a_reviewer_suggests_and_everyone_sees_it_placed_on_the_newest_text(
    client, sign_in, reviewer, drafter, letter_id
):
    sign_in(reviewer)
    csrf = room_csrf(client, letter_id)
    shown = client.get(f"/drafts/{letter_id}/suggestions.json").get_json()
    base, text = shown["revision"], text_of(client, letter_id)
    assert shown["suggestions"] == [] and shown["can_decide"] is False
    start = text.index("reaffirm")
    wanted = text[:start] + "firmly reaffirm" + text[start + len("reaffirm") :]
    made = post_json(
        client,
        f"/drafts/{letter_id}/suggestions.json",
        csrf,
        {"base_revision": base, "patch": api_patch(text, wanted), "note": "Stronger."},
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    # The letter moves on before the suggestion (text typed at its start): it is placed where it now stands.
    replace_in(drafter, letter_id, text[:10], "URGENT " + text[:10])
    shown = client.get(f"/drafts/{letter_id}/suggestions.json").get_json()
    newest = text_of(client, letter_id)
    [suggestion] = shown["suggestions"]
    assert suggestion["author"]["name"] == reviewer.name and suggestion["note"] == "Stronger."
    assert newest[: suggestion["start"]] + suggestion["replacement"] + newest[suggestion["end"] :] == newest.replace(
        "reaffirm", "firmly reaffirm", 1
    )


def test_a_drafter_accepts_inline_and_the_text_changes_credited_to_the_suggester(
    client, sign_in, reviewer, drafter, letter_id
):
    sign_in(reviewer)
    text = text_of(client, letter_id)
    csrf = room_csrf(client, letter_id)
    body = {"base_revision": 1, "patch": api_patch(text, text.replace("reaffirm", "uphold", 1))}
    sid = post_json(client, f"/drafts/{letter_id}/suggestions.json", csrf, body).get_json()["id"]
    refused = post_json(client, f"/drafts/{letter_id}/suggestions/{sid}/accept.json", csrf)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"

    sign_in(drafter)
    csrf = room_csrf(client, letter_id)
    assert client.get(f"/drafts/{letter_id}/suggestions.json").get_json()["can_decide"] is True
    accepted = post_json(client, f"/drafts/{letter_id}/suggestions/{sid}/accept.json", csrf)
    assert accepted.status_code == 200 and accepted.get_json() == {"status": "accepted"}
    assert "uphold" in text_of(client, letter_id)
    assert client.get(f"/drafts/{letter_id}/suggestions.json").get_json()["suggestions"] == []
    again = post_json(client, f"/drafts/{letter_id}/suggestions/{sid}/reject.json", csrf)
    assert again.status_code == 409


def test_suggestion_requests_without_the_csrf_token_or_with_bad_input_change_nothing(
    client, sign_in, drafter, letter_id
):
    sign_in(drafter)
    csrf = room_csrf(client, letter_id)
    before = text_of(client, letter_id)
    assert post_json(client, f"/drafts/{letter_id}/suggestions.json", None, {"base_revision": 1}).status_code == 400
    for body in ({}, {"base_revision": 1, "patch": "not a patch"}, {"base_revision": "x", "patch": ""}):
        answer = post_json(client, f"/drafts/{letter_id}/suggestions.json", csrf, body)
        assert 400 <= answer.status_code < 500 and "error" in answer.get_json()
    assert (
        client.post(
            f"/drafts/{letter_id}/suggestions.json",
            data="[1]",
            headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        ).status_code
        == 400
    )
    missing = post_json(client, f"/drafts/{letter_id}/suggestions/999999/reject.json", csrf)
    assert missing.status_code == 404
    assert text_of(client, letter_id) == before


def test_a_suggestion_whose_text_was_edited_since_is_not_shown_inline(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    text = text_of(client, letter_id)
    csrf = room_csrf(client, letter_id)
    body = {"base_revision": 1, "patch": api_patch(text, text.replace("reaffirm", "uphold", 1))}
    assert post_json(client, f"/drafts/{letter_id}/suggestions.json", csrf, body).status_code == 201
    assert len(client.get(f"/drafts/{letter_id}/suggestions.json").get_json()["suggestions"]) == 1
    replace_in(drafter, letter_id, "reaffirm", "re-affirm")  # the same words, changed under it
    assert client.get(f"/drafts/{letter_id}/suggestions.json").get_json()["suggestions"] == []
