"""The contract's letter calls and its error format."""

from __future__ import annotations

import pytest


def test_create_letter_as_drafter(client, drafter, bearer):
    response = client.post(
        "/api/v1/letters", json={"title": "Sanctuary", "text": "Dear Mayor,\r\n"}, headers=bearer(drafter)
    )
    assert response.status_code == 201
    body = response.json
    assert body["title"] == "Sanctuary" and body["status"] == "drafting" and body["revision"] == 0
    assert body["text"] == "Dear Mayor,\n"  # line endings normalised
    assert isinstance(body["id"], int)


def test_create_letter_as_clerk(client, clerk, bearer):
    assert client.post("/api/v1/letters", json={"title": "T", "text": ""}, headers=bearer(clerk)).status_code == 201


def test_reviewer_may_not_create_letter(client, reviewer, bearer):
    response = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=bearer(reviewer))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer usg_nope"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}],
)
def test_missing_or_bad_token_is_401_json(client, headers):
    response = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert set(response.json["error"]) >= {"code", "message"}


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": "T"},
        {"text": "x"},
        {"title": 5, "text": "x"},
        {"title": "", "text": "x"},
        {"title": "x" * 201, "text": "x"},
        [1, 2],
    ],
)
def test_bad_letter_payload_is_400_and_creates_nothing(client, drafter, bearer, payload):
    headers = bearer(drafter)
    response = client.post("/api/v1/letters", json=payload, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "bad_request"
    assert client.get("/api/v1/letters/1", headers=headers).status_code == 404


def test_non_json_body_is_400(client, drafter, bearer):
    response = client.post(
        "/api/v1/letters", data="not json", headers={**bearer(drafter), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_too_large_letter_is_refused(client, drafter, bearer):
    response = client.post("/api/v1/letters", json={"title": "T", "text": "😀" * 100_001}, headers=bearer(drafter))
    assert response.status_code in (400, 413)
    assert response.json["error"]["code"] == "too_large"


def test_get_draft_needs_an_official(client, drafter, reviewer, bearer):
    created = client.post("/api/v1/letters", json={"title": "T", "text": "Hello"}, headers=bearer(drafter)).json
    anonymous = client.get(f"/api/v1/letters/{created['id']}")
    assert anonymous.status_code == 401
    response = client.get(f"/api/v1/letters/{created['id']}", headers=bearer(reviewer))
    assert response.status_code == 200
    assert response.json == {
        "id": created["id"],
        "title": "T",
        "status": "drafting",
        "revision": 0,
        "text": "Hello",
        "content_hash": None,
        "endorsement_count": 0,
        "signature_count": 0,
        "translations": [],
    }


def test_unknown_letter_is_404_json(client, drafter, bearer):
    response = client.get("/api/v1/letters/999", headers=bearer(drafter))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_unknown_api_path_and_wrong_method_are_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/letters")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/letters" in spec["paths"] and "post" in spec["paths"]["/api/v1/letters"]
    assert "get" in spec["paths"]["/api/v1/letters/{letter_id}"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_ids_too_large_for_the_database_are_404_not_500(client, drafter, bearer, sign_in):
    response = client.get("/api/v1/letters/99999999999999", headers=bearer(drafter))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    sign_in(drafter)
    assert client.get("/drafts/99999999999999").status_code == 404
