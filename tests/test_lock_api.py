"""POST /api/v1/letters/{id}/lock: the optional `{revision}` (409 `stale`, nothing locked, when the
letter has moved past it) and `reason`; every lock records whether a reviewer approved its exact
text, and a lock without approval says so on the public page and in the delivery packet."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.drafting import edits as drafting
from app.extensions import db
from app.letters.models import Letter
from app.review import approvals, locking
from app.review.models import LockRecord
from app.signing.delivery_packet import delivery_packet_html
from app.sync import make_patch
from tests.review_helpers import TEXT, edit_to, fresh_caches, new_letter, replace_in  # noqa: F401

API = "/api/v1"
UNAPPROVED_NOTICE = "locked without a reviewer"


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


def letter_row(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


def lock(client, headers, letter_id: int, body=None):
    if body is None:
        return client.post(f"{API}/letters/{letter_id}/lock", headers=headers)
    return client.post(f"{API}/letters/{letter_id}/lock", headers=headers, json=body)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body


def test_lock_with_the_newest_revision_locks_it(client, bearer, clerk, drafter, letter_id):
    replace_in(drafter, letter_id, "affirm", "reaffirm")

    response = lock(client, bearer(clerk), letter_id, {"revision": 1})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body == {
        "status": "locked",
        "revision": 1,
        "content_hash": locking.content_hash(letter_row(letter_id).text),
        "translations": {},
        "translations_left_out": [],
    }
    assert letter_row(letter_id).is_locked


def test_a_stale_revision_is_409_stale_and_nothing_is_locked(client, bearer, clerk, drafter, letter_id):
    # The clerk saw revision 0; an alder types a sentence meanwhile.
    replace_in(drafter, letter_id, "Signed,", "We will not wait. Signed,")

    response = lock(client, bearer(clerk), letter_id, {"revision": 0})

    body = assert_error(response, 409, "stale")
    assert body["error"]["details"] == {"revision": 0, "newest": 1}
    letter = letter_row(letter_id)
    assert not letter.is_locked and letter.content_hash is None
    assert db.session.scalar(select(LockRecord)) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked")) is None
    # Still a draft: the alders can edit, and the clerk can lock the newest after reading it.
    assert replace_in(drafter, letter_id, "wait", "wait any longer") == 2
    assert lock(client, bearer(clerk), letter_id, {"revision": 2}).status_code == 200
    assert "wait any longer" in letter_row(letter_id).text


@pytest.mark.parametrize("revision", [5, -1, "0", True, 1.5, None])
def test_a_revision_that_is_not_one_is_refused_and_nothing_is_locked(client, bearer, clerk, letter_id, revision):
    response = lock(client, bearer(clerk), letter_id, {"revision": revision})

    assert_error(response, 404 if revision == 5 else 400, "not_found" if revision == 5 else "bad_request")
    assert not letter_row(letter_id).is_locked


def test_already_locked_is_409_conflict_even_with_a_revision(client, bearer, clerk, letter_id):
    assert lock(client, bearer(clerk), letter_id, {"revision": 0}).status_code == 200
    assert_error(lock(client, bearer(clerk), letter_id, {"revision": 0}), 409, "conflict")


@pytest.mark.parametrize("body", [None, {}])
def test_the_contract_lock_without_approval_still_locks_and_says_so_publicly(client, bearer, clerk, letter_id, body):
    response = lock(client, bearer(clerk), letter_id, body)

    assert response.status_code == 200 and response.get_json()["revision"] == 0
    record = db.session.get(LockRecord, letter_id)
    assert record.revision == 0 and record.approved_revision is None and record.reason is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))
    assert entry.details["approved_revision"] is None and entry.details["reason"] is None
    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert UNAPPROVED_NOTICE in page
    packet = delivery_packet_html(letter_row(letter_id))
    assert UNAPPROVED_NOTICE in packet


def test_a_reason_is_recorded_with_the_lock_and_printed_in_the_packet(client, bearer, clerk, letter_id):
    reason = "The mayor's office is closed until January;\nthe board meets tomorrow."

    response = lock(client, bearer(clerk), letter_id, {"revision": 0, "reason": f"  {reason} "})

    assert response.status_code == 200
    assert db.session.get(LockRecord, letter_id).reason == reason
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))
    assert entry.details["reason"] == reason and entry.actor_id == clerk.id
    packet = delivery_packet_html(letter_row(letter_id))
    assert UNAPPROVED_NOTICE in packet and "closed until January" in packet


@pytest.mark.parametrize("reason", ["", "   ", 7, "x" * (locking.MAX_REASON_LENGTH + 1)])
def test_a_bad_reason_is_refused_and_nothing_is_locked(client, bearer, clerk, letter_id, reason):
    assert_error(lock(client, bearer(clerk), letter_id, {"reason": reason}), 400, "bad_request")
    assert not letter_row(letter_id).is_locked


def test_a_lock_of_the_approved_revision_is_recorded_as_approved(client, bearer, clerk, reviewer, letter_id):
    approvals.approve(reviewer, letter_id, 0)

    assert lock(client, bearer(clerk), letter_id, {"revision": 0}).status_code == 200

    record = db.session.get(LockRecord, letter_id)
    assert record.approved and record.approved_revision == 0
    assert UNAPPROVED_NOTICE not in client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert UNAPPROVED_NOTICE not in delivery_packet_html(letter_row(letter_id))


def test_an_approval_of_an_earlier_different_text_does_not_cover_the_lock(
    client, bearer, clerk, reviewer, drafter, letter_id
):
    approvals.approve(reviewer, letter_id, 0)
    drafting.submit_edit(drafter, letter_id, "e1", 0, make_patch(TEXT, TEXT.replace("ask", "demand")))

    assert lock(client, bearer(clerk), letter_id).status_code == 200

    assert db.session.get(LockRecord, letter_id).approved_revision is None
    assert UNAPPROVED_NOTICE in client.get(f"/letters/{letter_id}").get_data(as_text=True)


def test_an_approval_of_an_earlier_revision_with_the_same_text_covers_the_lock(
    bearer, client, clerk, reviewer, drafter, letter_id
):
    approvals.approve(reviewer, letter_id, 0)
    replace_in(drafter, letter_id, "ask", "demand")
    replace_in(drafter, letter_id, "demand", "ask")  # revision 2: the approved text again

    assert lock(client, bearer(clerk), letter_id, {"revision": 2}).status_code == 200

    record = db.session.get(LockRecord, letter_id)
    assert record.revision == 2 and record.approved_revision == 0


def test_the_openapi_description_documents_the_optional_body_and_the_409(client):
    operation = client.get(f"{API}/openapi.json").get_json()["paths"]["/api/v1/letters/{letter_id}/lock"]["post"]

    body = operation["requestBody"]
    assert body.get("required", False) is False
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"][name]
    assert set(schema["properties"]) == {"revision", "reason", "require_translations"}
    assert not schema.get("required")
    assert "409" in operation["responses"] and "stale" in operation["description"]
