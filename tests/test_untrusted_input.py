"""Text no database can keep, and JSON too deep to read, never answer a 5xx (issue 11, item 11).

A lone surrogate ("\\ud800") or a NUL in any JSON string the API takes, a body nested 50,000
deep, a NUL in a page's form field, path or query: each is a clear 400 (JSON on /api, a page
elsewhere) and changes nothing, on SQLite and on PostgreSQL. Sockets: tests/test_socket_input.py;
what the HTTP server answers before the app: tests/test_server_answers.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.letters.models import Letter
from app.review import approvals, comments
from app.sync import make_patch
from tests.conftest import csrf_token_from
from tests.review_helpers import TEXT, new_letter, replace_in
from tests.signing_helpers import make_locked_letter

API = "/api/v1"
BAD_TEXT = ["fine \udfff not", "a\x00b"]
DEEP = 50_000


def row_counts() -> dict[str, int]:
    """How many rows every table holds."""
    tables = db.metadata.sorted_tables
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in tables}


def assert_refused(response, status: int = 400, code: str = "bad_request") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.fixture
def world(drafter, reviewer, clerk) -> dict[str, int]:
    """A draft at revision 1 with a checkpoint and a comment; a locked letter."""
    draft = new_letter(drafter)
    replace_in(drafter, draft, "affirm", "reaffirm")
    checkpoint = approvals.name_checkpoint(drafter, draft, 1, "First draft")
    comment = comments.add_comment(reviewer, draft, "Why?", start=0, end=4)
    return {
        "draft": draft,
        "locked": make_locked_letter(drafter, clerk),
        "checkpoint": checkpoint.id,
        "comment": comment.id,
    }


# Every JSON string the API takes: (who calls, path, a valid body, the field to spoil).
STRING_FIELDS = [
    ("drafter", "/letters", {"title": "T", "text": "Hello"}, "title"),
    ("drafter", "/letters", {"title": "T", "text": "Hello"}, "text"),
    ("reviewer", "/letters/{draft}/comments", {"body": "Why?", "start": 0, "end": 4}, "body"),
    ("reviewer", "/comments/{comment}/replies", {"body": "Because."}, "body"),
    ("reviewer", "/letters/{draft}/suggestions", {"base_revision": 0, "patch": "PATCH", "note": "n"}, "note"),
    ("reviewer", "/letters/{draft}/suggestions", {"base_revision": 0, "patch": "PATCH", "note": "n"}, "patch"),
    ("drafter", "/letters/{draft}/checkpoints", {"revision": 1, "name": "Sent"}, "name"),
    ("drafter", "/letters/{draft}/review-requests", {"checkpoint_id": "CHECKPOINT", "message": "Hi"}, "message"),
    ("drafter", "/letters/{draft}/restore", {"revision": 0, "edit_id": "restore-x"}, "edit_id"),
    ("clerk", "/letters/{locked}/endorsements", {"title": "Clerk"}, "title"),
    (None, "/letters/{locked}/signatures", {"name": "Ana", "email": "ana@city.example"}, "name"),
    (None, "/letters/{locked}/signatures", {"name": "Ana", "email": "ana@city.example"}, "email"),
    (None, "/letters/{locked}/signatures", {"name": "Ana", "email": "ana@city.example"}, "ward"),
    (None, "/signatures/confirm", {"token": "0123456789abcdef"}, "token"),
]


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize(("who", "path", "body", "field"), STRING_FIELDS)
def test_every_json_string_with_unstorable_text_is_400_and_changes_nothing(
    app, client, world, bearer, drafter, reviewer, clerk, who, path, body, field, bad
):
    app.config["REVIEW_REQUESTS_PER_HOUR_PER_LETTER"] = 0
    officials = {"drafter": drafter, "reviewer": reviewer, "clerk": clerk}
    headers = bearer(officials[who]) if who else {}
    url = API + path.format(**world)
    body = {**body, field: bad}
    if body.get("patch") == "PATCH":
        body["patch"] = make_patch(TEXT, TEXT + "!")
    if body.get("checkpoint_id") == "CHECKPOINT":
        body["checkpoint_id"] = world["checkpoint"]
    before = row_counts()
    assert_refused(client.post(url, json=body, headers=headers))
    assert row_counts() == before


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_a_field_name_with_unstorable_text_is_400(client, drafter, bearer, bad):
    response = client.post(f"{API}/letters", json={"title": "T", "text": "x", bad: 1}, headers=bearer(drafter))
    assert_refused(response)
    assert db.session.query(Letter).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "[" * DEEP + "]" * DEEP,
        '{"title": "T", "text": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"title": "T", "text": "x", "extra": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}",
    ],
    ids=["array", "in-a-field", "objects"],
)
def test_json_nested_50000_deep_is_400_and_creates_nothing(client, drafter, bearer, body):
    response = client.post(f"{API}/letters", data=body, content_type="application/json", headers=bearer(drafter))
    error = assert_refused(response)
    assert "deep" in error["message"]
    assert db.session.query(Letter).count() == 0


def test_json_nested_a_few_hundred_deep_is_an_ordinary_400(client, drafter, bearer):
    body = '{"title": "T", "text": ' + "[" * 400 + "]" * 400 + "}"
    response = client.post(f"{API}/letters", data=body, content_type="application/json", headers=bearer(drafter))
    assert assert_refused(response)["details"]["field"] == "text"


# -- pages ------------------------------------------------------------------------------------


def assert_page_refused(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    assert "NUL" in response.get_data(as_text=True)


def post_page_form(client, page: str, action: str, data: dict):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


@pytest.mark.parametrize("field", ["title", "text"])
def test_a_nul_in_the_new_letter_form_is_a_400_page(client, sign_in, drafter, field):
    sign_in(drafter)
    data = {"title": "Sanctuary", "text": "Dear Mayor", field: "with a \x00 in it"}
    before = row_counts()
    assert_page_refused(post_page_form(client, "/drafts/new", "/drafts/new", data))
    assert row_counts() == before


def test_a_nul_in_review_forms_is_a_400_page(client, sign_in, drafter, world, mailbox):
    sign_in(drafter)
    review = f"/drafts/{world['draft']}/review"
    before = row_counts()
    forms = [
        ("/checkpoints", {"revision": "1", "name": "Sent\x00"}),
        ("/review-requests", {"checkpoint_id": str(world["checkpoint"]), "message": "Please\x00"}),
        (f"/comments/{world['comment']}/reply", {"body": "Yes\x00"}),
    ]
    for action, data in forms:
        assert_page_refused(post_page_form(client, review, review + action, data))
    assert row_counts() == before
    assert mailbox.messages == []


def test_a_nul_in_the_signing_form_is_a_400_page(app, client, world, mailbox):
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    letter = f"/letters/{world['locked']}"
    page = client.get(letter).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "name": "Ana\x00", "email": "ana@city.example"}
    before = row_counts()
    assert_page_refused(client.post(letter + "/sign", data=data))
    assert row_counts() == before
    assert mailbox.messages == []


def test_a_nul_in_a_token_name_is_a_400_page(client, sign_in, drafter):
    sign_in(drafter)
    before = row_counts()
    assert_page_refused(post_page_form(client, "/account/tokens", "/account/tokens", {"label": "laptop\x00"}))
    assert row_counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/signatures/confirm/abcdefghij%00klmnop",
        "/signatures/withdraw/abcdefghij%00klmnop",
        "/auth/link/abcdefghij%00klmnop",
        "/letters/1?from=%00",
        "/api/v1/letters/1/diff?from=0&to=%00",
    ],
)
def test_a_nul_in_the_path_or_query_is_a_400(client, world, url):
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    if url.startswith("/api/"):
        assert_refused(response)
    else:
        assert_page_refused(response)


def test_a_percent_encoded_lone_surrogate_in_a_form_arrives_as_the_escape_itself(client, sign_in, drafter):
    """Werkzeug keeps percent escapes of bytes that are not UTF-8 (here a surrogate's %ED%A0%80) as
    the escape text, so no lone surrogate reaches the app from a form: the title is stored as sent."""
    sign_in(drafter)
    token = csrf_token_from(client.get("/drafts/new").get_data(as_text=True))
    body = f"csrf_token={token}&title=A%ED%A0%80B&text=Dear+Mayor"
    response = client.post("/drafts/new", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    [letter] = db.session.query(Letter).all()
    assert letter.title == "A%ED%A0%80B"
