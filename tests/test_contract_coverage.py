"""Every call of the public contract exists and is described in /api/v1/openapi.json."""

from __future__ import annotations

CONTRACT_CALLS = [
    ("post", "/api/v1/letters"),
    ("get", "/api/v1/letters/{letter_id}"),
    ("get", "/api/v1/letters/{letter_id}/revisions"),
    ("get", "/api/v1/letters/{letter_id}/revisions/{number}"),
    ("get", "/api/v1/letters/{letter_id}/diff"),
    ("get", "/api/v1/letters/{letter_id}/blame"),
    ("post", "/api/v1/letters/{letter_id}/suggestions"),
    ("post", "/api/v1/suggestions/{suggestion_id}/accept"),
    ("post", "/api/v1/suggestions/{suggestion_id}/reject"),
    ("post", "/api/v1/letters/{letter_id}/approvals"),
    ("post", "/api/v1/letters/{letter_id}/lock"),
    ("post", "/api/v1/letters/{letter_id}/endorsements"),
    ("post", "/api/v1/letters/{letter_id}/signatures"),
    ("post", "/api/v1/signatures/confirm"),
]


def normalise(path: str) -> str:
    """Path parameters named differently still match: /letters/{x} == /letters/{letter_id}."""
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def test_openapi_describes_every_contract_call(client):
    spec = client.get("/api/v1/openapi.json").json
    described = {(method, normalise(path)) for path, item in spec["paths"].items() for method in item}
    missing = [call for call in CONTRACT_CALLS if (call[0], normalise(call[1])) not in described]
    assert not missing, missing
    assert spec["openapi"].startswith("3.")
