"""A translation left out of the lock, published afterwards: drafted and approved after the lock,
then published by the clerk with its own SHA-256; signatures made before keep the hashes they
recorded, later ones record it too. Each signature's version hashes are in the signature log
(hashed with its entry, older entries verifying as before) and in the clerk's CSV export."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEntry
from app.extensions import db
from app.letters.translation_models import LetterTranslation, TranslationRevision
from app.review import late_translations
from app.shared.db_types import utcnow
from app.shared.errors import Unauthorized
from app.signing import public_state, signatures, submissions
from app.signing.models import LogEntry, Signature
from app.signing.signature_log import entry_hash, verify_log
from tests.conftest import csrf_token_from
from tests.review_helpers import TEXT, new_letter
from tests.signing_helpers import confirmation_token, deliver

API = "/api/v1"
ES_TITLE = "Santuario"
ES_TEXT = "Estimado alcalde:\n\nPedimos a la ciudad que afirme su condición de santuario. 😀\n"
ES_FIXED = ES_TEXT.replace("Pedimos", "Le pedimos")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def put(client, headers, letter_id, base, text=ES_TEXT):
    return client.put(
        f"{API}/letters/{letter_id}/translations/es",
        headers=headers,
        json={"title": ES_TITLE, "text": text, "base_revision": base},
    )


def approve(client, headers, letter_id, revision):
    return client.post(
        f"{API}/letters/{letter_id}/translations/es/approvals", headers=headers, json={"revision": revision}
    )


def publish(client, headers, letter_id, revision):
    return client.post(
        f"{API}/letters/{letter_id}/translations/es/publish", headers=headers, json={"revision": revision}
    )


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]["code"]


def sign(app, client, mailbox, letter_id: int, address: str) -> str:
    """Sign and confirm through the API; returns the receipt code."""
    response = client.post(f"{API}/letters/{letter_id}/signatures", json={"name": "Pat", "email": address})
    assert response.status_code == 202
    deliver(app)
    confirmed = client.post(f"{API}/signatures/confirm", json={"token": confirmation_token(mailbox, address)})
    return confirmed.get_json()["receipt_code"]


@pytest.fixture
def letter_id(app, client, bearer, drafter, clerk) -> int:
    """A letter locked without its Spanish translation (no reviewer had approved it)."""
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    letter_id = new_letter(drafter)
    put(client, bearer(drafter), letter_id, 0)
    locked = client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk))
    assert locked.get_json()["translations_left_out"] == ["es"]
    return letter_id


def test_a_left_out_translation_is_finished_approved_and_published_after_the_lock(
    app, client, bearer, clerk, drafter, reviewer, mailbox, letter_id
):
    before = sign(app, client, mailbox, letter_id, "before@city.example")
    # Not approved: the clerk cannot publish it, and nothing changes.
    assert error_code(publish(client, bearer(clerk), letter_id, 1), 409) == "translation_not_approved"
    # It can still be finished and approved after the lock.
    assert put(client, bearer(drafter), letter_id, 1, ES_FIXED).status_code == 200
    assert error_code(approve(client, bearer(reviewer), letter_id, 1), 409) == "stale"
    assert approve(client, bearer(reviewer), letter_id, 2).status_code == 201
    assert error_code(publish(client, bearer(clerk), letter_id, 1), 409) == "stale"
    assert client.get(f"{API}/letters/{letter_id}").get_json()["translations"] == []

    published = publish(client, bearer(clerk), letter_id, 2)

    assert published.status_code == 200, published.get_data(as_text=True)
    body = published.get_json()
    assert (body["status"], body["content_hash"], body["revision"]) == ("locked", sha256(ES_FIXED), 2)
    assert body["locked_at"] is not None
    letter = client.get(f"{API}/letters/{letter_id}").get_json()
    assert [(t["language"], t["content_hash"]) for t in letter["translations"]] == [("es", sha256(ES_FIXED))]
    assert letter["content_hash"] == sha256(TEXT)  # the original is untouched
    # Published for good: it can no longer change, and is not published twice.
    assert error_code(put(client, bearer(drafter), letter_id, 2, "Otro\n"), 409) == "locked"
    assert error_code(approve(client, bearer(reviewer), letter_id, 2), 409) == "locked"
    assert error_code(publish(client, bearer(clerk), letter_id, 2), 409) == "locked"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "translation.published_after_lock"))
    assert entry.details["content_hash"] == sha256(ES_FIXED) and entry.details["revision"] == 2

    after = sign(app, client, mailbox, letter_id, "after@city.example")
    rows = {s.email_hmac: s.version_hashes for s in db.session.scalars(select(Signature))}
    assert sorted(rows.values(), key=len) == [
        {"original": sha256(TEXT)},  # signed before: keeps what it recorded
        {"original": sha256(TEXT), "es": sha256(ES_FIXED)},
    ]
    # The log says the same, entry by entry, and still verifies (with both receipts).
    log = client.get(f"{API}/letters/{letter_id}/log").get_json()
    assert [e["versions"] for e in log["entries"]] == sorted(rows.values(), key=len)
    for code in (before, after):
        assert verify_log(log, code).receipt_found


def test_the_public_page_shows_a_translation_published_later_and_says_when(
    app, client, bearer, clerk, drafter, reviewer, letter_id
):
    assert "condición" not in client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    approve(client, bearer(reviewer), letter_id, 1)
    publish(client, bearer(clerk), letter_id, 1)

    page = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)

    assert "condición de santuario" in page and sha256(ES_TEXT) in page
    assert 'id="translation-published-later"' in page and "después de que se bloqueara la carta" in page


def test_a_translation_published_in_another_process_shows_within_the_public_version(
    client, bearer, clerk, reviewer, letter_id
):
    """Another process learns of it through the page's public version (one query), not an event."""
    before = public_state.get(letter_id)
    approve(client, bearer(reviewer), letter_id, 1)
    translation = db.session.scalar(select(LetterTranslation))
    translation.status, translation.content_hash = "locked", sha256(ES_TEXT)  # as another process would
    db.session.commit()
    public_state.clear()
    assert public_state.get(letter_id) != before


def test_only_the_clerk_publishes_and_only_after_the_lock(app, client, bearer, clerk, drafter, reviewer, letter_id):
    approve(client, bearer(reviewer), letter_id, 1)
    assert publish(client, bearer(reviewer), letter_id, 1).status_code == 403
    assert publish(client, bearer(drafter), letter_id, 1).status_code == 403
    with pytest.raises(Unauthorized):
        late_translations.publish_translation(None, letter_id, "es", 1)
    draft = new_letter(drafter)
    put(client, bearer(drafter), draft, 0)
    approve(client, bearer(reviewer), draft, 1)
    assert error_code(publish(client, bearer(clerk), draft, 1), 409) == "not_locked"
    assert error_code(publish(client, bearer(clerk), letter_id, None), 400) == "bad_request"
    assert publish(client, bearer(clerk), letter_id, 1).status_code == 200


def test_a_translation_started_after_the_lock_can_be_published(app, client, bearer, clerk, drafter, reviewer):
    letter_id = new_letter(drafter)
    client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk))
    assert put(client, bearer(drafter), letter_id, 0).status_code == 200
    assert client.get(f"{API}/letters/{letter_id}/translations/es").status_code == 404  # not public yet
    approve(client, bearer(reviewer), letter_id, 1)
    assert publish(client, bearer(clerk), letter_id, 1).status_code == 200
    assert client.get(f"{API}/letters/{letter_id}/translations/es").get_json()["content_hash"] == sha256(ES_TEXT)


def test_the_clerk_publishes_on_the_translation_page(client, bearer, clerk, reviewer, sign_in, letter_id):
    sign_in(clerk)
    url = f"/drafts/{letter_id}/review/translations/es"
    page = client.get(url).get_data(as_text=True)
    assert "the letter was locked without it" in page and 'id="translation-publish"' not in page
    approve(client, bearer(reviewer), letter_id, 1)
    page = client.get(url).get_data(as_text=True)
    assert 'id="translation-publish"' in page

    done = client.post(
        f"{url}/publish", data={"csrf_token": csrf_token_from(page), "revision": "1"}, follow_redirects=True
    )

    html = done.get_data(as_text=True)
    assert "The translation is published with the letter" in html and sha256(ES_TEXT) in html
    assert "Published after the letter was locked" in html and 'id="translation-publish"' not in html
    # The same form again (a second tab) changes nothing and says why.
    again = client.post(
        f"{url}/publish", data={"csrf_token": csrf_token_from(page), "revision": "1"}, follow_redirects=True
    )
    assert "can no longer change" in again.get_data(as_text=True)


# -------------------------------------------------------------------- version hashes in the log and CSV


def test_log_entries_made_before_version_hashes_still_verify_beside_new_ones(
    app, client, bearer, clerk, reviewer, mailbox, letter_id
):
    """An entry logged before versions were (no `versions`, hashed without it) is left as it was; the
    next entry chains to it and carries its versions; verify-log accepts both."""
    letter_hash = sha256(TEXT)
    old = {
        "letter_id": letter_id,
        "seq": 1,
        "kind": "signature",
        "commitment": "a" * 64,
        "count": 1,
        "recorded_on": "2026-11-28",
        "prev_hash": letter_hash,
    }
    db.session.execute(insert(LogEntry), [{**old, "entry_hash": entry_hash(old)}])
    db.session.commit()
    code = sign(app, client, mailbox, letter_id, "new@city.example")

    log = client.get(f"{API}/letters/{letter_id}/log").get_json()

    first, second = log["entries"]
    assert first["versions"] is None and first["hash"] == entry_hash(old)
    assert second["versions"] == {"original": letter_hash} and second["prev_hash"] == first["hash"]
    assert verify_log(log, code).ok and verify_log(log, code).receipt_found
    altered = json.loads(json.dumps(log))
    altered["entries"][1]["versions"]["original"] = "0" * 64
    assert not verify_log(altered).ok
    dropped = json.loads(json.dumps(log))
    del dropped["entries"][1]["versions"]
    assert not verify_log(dropped).ok


def test_withdrawals_and_paper_batches_carry_no_versions(app, client, clerk, mailbox, letter_id):
    submissions.submit(letter_id, signatures.validate("Pat", "pat@city.example", None, False))
    deliver(app)
    confirmed = signatures.confirm(confirmation_token(mailbox, "pat@city.example"))
    signatures.withdraw(confirmed.withdraw_token)
    from app.signing import signature_admin

    signature_admin.import_paper(clerk, letter_id, "name,ward,date\nPam Paper,Ward 2,2026-11-20\n")
    log = client.get(f"{API}/letters/{letter_id}/log").get_json()
    assert [(e["kind"], e["versions"]) for e in log["entries"]] == [
        ("signature", {"original": sha256(TEXT)}),
        ("withdrawal", None),
        ("paper_batch", None),
    ]
    assert verify_log(log).ok


def test_the_csv_export_has_each_signatures_version_hashes_and_ward_names(
    app, client, bearer, clerk, reviewer, sign_in, mailbox, letter_id
):
    app.config["WARD_LABELS"] = {"Ward 2": {"en": "Downtown", "es": "Centro"}}
    submissions.submit(letter_id, signatures.validate("Before", "before@city.example", "Ward 2", False))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "before@city.example"))
    approve(client, bearer(reviewer), letter_id, 1)
    publish(client, bearer(clerk), letter_id, 1)
    submissions.submit(letter_id, signatures.validate("After", "after@city.example", "Ward 7", False))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "after@city.example"))
    from app.signing import signature_admin

    signature_admin.import_paper(clerk, letter_id, "name,ward,date\nPam Paper,Ward 2,2026-11-20\n")
    sign_in(clerk)

    rows = list(csv.DictReader(io.StringIO(client.get(f"/letters/{letter_id}/export.csv").get_data(as_text=True))))

    by_name = {row["name"]: row for row in rows}
    assert list(rows[0]) == [
        "name",
        "ward",
        "ward_name",
        "date",
        "source",
        "email_for_updates",
        "sha256_original",
        "sha256_es",
    ]
    assert (by_name["Before"]["sha256_original"], by_name["Before"]["sha256_es"]) == (sha256(TEXT), "")
    assert (by_name["After"]["sha256_original"], by_name["After"]["sha256_es"]) == (sha256(TEXT), sha256(ES_TEXT))
    assert (by_name["Before"]["ward"], by_name["Before"]["ward_name"]) == ("Ward 2", "Downtown")
    assert (by_name["After"]["ward"], by_name["After"]["ward_name"]) == ("Ward 7", "Ward 7")
    assert by_name["Pam Paper"]["ward_name"] == "Downtown" and by_name["Pam Paper"]["sha256_original"] == ""
    spanish = client.get(f"/letters/{letter_id}/export.csv", headers={"Accept-Language": "es"})
    names = {row["name"]: row["ward_name"] for row in csv.DictReader(io.StringIO(spanish.get_data(as_text=True)))}
    assert names["Before"] == "Centro" and names["After"] == "Distrito 7"


def test_the_database_guard_freezes_a_translation_once_published_not_before(
    client, bearer, clerk, drafter, reviewer, letter_id
):
    row_id = db.session.scalar(select(LetterTranslation.id))
    # Left out of the lock: the guard lets it change (it may still be finished and published).
    db.session.execute(update(LetterTranslation).where(LetterTranslation.id == row_id).values(title="Santuario (1)"))
    db.session.commit()
    approve(client, bearer(reviewer), letter_id, 1)
    assert publish(client, bearer(clerk), letter_id, 1).status_code == 200
    # Published: whatever code runs against the database, it never changes again.
    for statement in (
        update(LetterTranslation).where(LetterTranslation.id == row_id).values(text="Otro texto\n"),
        update(LetterTranslation).where(LetterTranslation.id == row_id).values(status="left_out"),
        insert(TranslationRevision).values(translation_id=row_id, number=2, title="T", text="x", created_at=utcnow()),
    ):
        with pytest.raises(DBAPIError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    db.session.expire_all()
    row = db.session.get(LetterTranslation, row_id)
    assert (row.text, row.status, row.content_hash) == (ES_TEXT, "locked", sha256(ES_TEXT))


def test_a_letters_version_is_read_once_per_app_context_and_again_once_one_is_published(
    app, bearer, clerk, drafter, reviewer, letter_id
):
    from flask_babel import force_locale
    from sqlalchemy import event

    from app.letters.translations import letter_version

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "letter_translations" in statement:
            statements.append(statement)

    mail_letter = {"id": letter_id, "title": "Sanctuary", "content_hash": "h"}  # as a queued mail carries it
    client = app.test_client()  # requests in app contexts of their own
    assert put(client, bearer(drafter), letter_id, 1, ES_FIXED).status_code == 200
    assert approve(client, bearer(reviewer), letter_id, 2).status_code == 201
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.app_context(), force_locale("es"):
            first = letter_version(mail_letter)
            for _ in range(5):  # a round of the mail sender renders many mails of one letter
                assert letter_version(mail_letter) == first
            assert len(statements) == 1 and not first.translated
            late_translations.publish_translation(clerk, letter_id, "es", 2)  # in this app context
            published = letter_version(mail_letter)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert published.translated and published.title == ES_TITLE
