"""The contract's endorsement, signature, confirmation and log calls."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.letters.models import Letter
from app.signing.models import LogEntry, Signature, SignatureSubmission
from tests.signing_helpers import LETTER_TEXT, confirmation_token, deliver, make_locked_letter
from tests.support.mailbox import links_in, text_part


@pytest.fixture
def letter_id(drafter, clerk) -> int:
    return make_locked_letter(drafter, clerk)


def sign(client, letter_id, **fields):
    body = {"name": "Ana Ruiz", "email": "ana@city.example", "ward": "Ward 7", "public": False, **fields}
    return client.post(f"/api/v1/letters/{letter_id}/signatures", json=body)


def signature_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature))


def stored_rows() -> int:
    """Signatures and submissions: anything a request stored about a signer."""
    return signature_rows() + db.session.scalar(select(func.count()).select_from(SignatureSubmission))


def test_sign_confirm_and_count(app, client, letter_id, mailbox):
    response = sign(client, letter_id)
    assert response.status_code == 202 and response.json == {"status": "pending"}
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 0
    assert deliver(app) == 1
    [message] = mailbox.to("ana@city.example")
    assert len(links_in(message)) == 1  # exactly one link
    token = confirmation_token(mailbox, "ana@city.example")
    confirmed = client.post("/api/v1/signatures/confirm", json={"token": token})
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    assert confirmed.json["receipt_code"]
    body = client.get(f"/api/v1/letters/{letter_id}").json
    assert body["signature_count"] == 1 and body["status"] == "locked"
    assert body["content_hash"] == hashlib.sha256(LETTER_TEXT.encode()).hexdigest()
    again = client.post("/api/v1/signatures/confirm", json={"token": token})
    assert again.status_code == 200 and again.json["status"] == "confirmed" and again.json["receipt_code"] is None
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def test_signing_a_draft_is_409(client, drafter, bearer):
    draft = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=bearer(drafter)).json
    response = sign(client, draft["id"])
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"
    assert stored_rows() == 0


def test_signing_an_unknown_letter_is_404(client):
    assert sign(client, 4242).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not-an-email"},
        {"email": ""},
        {"name": ""},
        {"name": "x" * 201},
        {"name": 12},
        {"ward": "Ward 99"},
        {"ward": 7},
        {"public": "yes"},
        {"public": 1},
    ],
)
def test_invalid_signatures_are_400_and_store_nothing(app, client, letter_id, fields):
    response = sign(client, letter_id, **fields)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "bad_request"
    assert stored_rows() == 0
    assert deliver(app) == 0


def test_missing_fields_are_400(client, letter_id):
    response = client.post(f"/api/v1/letters/{letter_id}/signatures", json={"name": "A"})
    assert response.status_code == 400


def test_ward_is_optional_and_public_defaults_to_false(app, client, letter_id):
    response = client.post(f"/api/v1/letters/{letter_id}/signatures", json={"name": "Bo", "email": "bo@city.example"})
    assert response.status_code == 202
    row = db.session.scalar(select(SignatureSubmission))
    assert row.ward is None and row.public is False and row.wants_updates is False


def test_one_address_is_one_signature_and_mail_is_not_resent_at_once(app, client, letter_id, mailbox):
    app.config["RATE_LIMIT_ALLOWLIST"] = __import__("app.config").config.parse_networks("127.0.0.1")
    for email in ("ana@city.example", "  ANA@City.Example ", "Ana@city.example"):
        assert sign(client, letter_id, email=email).status_code == 202
    assert deliver(app) == 1  # one link; the repeats within SIGNATURE_RESEND_MINUTES are dropped
    token = confirmation_token(mailbox, "ana@city.example")
    assert client.post("/api/v1/signatures/confirm", json={"token": token}).status_code == 200
    assert signature_rows() == 1
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def test_repeat_after_the_resend_interval_mails_a_link_of_its_own(app, client, letter_id, mailbox):
    sign(client, letter_id, name="First Try")
    deliver(app)
    row = db.session.scalar(select(SignatureSubmission))
    row.mailed_at = row.mailed_at.replace(year=2000)
    db.session.commit()
    sign(client, letter_id, name="Second Try")
    assert deliver(app) == 1
    assert len(mailbox.to("ana@city.example")) == 2
    newest = confirmation_token(mailbox, "ana@city.example", -1)
    oldest = confirmation_token(mailbox, "ana@city.example", 0)
    # Each link confirms what was sent with it; the first one used is the signature.
    assert client.post("/api/v1/signatures/confirm", json={"token": newest}).status_code == 200
    assert db.session.scalar(select(Signature.name)) == "Second Try"
    assert client.post("/api/v1/signatures/confirm", json={"token": oldest}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SignatureSubmission)) == 0  # addresses gone
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def test_already_confirmed_address_is_answered_the_same_and_not_counted_twice(app, client, letter_id, mailbox):
    sign(client, letter_id)
    deliver(app)
    client.post("/api/v1/signatures/confirm", json={"token": confirmation_token(mailbox, "ana@city.example")})
    deliver(app)
    mailbox.clear()
    response = sign(client, letter_id, email="ANA@city.example")
    assert response.status_code == 202 and response.json == {"status": "pending"}
    assert deliver(app) == 0
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


@pytest.mark.parametrize("payload", [{}, {"token": ""}, {"token": 5}, {"token": "x" * 500}])
def test_confirm_with_bad_token_is_400(client, payload):
    response = client.post("/api/v1/signatures/confirm", json=payload)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_confirm_with_unknown_token_is_404(client):
    response = client.post("/api/v1/signatures/confirm", json={"token": "a" * 43})
    assert response.status_code == 404


def test_endorse_once(client, letter_id, drafter, reviewer, clerk, bearer):
    first = client.post(
        f"/api/v1/letters/{letter_id}/endorsements", json={"title": "Alder, Ward 26"}, headers=bearer(drafter)
    )
    assert first.status_code == 201
    assert first.json["title"] == "Alder, Ward 26" and first.json["official"]["id"] == drafter.id
    assert first.json["content_hash"] == hashlib.sha256(LETTER_TEXT.encode()).hexdigest()
    second = client.post(f"/api/v1/letters/{letter_id}/endorsements", headers=bearer(drafter))
    assert second.status_code == 409
    assert client.post(f"/api/v1/letters/{letter_id}/endorsements", headers=bearer(reviewer)).status_code == 201
    assert client.post(f"/api/v1/letters/{letter_id}/endorsements", json={}, headers=bearer(clerk)).status_code == 201
    assert client.get(f"/api/v1/letters/{letter_id}").json["endorsement_count"] == 3


def test_endorsing_a_draft_is_409_and_anonymous_is_401(client, drafter, bearer, letter_id):
    draft = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=bearer(drafter)).json
    assert client.post(f"/api/v1/letters/{draft['id']}/endorsements", headers=bearer(drafter)).status_code == 409
    assert client.post(f"/api/v1/letters/{letter_id}/endorsements").status_code == 401


def test_locked_text_is_guarded_by_the_database(app, letter_id):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    params = {"id": letter_id}
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("UPDATE letters SET text = 'changed' WHERE id = :id"), params)
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO revisions (letter_id, number, base_revision, edit_id, patch, created_at) "
                "VALUES (:id, 1, 0, 'sneaky', '', CURRENT_TIMESTAMP)"
            ),
            params,
        )
    db.session.expire_all()
    assert db.session.get(Letter, letter_id).text == LETTER_TEXT
    # Counts may still change.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE letters SET paper_signature_count = 0 WHERE id = :id"), params)


def test_log_is_public_and_has_no_personal_data(app, client, letter_id, mailbox):
    sign(client, letter_id, name="Private Person", email="private@city.example")
    deliver(app)
    client.post("/api/v1/signatures/confirm", json={"token": confirmation_token(mailbox, "private@city.example")})
    log = client.get(f"/api/v1/letters/{letter_id}/log")
    assert log.status_code == 200
    text = log.get_data(as_text=True)
    assert "Private Person" not in text and "private@city.example" not in text
    assert log.json["entries"][0]["prev_hash"] == log.json["content_hash"]
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 1


def test_openapi_lists_the_signing_calls(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/letters/{letter_id}/endorsements",
        "/api/v1/letters/{letter_id}/signatures",
        "/api/v1/signatures/confirm",
        "/api/v1/letters/{letter_id}/log",
    ):
        assert "post" in paths[path] or "get" in paths[path]


def test_confirmation_mail_and_receipt_in_spanish(app, client, letter_id, mailbox):
    client.post(
        f"/api/v1/letters/{letter_id}/signatures",
        json={"name": "Luz", "email": "luz@city.example"},
        headers={"Accept-Language": "es"},
    )
    deliver(app)
    [message] = mailbox.to("luz@city.example")
    assert "Hola, Luz," in text_part(message)
