"""The contract's review calls under /api/v1: revisions, diff, blame, suggestions, approvals; and the
extra ones (checkpoints, review requests, comments, restore). Every error leaves everything as it was."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.letters.models import Letter, Revision
from app.mail.delivery import MailSender
from app.review.models import Approval, Comment, Suggestion
from app.sync import apply_patch_exact, make_patch
from tests.review_helpers import TEXT, edit_to, fresh_caches, new_letter, replace_in  # noqa: F401
from tests.support.mailbox import text_part
from tests.support.sockets import socket_client

API = "/api/v1"


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


def counts() -> dict[str, int]:
    return {
        "revisions": db.session.query(Revision).count(),
        "suggestions": db.session.query(Suggestion).count(),
        "approvals": db.session.query(Approval).count(),
        "comments": db.session.query(Comment).count(),
        "open": db.session.query(Suggestion).filter_by(status="open").count(),
    }


def letter_text(letter_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).text


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body


# -- revisions --------------------------------------------------------------------------------


def test_revisions_list_oldest_first_with_authors(client, bearer, drafter, drafter2, letter_id):
    replace_in(drafter2, letter_id, "affirm", "reaffirm")
    replace_in(drafter, letter_id, "alders", "alders of the city")

    response = client.get(f"{API}/letters/{letter_id}/revisions", headers=bearer(drafter))

    assert response.status_code == 200
    rows = response.get_json()
    assert [r["revision"] for r in rows] == [0, 1, 2]
    assert [r["author"] for r in rows] == [
        {"id": drafter.id, "name": "Alder Ada"},
        {"id": drafter2.id, "name": "Alder Bo"},
        {"id": drafter.id, "name": "Alder Ada"},
    ]
    assert rows[0]["edit_id"] == f"create-{letter_id}"
    assert all(set(r) == {"revision", "author", "created_at", "edit_id"} for r in rows)
    assert rows[1]["created_at"].startswith("20")


def test_revision_text_is_exact(client, bearer, drafter, reviewer, letter_id):
    replace_in(drafter, letter_id, "affirm", "reaffirm 😀")

    first = client.get(f"{API}/letters/{letter_id}/revisions/0", headers=bearer(reviewer))
    second = client.get(f"{API}/letters/{letter_id}/revisions/1", headers=bearer(reviewer))

    assert first.get_json() == {"revision": 0, "text": TEXT}
    assert second.get_json() == {"revision": 1, "text": TEXT.replace("affirm", "reaffirm 😀")}


@pytest.mark.parametrize("path", ["/revisions/2", "/revisions/99999999999", "/blame?revision=5"])
def test_unknown_revision_is_404(client, bearer, drafter, letter_id, path):
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    assert_error(client.get(f"{API}/letters/{letter_id}{path}", headers=bearer(drafter)), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/revisions", "/revisions/0", "/diff?from=0&to=0", "/blame", "/suggestions", "/approvals", "/comments"]
)
def test_history_is_for_officials_only(client, letter_id, path):
    assert_error(client.get(f"{API}/letters/{letter_id}{path}"), 401, "unauthorized")


def test_unknown_letter_is_404(client, bearer, drafter):
    for path in ("/revisions", "/revisions/0", "/diff?from=0&to=0", "/blame"):
        assert_error(client.get(f"{API}/letters/424242{path}", headers=bearer(drafter)), 404, "not_found")


# -- diff -------------------------------------------------------------------------------------


def test_diff_is_word_level_and_spells_both_revisions(client, bearer, reviewer, drafter, letter_id):
    replace_in(drafter, letter_id, "We ask the city to affirm", "We urge the city to reaffirm")

    response = client.get(f"{API}/letters/{letter_id}/diff?from=0&to=1", headers=bearer(reviewer))

    assert response.status_code == 200
    body = response.get_json()
    assert body["from"] == 0 and body["to"] == 1
    diffs = body["diffs"]
    assert all(op in (-1, 0, 1) and isinstance(text, str) and text for op, text in diffs)
    assert "".join(t for op, t in diffs if op != 1) == TEXT
    assert "".join(t for op, t in diffs if op != -1) == letter_text(letter_id)
    assert [-1, "ask"] in diffs and [1, "urge"] in diffs
    assert [-1, "affirm"] in diffs and [1, "reaffirm"] in diffs  # whole words, not "re" + "affirm"


def test_diff_of_a_revision_with_itself_and_backwards(client, bearer, drafter, letter_id):
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    same = client.get(f"{API}/letters/{letter_id}/diff?from=1&to=1", headers=bearer(drafter)).get_json()
    assert same["diffs"] == [[0, letter_text(letter_id)]]
    back = client.get(f"{API}/letters/{letter_id}/diff?from=1&to=0", headers=bearer(drafter)).get_json()
    assert "".join(t for op, t in back["diffs"] if op != -1) == TEXT


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=0",
        "?to=0",
        "?from=a&to=1",
        "?from=-1&to=1",
        "?from=0&to=2",
        "?from=0&to=1.5",
        "?from=0&to=99999999999",
    ],
)
def test_bad_diff_parameters_are_400(client, bearer, drafter, letter_id, query):
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    assert_error(client.get(f"{API}/letters/{letter_id}/diff{query}", headers=bearer(drafter)), 400, "bad_request")


# -- blame ------------------------------------------------------------------------------------


def test_blame_credits_each_run_to_the_revision_and_author_that_wrote_it(
    client, bearer, drafter, drafter2, reviewer, letter_id
):
    replace_in(drafter2, letter_id, "affirm", "reaffirm")  # revision 1 by Bo
    replace_in(drafter, letter_id, "Signed", "Signed with care 🙂")  # revision 2 by Ada

    runs = client.get(f"{API}/letters/{letter_id}/blame?revision=2", headers=bearer(reviewer)).get_json()

    assert "".join(r["text"] for r in runs) == letter_text(letter_id)
    by_text = {r["text"]: r for r in runs}
    assert any("re" in r["text"] and r["revision"] == 1 and r["author"]["name"] == "Alder Bo" for r in runs)
    assert any("with care 🙂" in r["text"] and r["revision"] == 2 for r in runs)
    assert runs[0]["revision"] == 0 and runs[0]["author"] == {"id": drafter.id, "name": "Alder Ada"}
    assert by_text  # every run has a non-empty text
    assert all(r["text"] for r in runs)

    at_one = client.get(f"{API}/letters/{letter_id}/blame?revision=1", headers=bearer(reviewer)).get_json()
    assert "".join(r["text"] for r in at_one) == TEXT.replace("affirm", "reaffirm")
    newest = client.get(f"{API}/letters/{letter_id}/blame", headers=bearer(reviewer)).get_json()
    assert newest == runs


@pytest.mark.parametrize("query", ["?revision=x", "?revision=-1", "?revision=1.0"])
def test_bad_blame_parameter_is_400(client, bearer, drafter, letter_id, query):
    assert_error(client.get(f"{API}/letters/{letter_id}/blame{query}", headers=bearer(drafter)), 400, "bad_request")


# -- suggestions ------------------------------------------------------------------------------


def suggest(client, headers, letter_id, old, new, base=0, note="Clearer"):
    return client.post(
        f"{API}/letters/{letter_id}/suggestions",
        json={"base_revision": base, "patch": make_patch(old, new), "note": note},
        headers=headers,
    )


def test_reviewer_suggests_drafter_accepts_credited_to_reviewer_and_broadcast(
    app, client, bearer, drafter, reviewer, letter_id
):
    new = TEXT.replace("affirm", "proudly affirm")
    created = suggest(client, bearer(reviewer), letter_id, TEXT, new)
    assert created.status_code == 201
    assert set(created.get_json()) == {"id", "status"} and created.get_json()["status"] == "open"
    sid = created.get_json()["id"]

    listener = socket_client(app, namespace="/draft", auth={"token": bearer(drafter)["Authorization"][7:]})
    assert listener.emit("join", {"letter_id": letter_id}, namespace="/draft", callback=True)["ok"]
    listener.get_received("/draft")

    accepted = client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter))

    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert accepted.get_json() == {"status": "accepted", "revision": 1}
    assert letter_text(letter_id) == new
    events = [e["args"][0] for e in listener.get_received("/draft") if e["name"] == "revision"]
    assert len(events) == 1
    assert events[0]["revision"] == 1 and events[0]["edit_id"] == f"suggestion-{sid}"
    assert events[0]["author"] == {"id": reviewer.id, "name": "Reviewer Rae"}
    assert apply_patch_exact(TEXT, events[0]["patch"]) == new
    listener.disconnect(namespace="/draft")

    revisions = client.get(f"{API}/letters/{letter_id}/revisions", headers=bearer(drafter)).get_json()
    assert revisions[1]["author"]["id"] == reviewer.id
    runs = client.get(f"{API}/letters/{letter_id}/blame", headers=bearer(drafter)).get_json()
    assert {"text": "proudly ", "revision": 1, "author": {"id": reviewer.id, "name": "Reviewer Rae"}} in runs
    one = client.get(f"{API}/suggestions/{sid}", headers=bearer(reviewer)).get_json()
    assert one["status"] == "accepted" and one["revision"] == 1 and one["decided_by"]["id"] == drafter.id


def test_accepting_merges_past_later_edits_elsewhere(client, bearer, drafter, reviewer, letter_id):
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT.replace("affirm", "proudly affirm")).get_json()["id"]
    replace_in(drafter, letter_id, "Dear Mayor", "Dear Mayor Lee")

    accepted = client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter))

    assert accepted.get_json() == {"status": "accepted", "revision": 2}
    assert letter_text(letter_id) == TEXT.replace("Dear Mayor", "Dear Mayor Lee").replace("affirm", "proudly affirm")


def test_conflicting_suggestion_stays_open_with_a_message_and_can_be_refreshed(
    client, bearer, drafter, reviewer, letter_id
):
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT.replace("sanctuary status", "status")).get_json()[
        "id"
    ]
    replace_in(drafter, letter_id, "sanctuary", "refuge")  # edits that very text
    before = counts()
    text_before = letter_text(letter_id)

    refused = client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter))

    assert_error(refused, 409, "conflict")
    assert letter_text(letter_id) == text_before
    assert counts() == before
    one = client.get(f"{API}/suggestions/{sid}", headers=bearer(drafter)).get_json()
    assert one["status"] == "open" and "Revision 1" in one["problem"]

    refreshed = client.post(f"{API}/suggestions/{sid}/refresh", headers=bearer(reviewer))
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    assert refreshed.get_json()["base_revision"] == 1 and refreshed.get_json()["problem"] is None
    accepted = client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter))
    assert accepted.status_code == 200
    assert letter_text(letter_id) == TEXT.replace("sanctuary status", "status")


def test_reject_leaves_text_unchanged_and_decisions_are_final(client, bearer, drafter, reviewer, letter_id):
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "P.S.\n").get_json()["id"]

    rejected = client.post(f"{API}/suggestions/{sid}/reject", headers=bearer(drafter))

    assert rejected.status_code == 200 and rejected.get_json() == {"status": "rejected"}
    assert letter_text(letter_id) == TEXT
    before = counts()
    assert_error(client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter)), 409, "conflict")
    assert_error(client.post(f"{API}/suggestions/{sid}/reject", headers=bearer(drafter)), 409, "conflict")
    assert counts() == before and letter_text(letter_id) == TEXT


def test_reviewer_may_not_accept_or_reject(client, bearer, reviewer, clerk, letter_id):
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "P.S.\n").get_json()["id"]
    before = counts()
    for who in (reviewer, clerk):
        for action in ("accept", "reject"):
            assert_error(client.post(f"{API}/suggestions/{sid}/{action}", headers=bearer(who)), 403, "forbidden")
    assert counts() == before and letter_text(letter_id) == TEXT


def test_clerk_may_not_suggest_but_a_drafter_may(client, bearer, clerk, drafter2, letter_id):
    assert_error(suggest(client, bearer(clerk), letter_id, TEXT, TEXT + "x"), 403, "forbidden")
    assert suggest(client, bearer(drafter2), letter_id, TEXT, TEXT + "x").status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"patch": "@@ -1 +1 @@\n-D\n+d\n", "note": ""}, 400, "bad_request"),  # no base_revision
        ({"base_revision": 0, "note": ""}, 400, "bad_request"),  # no patch
        ({"base_revision": "0", "patch": "x", "note": ""}, 400, "bad_request"),
        ({"base_revision": 5, "patch": "@@ -1 +1 @@\n-D\n+d\n"}, 400, "bad_request"),
        ({"base_revision": 0, "patch": "not a patch"}, 400, "bad_patch"),
        ({"base_revision": 0, "patch": 7}, 400, "bad_patch"),
        ({"base_revision": 0, "patch": "@@ -1 +1 @@\n-X\n+d\n"}, 409, "conflict"),  # does not apply to its base
        ({"base_revision": 0, "patch": ""}, 400, "bad_request"),  # changes nothing
        ({"base_revision": 0, "patch": "@@ -1 +1 @@\n-D\n+d\n", "note": "n" * 2001}, 400, "bad_request"),
    ],
)
def test_bad_suggestions_are_refused_and_nothing_is_stored(client, bearer, reviewer, letter_id, body, status, code):
    before = counts()
    assert_error(
        client.post(f"{API}/letters/{letter_id}/suggestions", json=body, headers=bearer(reviewer)), status, code
    )
    assert counts() == before


def test_suggestions_on_unknown_things(client, bearer, reviewer, drafter):
    assert_error(
        client.post(
            f"{API}/letters/999/suggestions",
            json={"base_revision": 0, "patch": "", "note": ""},
            headers=bearer(reviewer),
        ),
        404,
        "not_found",
    )
    assert_error(client.post(f"{API}/suggestions/999/accept", headers=bearer(drafter)), 404, "not_found")
    assert_error(client.post(f"{API}/suggestions/999/reject", headers=bearer(drafter)), 404, "not_found")
    assert_error(client.post(f"{API}/suggestions/1/accept"), 401, "unauthorized")


def test_suggestion_on_a_locked_letter_is_refused(client, bearer, reviewer, drafter, clerk, letter_id):
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "P.S.\n").get_json()["id"]
    assert client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk)).status_code == 200
    assert_error(suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "x"), 409, "locked")
    assert_error(client.post(f"{API}/suggestions/{sid}/accept", headers=bearer(drafter)), 409, "locked")
    assert letter_text(letter_id) == TEXT


def test_only_the_suggester_withdraws(client, bearer, reviewer, make_official, letter_id):
    other = make_official("reviewer")
    sid = suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "x").get_json()["id"]
    assert_error(client.post(f"{API}/suggestions/{sid}/withdraw", headers=bearer(other)), 403, "forbidden")
    assert client.post(f"{API}/suggestions/{sid}/withdraw", headers=bearer(reviewer)).get_json() == {
        "status": "withdrawn"
    }


def test_suggestion_list(client, bearer, reviewer, drafter, letter_id):
    suggest(client, bearer(reviewer), letter_id, TEXT, TEXT + "x", note="Add an x")
    rows = client.get(f"{API}/letters/{letter_id}/suggestions", headers=bearer(drafter)).get_json()
    assert len(rows) == 1 and rows[0]["note"] == "Add an x" and rows[0]["author"]["id"] == reviewer.id


# -- approvals --------------------------------------------------------------------------------


def test_reviewer_approves_a_revision_and_the_newest_differs(client, bearer, reviewer, drafter, letter_id):
    created = client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}, headers=bearer(reviewer))
    assert created.status_code == 201
    assert created.get_json()["revision"] == 0 and created.get_json()["reviewer"]["id"] == reviewer.id

    status = client.get(f"{API}/letters/{letter_id}/approvals", headers=bearer(drafter)).get_json()
    assert status["approved_revision"] == 0 and status["newest_differs"] is False

    replace_in(drafter, letter_id, "affirm", "reaffirm")
    status = client.get(f"{API}/letters/{letter_id}/approvals", headers=bearer(drafter)).get_json()
    assert status["newest_revision"] == 1 and status["newest_differs"] is True
    assert [a["revision"] for a in status["approvals"]] == [0]


def test_approval_errors_change_nothing(client, bearer, reviewer, drafter, clerk, letter_id):
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}, headers=bearer(drafter)),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}, headers=bearer(clerk)),
        403,
        "forbidden",
    )
    assert_error(client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}), 401, "unauthorized")
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 3}, headers=bearer(reviewer)),
        404,
        "not_found",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": "x"}, headers=bearer(reviewer)),
        400,
        "bad_request",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={}, headers=bearer(reviewer)), 400, "bad_request"
    )
    assert counts()["approvals"] == 0
    client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}, headers=bearer(reviewer))
    assert_error(
        client.post(f"{API}/letters/{letter_id}/approvals", json={"revision": 0}, headers=bearer(reviewer)),
        409,
        "conflict",
    )
    assert counts()["approvals"] == 1


# -- checkpoints, review requests, restore ----------------------------------------------------


def test_checkpoints_and_review_requests_email_reviewers(
    app, client, bearer, clerk, drafter, reviewer, make_official, letter_id, mailbox
):
    other_reviewer = make_official("reviewer")
    make_official("reviewer", active=False)
    made = client.post(
        f"{API}/letters/{letter_id}/checkpoints",
        json={"revision": 0, "name": "First draft"},
        headers=bearer(drafter),
    )
    assert made.status_code == 201 and made.get_json()["name"] == "First draft"
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    second = client.post(
        f"{API}/letters/{letter_id}/checkpoints",
        json={"revision": 1, "name": "Draft sent to the mayor's office"},
        headers=bearer(clerk),
    ).get_json()
    renamed = client.post(
        f"{API}/letters/{letter_id}/checkpoints",
        json={"revision": 1, "name": "Sent to the mayor"},
        headers=bearer(clerk),
    )
    assert renamed.status_code == 201 and renamed.get_json()["id"] == second["id"]
    listed = client.get(f"{API}/letters/{letter_id}/checkpoints", headers=bearer(reviewer)).get_json()
    assert [(c["revision"], c["name"]) for c in listed] == [(0, "First draft"), (1, "Sent to the mayor")]

    assert_error(
        client.post(
            f"{API}/letters/{letter_id}/checkpoints", json={"revision": 0, "name": "x"}, headers=bearer(reviewer)
        ),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/checkpoints", json={"revision": 9, "name": "x"}, headers=bearer(clerk)),
        404,
        "not_found",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/checkpoints", json={"revision": 0, "name": ""}, headers=bearer(clerk)),
        400,
        "bad_request",
    )

    requested = client.post(
        f"{API}/letters/{letter_id}/review-requests",
        json={"checkpoint_id": second["id"], "message": "Please look at the wording."},
        headers=bearer(drafter),
    )
    assert requested.status_code == 201, requested.get_data(as_text=True)
    assert requested.get_json()["recipients"] == 2
    assert MailSender(app).deliver_due() == 2
    for who in (reviewer, other_reviewer):
        (message,) = mailbox.to(who.email)
        body = text_part(message)
        assert "Sent to the mayor" in body and "Please look at the wording." in body
        assert f"/drafts/{letter_id}/review/diff?from=0&to=1" in body
        assert "Sent to the mayor" in message["Subject"]
    assert_error(
        client.post(f"{API}/letters/{letter_id}/review-requests", json={"checkpoint_id": 999}, headers=bearer(drafter)),
        404,
        "not_found",
    )
    assert_error(
        client.post(
            f"{API}/letters/{letter_id}/review-requests", json={"checkpoint_id": second["id"]}, headers=bearer(reviewer)
        ),
        403,
        "forbidden",
    )


def test_restore_makes_a_new_revision_and_keeps_history(app, client, bearer, drafter, reviewer, letter_id):
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    replace_in(drafter, letter_id, "alders", "people")

    restored = client.post(f"{API}/letters/{letter_id}/restore", json={"revision": 0}, headers=bearer(drafter))

    assert restored.status_code == 201, restored.get_data(as_text=True)
    assert restored.get_json()["revision"] == 3 and restored.get_json()["restored"] == 0
    assert letter_text(letter_id) == TEXT
    revisions = client.get(f"{API}/letters/{letter_id}/revisions", headers=bearer(drafter)).get_json()
    assert [r["revision"] for r in revisions] == [0, 1, 2, 3]
    assert revisions[3]["edit_id"].startswith("restore-")
    again = client.post(
        f"{API}/letters/{letter_id}/restore",
        json={"revision": 1, "edit_id": "restore-once"},
        headers=bearer(drafter),
    )
    twice = client.post(
        f"{API}/letters/{letter_id}/restore",
        json={"revision": 1, "edit_id": "restore-once"},
        headers=bearer(drafter),
    )
    assert again.get_json()["revision"] == twice.get_json()["revision"] == 4
    assert_error(
        client.post(f"{API}/letters/{letter_id}/restore", json={"revision": 1}, headers=bearer(drafter)),
        400,
        "bad_request",
    )  # already that text
    assert_error(
        client.post(f"{API}/letters/{letter_id}/restore", json={"revision": 0}, headers=bearer(reviewer)),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"{API}/letters/{letter_id}/restore", json={"revision": 77}, headers=bearer(drafter)),
        404,
        "not_found",
    )


# -- comments ---------------------------------------------------------------------------------


def test_comment_thread_anchor_follows_text_and_goes_outdated(client, bearer, reviewer, drafter, letter_id):
    start = TEXT.index("sanctuary")
    made = client.post(
        f"{API}/letters/{letter_id}/comments",
        json={"body": "Is this the right word?", "revision": 0, "start": start, "end": start + len("sanctuary")},
        headers=bearer(reviewer),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    cid = made.get_json()["id"]
    assert made.get_json()["quote"] == "sanctuary"
    reply = client.post(f"{API}/comments/{cid}/replies", json={"body": "Yes, it is."}, headers=bearer(drafter))
    assert reply.status_code == 201

    replace_in(drafter, letter_id, "Dear Mayor", "Dear Mayor Lee 😀")  # earlier text grows
    threads = client.get(f"{API}/letters/{letter_id}/comments", headers=bearer(reviewer)).get_json()
    (thread,) = threads
    assert thread["anchor"]["outdated"] is False and thread["anchor"]["text"] == "sanctuary"
    newest = letter_text(letter_id)
    assert newest[thread["anchor"]["start"] : thread["anchor"]["end"]] == "sanctuary"
    assert [r["body"] for r in thread["replies"]] == ["Yes, it is."]

    replace_in(drafter, letter_id, "its sanctuary status", "its status")
    (thread,) = client.get(f"{API}/letters/{letter_id}/comments", headers=bearer(reviewer)).get_json()
    assert thread["anchor"]["outdated"] is True

    resolved = client.post(f"{API}/comments/{cid}/resolve", json={}, headers=bearer(drafter))
    assert resolved.get_json()["resolved"] is True
    reopened = client.post(f"{API}/comments/{cid}/resolve", json={"resolved": False}, headers=bearer(drafter))
    assert reopened.get_json()["resolved"] is False


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"body": "x", "start": 0, "end": len(TEXT) + 1}, 400),
        ({"body": "x", "start": -1, "end": 3}, 400),
        ({"body": "x", "start": 5, "end": 2}, 400),
        ({"body": "x", "start": 2, "end": 2}, 400),
        ({"body": "x", "start": "0", "end": 2}, 400),
        ({"body": "", "start": 0, "end": 2}, 400),
        ({"body": "x", "start": 0}, 400),
        ({"body": "x", "start": 0, "end": 2, "revision": 7}, 404),
    ],
)
def test_bad_comments_are_refused(client, bearer, reviewer, letter_id, body, status):
    response = client.post(f"{API}/letters/{letter_id}/comments", json=body, headers=bearer(reviewer))
    assert_error(response, status, "bad_request" if status == 400 else "not_found")
    assert counts()["comments"] == 0


def test_openapi_describes_the_review_calls(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/letters/{letter_id}/revisions",
        "/api/v1/letters/{letter_id}/revisions/{number}",
        "/api/v1/letters/{letter_id}/diff",
        "/api/v1/letters/{letter_id}/blame",
        "/api/v1/letters/{letter_id}/suggestions",
        "/api/v1/suggestions/{suggestion_id}/accept",
        "/api/v1/suggestions/{suggestion_id}/reject",
        "/api/v1/letters/{letter_id}/approvals",
    ):
        assert path in paths, path


def test_edit_to_helper(drafter, letter_id):
    assert edit_to(drafter, letter_id, TEXT + "!") == 1
