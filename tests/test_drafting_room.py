"""The drafting room page: its style nonce (the editor's own style element, on this page only) and the
authorship runs its editor colours words with."""

from __future__ import annotations

import re

import pytest

from tests.review_helpers import new_letter, replace_in


@pytest.fixture
def letter_id(drafter, drafter2) -> int:
    letter_id = new_letter(drafter)
    replace_in(drafter2, letter_id, "affirm", "reaffirm")
    return letter_id


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
    mine = [run for run in runs if run["author"]["id"] == drafter2.id]
    assert mine and "re" in "".join(run["text"] for run in mine)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", run["author"]["color"]) for run in runs)
    assert text  # the page still renders for a reviewer


@pytest.mark.parametrize("revision", ["abc", "-1", "99"])
def test_a_bad_revision_is_a_clear_error_not_a_fault(client, sign_in, drafter, letter_id, revision):
    sign_in(drafter)
    response = client.get(f"/drafts/{letter_id}/authorship.json?revision={revision}")
    assert 400 <= response.status_code < 500


def test_authorship_needs_a_signed_in_official(client, letter_id):
    response = client.get(f"/drafts/{letter_id}/authorship.json")
    assert response.status_code == 302
