"""How the API answers input it cannot take, and how /api/v1/openapi.json describes the answers:
the contract's error format everywhere, the field concerned, 405 with Allow, 415 for bodies that
are not JSON, and 400 (never a 5xx) for text no database can keep. Nothing changes on an error."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.letters.models import Letter
from app.review.models import Comment, Suggestion
from app.sync import make_patch
from tests.review_helpers import TEXT, new_letter

API = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


def spec(client) -> dict:
    return client.get(f"{API}/openapi.json").json


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    assert set(response.json) == {"error"} and set(error) <= {"code", "message", "details"}
    return error


def test_every_error_is_described_in_the_contract_format(client):
    document = spec(client)
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    assert schemas["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message"}
    responses = document["components"]["responses"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert "default" not in operation["responses"], (method, path)
            errors = [s for s in operation["responses"] if not s.startswith("2")]
            assert "401" in errors, (method, path)  # a bad token is refused everywhere
            for status in errors:
                name = operation["responses"][status]["$ref"].rsplit("/", 1)[-1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_limits_the_server_enforces_are_in_the_description(app, client):
    schemas = spec(client)["components"]["schemas"]
    revision = schemas["ApprovalCreate"]["properties"]["revision"]
    assert (revision["type"], revision["minimum"], revision["maximum"]) == ("integer", 0, 2**31 - 1)
    name = schemas["CheckpointCreate"]["properties"]["name"]
    assert (name["minLength"], name["maxLength"], name["pattern"]) == (1, 200, r"\S")
    assert schemas["Confirm"]["properties"]["token"]["minLength"] == 10
    ward = schemas["SignatureCreate"]["properties"]["ward"]
    assert ward["enum"] == [None, "", *app.config["WARDS"]]
    assert schemas["SignatureCreate"]["properties"]["public"]["type"] == "boolean"
    assert schemas["LetterCreate"]["additionalProperties"] is False


def test_a_method_a_path_does_not_have_is_405_with_allow(client):
    for path, item in spec(client)["paths"].items():
        documented = {m.upper() for m in item if m in METHODS}
        concrete = re.sub(r"\{[a-z_]+\}", "1", path.replace("{number}", "0"))
        for method in sorted(METHODS - {m.lower() for m in documented}):
            response = client.open(concrete, method=method.upper())
            assert_error(response, 405, "method_not_allowed")
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert allowed - {"HEAD", "OPTIONS"} == documented, (method, path, allowed)


def test_a_body_that_is_not_json_is_415_and_creates_nothing(client, drafter, bearer):
    response = client.post(
        f"{API}/letters",
        data="title=T&text=x",
        content_type="application/x-www-form-urlencoded",
        headers=bearer(drafter),
    )
    assert_error(response, 415, "unsupported_media_type")
    assert db.session.query(Letter).count() == 0


@pytest.mark.parametrize("bad", ["a\x00b", "\ud83d", "fine \udc00 not"])
def test_text_no_database_can_keep_is_400_and_changes_nothing(client, drafter, reviewer, bearer, bad):
    letter_id = new_letter(drafter)
    headers = bearer(reviewer)
    created = client.post(f"{API}/letters", json={"title": "T", "text": bad}, headers=bearer(drafter))
    assert_error(created, 400, "bad_request")
    comment = {"body": bad, "start": 0, "end": 4}
    assert_error(client.post(f"{API}/letters/{letter_id}/comments", json=comment, headers=headers), 400, "bad_request")
    note = {"base_revision": 0, "patch": make_patch(TEXT, TEXT + "!"), "note": bad}
    assert_error(client.post(f"{API}/letters/{letter_id}/suggestions", json=note, headers=headers), 400, "bad_request")
    assert db.session.query(Letter).count() == 1
    assert db.session.query(Comment).count() == 0 and db.session.query(Suggestion).count() == 0


def test_a_patch_that_would_write_nul_is_400(client, drafter, reviewer, bearer):
    letter_id = new_letter(drafter)
    body = {"base_revision": 0, "patch": make_patch(TEXT, TEXT + "\x00")}
    response = client.post(f"{API}/letters/{letter_id}/suggestions", json=body, headers=bearer(reviewer))
    assert_error(response, 400, "bad_request")
    assert db.session.query(Suggestion).count() == 0


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/letters/{id}/approvals", {"revision": "1"}, "revision"),
        ("/letters/{id}/approvals", {"revision": True}, "revision"),
        ("/letters/{id}/approvals", {"revision": 2**31}, "revision"),
        ("/letters/{id}/approvals", {}, "revision"),
        ("/letters/{id}/approvals", {"revision": 0, "extra": 1}, "extra"),
        ("/letters/{id}/checkpoints", {"revision": 0, "name": "  "}, "name"),
        ("/letters/{id}/review-requests", {"checkpoint_id": 2**40}, "checkpoint_id"),
        ("/letters/{id}/comments", {"body": "x", "start": -1, "end": 1}, "start"),
    ],
)
def test_refused_input_names_its_field(client, drafter, reviewer, bearer, path, body, field):
    letter_id = new_letter(drafter)
    who = reviewer if "approvals" in path or "comments" in path else drafter
    response = client.post(API + path.replace("{id}", str(letter_id)), json=body, headers=bearer(who))
    error = assert_error(response, 400, "bad_request")
    assert error["details"]["field"] == field
    assert field in error["message"]


@pytest.mark.parametrize("public", ["true", 1, None, "yes"])
def test_booleans_are_strict(client, drafter, clerk, public):
    from tests.signing_helpers import make_locked_letter

    letter_id = make_locked_letter(drafter, clerk)
    body = {"name": "Ana", "email": "ana@city.example", "public": public}
    response = client.post(f"{API}/letters/{letter_id}/signatures", json=body)
    assert assert_error(response, 400, "bad_request")["details"]["field"] == "public"


def test_messages_are_in_the_request_language(client, drafter, bearer):
    letter_id = new_letter(drafter)
    headers = {**bearer(drafter), "Accept-Language": "es"}
    response = client.post(f"{API}/letters/{letter_id}/checkpoints", json={"revision": 0}, headers=headers)
    message = assert_error(response, 400, "bad_request")["message"]
    assert message != "name is required." and "name" in message


def test_too_many_signatures_is_429_with_retry_after(client, drafter, clerk):
    from tests.signing_helpers import make_locked_letter

    letter_id = make_locked_letter(drafter, clerk)
    body = {"name": "Ana", "email": "ana@city.example"}
    answers = [client.post(f"{API}/letters/{letter_id}/signatures", json=body) for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [202] * 5
    assert_error(answers[5], 429, "rate_limited")
    assert int(answers[5].headers["Retry-After"]) > 0
