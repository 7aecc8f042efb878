"""Translations of a letter: saved with optimistic concurrency (409 `stale`), each version kept,
approved by a reviewer, locked together with the original (each with its SHA-256, or left out
when unapproved), shown in GET /letters/{id}, and recorded in every signature."""

from __future__ import annotations

import hashlib
import re
import threading
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError

from app.accounts.models import Official
from app.audit.models import AuditEntry
from app.extensions import db
from app.letters import translations
from app.letters.models import Letter
from app.letters.translation_models import LetterTranslation, TranslationRevision
from app.review import locking
from app.shared.db_types import utcnow
from app.signing import responses, signatures, submissions
from app.signing.delivery_packet import delivery_packet_html
from app.signing.models import Signature
from tests.review_helpers import TEXT, new_letter, replace_in
from tests.signing_helpers import confirmation_token, deliver
from tests.support.mailbox import text_part

API = "/api/v1"
ES_TITLE = "Santuario"
ES_TEXT = (
    "Estimado alcalde:\n\nPedimos a la ciudad que afirme su condición de santuario. 😀\n\nFirmado, los concejales.\n"
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


def put(client, headers, letter_id, base, text=ES_TEXT, title=ES_TITLE, language="es"):
    return client.put(
        f"{API}/letters/{letter_id}/translations/{language}",
        headers=headers,
        json={"title": title, "text": text, "base_revision": base},
    )


def approve(client, headers, letter_id, revision, language="es"):
    return client.post(
        f"{API}/letters/{letter_id}/translations/{language}/approvals", headers=headers, json={"revision": revision}
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body


def test_a_drafter_saves_versions_and_a_stale_save_changes_nothing(client, bearer, drafter, drafter2, letter_id):
    first = put(client, bearer(drafter), letter_id, 0)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json()["revision"] == 1
    assert first.get_json()["status"] == "drafting"
    assert first.get_json()["content_hash"] is None

    second = put(client, bearer(drafter2), letter_id, 1, text=ES_TEXT.replace("Pedimos", "Rogamos"))
    assert second.get_json()["revision"] == 2

    # The first drafter still edits version 1: refused, nothing saved.
    stale = assert_error(put(client, bearer(drafter), letter_id, 1, text="Otra cosa\n"), 409, "stale")
    assert stale["error"]["details"] == {"base_revision": 1, "newest": 2}
    current = client.get(f"{API}/letters/{letter_id}/translations/es", headers=bearer(drafter)).get_json()
    assert current["revision"] == 2 and "Rogamos" in current["text"]

    # A second "new" translation for the same language is stale too.
    assert_error(put(client, bearer(drafter), letter_id, 0), 409, "stale")

    revisions = client.get(f"{API}/letters/{letter_id}/translations/es/revisions", headers=bearer(drafter)).get_json()
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[0]["author"]["name"] == drafter.name and revisions[1]["author"]["name"] == drafter2.name

    diff = client.get(f"{API}/letters/{letter_id}/translations/es/diff?from=1&to=2", headers=bearer(drafter)).get_json()
    assert [-1, "Pedimos"] in diff["diffs"] and [1, "Rogamos"] in diff["diffs"]


def test_saving_is_for_drafters_and_bad_input_is_refused(client, bearer, reviewer, clerk, drafter, letter_id):
    assert_error(put(client, bearer(reviewer), letter_id, 0), 403, "forbidden")
    assert_error(put(client, {}, letter_id, 0), 401, "unauthorized")
    assert_error(put(client, bearer(drafter), letter_id, 0, language="fr"), 404, "not_found")
    assert_error(put(client, bearer(drafter), letter_id, 0, language="en"), 404, "not_found")
    assert_error(put(client, bearer(drafter), letter_id, 0, title=""), 400, "bad_request")
    assert_error(put(client, bearer(drafter), letter_id, -1), 400, "bad_request")
    assert_error(put(client, bearer(drafter), letter_id, 0, text="a\x00b"), 400, "bad_request")
    assert db.session.scalar(select(LetterTranslation)) is None


def test_only_the_newest_version_can_be_approved(client, bearer, drafter, reviewer, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    put(client, bearer(drafter), letter_id, 1, text=ES_TEXT + "Gracias.\n")
    assert_error(approve(client, bearer(drafter), letter_id, 2), 403, "forbidden")
    assert_error(approve(client, bearer(reviewer), letter_id, 1), 409, "stale")
    response = approve(client, bearer(reviewer), letter_id, 2)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["approved"] is True and response.get_json()["approved_revision"] == 2

    # A later save needs a new approval.
    saved = put(client, bearer(drafter), letter_id, 2, text=ES_TEXT).get_json()
    assert saved["approved"] is False and saved["approved_revision"] == 2


def test_the_clerk_locks_every_version_at_once_each_with_its_hash(client, bearer, clerk, drafter, reviewer, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    approve(client, bearer(reviewer), letter_id, 1)

    response = client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk), json={})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["content_hash"] == sha256(TEXT)
    assert body["translations"] == {"es": sha256(ES_TEXT)}
    assert body["translations_left_out"] == []
    letter = client.get(f"{API}/letters/{letter_id}").get_json()  # anyone, once locked
    assert letter["content_hash"] == sha256(TEXT)
    [es] = letter["translations"]
    assert (es["language"], es["status"], es["content_hash"], es["text"]) == ("es", "locked", sha256(ES_TEXT), ES_TEXT)
    # Locked for good.
    assert_error(put(client, bearer(drafter), letter_id, 1, text="Cambio\n"), 409, "locked")
    assert_error(approve(client, bearer(reviewer), letter_id, 1), 409, "locked")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))
    assert entry.details["translations"] == {"es": sha256(ES_TEXT)}


def test_an_unapproved_translation_blocks_a_lock_that_requires_them(client, bearer, clerk, drafter, letter_id):
    put(client, bearer(drafter), letter_id, 0)

    with pytest.raises(locking.TranslationNotApproved) as refused:
        locking.lock_letter(clerk, letter_id, leave_out_unapproved_translations=False)
    assert refused.value.details == {"languages": ["es"]}
    assert "es" in refused.value.message
    assert client.get(f"{API}/letters/{letter_id}", headers=bearer(clerk)).get_json()["status"] == "drafting"


def test_the_api_lock_leaves_an_unapproved_translation_out_and_says_so(client, bearer, clerk, drafter, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    replace_in(drafter, letter_id, "affirm", "reaffirm")

    response = client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk), json={"revision": 1})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["translations"] == {}
    assert response.get_json()["translations_left_out"] == ["es"]
    # The public sees no left-out translation; officials see it marked as such.
    assert client.get(f"{API}/letters/{letter_id}").get_json()["translations"] == []
    assert client.get(f"{API}/letters/{letter_id}/translations/es").status_code == 404
    row = db.session.scalar(select(LetterTranslation))
    assert (row.status, row.content_hash) == ("left_out", None)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))
    assert entry.details["translations_left_out"] == ["es"]


def test_a_draft_shows_its_translations_to_officials_only(client, bearer, drafter, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    assert client.get(f"{API}/letters/{letter_id}/translations").status_code == 401
    listed = client.get(f"{API}/letters/{letter_id}/translations", headers=bearer(drafter)).get_json()
    assert [t["language"] for t in listed] == ["es"]
    letter = client.get(f"{API}/letters/{letter_id}", headers=bearer(drafter)).get_json()
    assert letter["translations"][0]["title"] == ES_TITLE


def test_a_signature_records_the_hash_of_every_locked_version(
    app, client, bearer, clerk, drafter, reviewer, mailbox, letter_id
):
    put(client, bearer(drafter), letter_id, 0)
    approve(client, bearer(reviewer), letter_id, 1)
    client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk))
    response = client.post(
        f"{API}/letters/{letter_id}/signatures", json={"name": "Ana", "email": "ana@example.org", "public": False}
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    deliver(app)
    token = confirmation_token(mailbox, "ana@example.org")
    assert client.post(f"{API}/signatures/confirm", json={"token": token}).status_code == 200

    signature = db.session.scalar(select(Signature))
    assert signature.version_hashes == {"original": sha256(TEXT), "es": sha256(ES_TEXT)}


def lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    approve(client, bearer(reviewer), letter_id, 1)
    assert client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk)).status_code == 200


def test_the_public_page_shows_the_translation_in_spanish_and_names_the_original(
    client, bearer, clerk, drafter, reviewer, letter_id
):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)

    spanish = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in spanish
    assert f"<title>{ES_TITLE}" in spanish and "condición de santuario" in spanish
    assert "sanctuary status" not in spanish
    assert 'id="translation-notice"' in spanish
    assert sha256(ES_TEXT) in spanish and sha256(TEXT) in spanish
    assert f'href="/letters/{letter_id}?lang=en"' in spanish

    english = client.get(f"/letters/{letter_id}?lang=en").get_data(as_text=True)
    assert "sanctuary status" in english and "condición de santuario" not in english
    assert 'id="translation-notice"' not in english
    assert f'href="/letters/{letter_id}?lang=es"' in english  # "Also in: Santuario"


def test_the_language_switch_shows_the_translation(client, bearer, clerk, drafter, reviewer, letter_id):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "sanctuary status" in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/language", data={"lang": "es", "next": f"/letters/{letter_id}", "csrf_token": csrf})
    assert "condición de santuario" in client.get(f"/letters/{letter_id}").get_data(as_text=True)


def test_a_left_out_translation_is_never_shown(client, bearer, clerk, drafter, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    client.post(f"{API}/letters/{letter_id}/lock", headers=bearer(clerk))
    page = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    assert "sanctuary status" in page and "condición" not in page
    assert 'id="translation-notice"' not in page and 'id="other-versions"' not in page


def test_a_spanish_signer_gets_the_mails_receipt_and_flyer_in_spanish(
    app, client, bearer, clerk, drafter, reviewer, mailbox, letter_id
):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    spanish = {"Accept-Language": "es"}
    client.post(
        f"{API}/letters/{letter_id}/signatures",
        json={"name": "Ana", "email": "ana@example.org", "ward": "Ward 3"},
        headers=spanish,
    )
    deliver(app)
    [confirm_mail] = mailbox.to("ana@example.org")
    assert ES_TITLE in confirm_mail["Subject"] and "Sanctuary" not in confirm_mail["Subject"]
    token = confirmation_token(mailbox, "ana@example.org")
    confirm_page = client.get(f"/signatures/confirm/{token}", headers=spanish).get_data(as_text=True)
    assert "<dd>Distrito 3</dd>" in confirm_page and ">Ward 3<" not in confirm_page
    assert client.post(f"{API}/signatures/confirm", json={"token": token}).status_code == 200
    deliver(app)
    receipt_mail = mailbox.to("ana@example.org")[-1]
    body = text_part(receipt_mail)
    assert ES_TITLE in receipt_mail["Subject"]
    assert sha256(TEXT) in body and sha256(ES_TEXT) in body

    flyer = client.get(f"/letters/{letter_id}/flyer?lang=es").get_data(as_text=True)
    assert f">{ES_TITLE}</h1>" in flyer and sha256(ES_TEXT) in flyer
    assert f"/letters/{letter_id}?lang=es" in flyer  # the printed address and the QR code open the Spanish page
    assert "qr.svg?lang=es" in flyer
    english_flyer = client.get(f"/letters/{letter_id}/flyer?lang=en").get_data(as_text=True)
    assert ">Sanctuary</h1>" in english_flyer and sha256(ES_TEXT) not in english_flyer


def test_ward_names_are_translated_on_the_public_page(client, bearer, clerk, drafter, reviewer, letter_id):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    page = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    assert '<option value="Ward 12">Distrito 12</option>' in page
    english = client.get(f"/letters/{letter_id}?lang=en").get_data(as_text=True)
    assert '<option value="Ward 12">Ward 12</option>' in english


def test_the_api_lock_can_require_every_translation_approved(client, bearer, clerk, drafter, reviewer, letter_id):
    put(client, bearer(drafter), letter_id, 0)
    url = f"{API}/letters/{letter_id}/lock"

    refused = assert_error(
        client.post(url, headers=bearer(clerk), json={"require_translations": True}), 409, "translation_not_approved"
    )
    assert refused["error"]["details"] == {"languages": ["es"]}
    assert client.get(f"{API}/letters/{letter_id}", headers=bearer(clerk)).get_json()["status"] == "drafting"
    assert_error(client.post(url, headers=bearer(clerk), json={"require_translations": "yes"}), 400, "bad_request")

    approve(client, bearer(reviewer), letter_id, 1)
    locked = client.post(url, headers=bearer(clerk), json={"require_translations": True})
    assert locked.status_code == 200 and locked.get_json()["translations"] == {"es": sha256(ES_TEXT)}


THREADS = 4


def test_concurrent_saves_on_the_same_version_keep_exactly_one(app, drafter, letter_id):
    """Several drafters save on version 0 at once: one is stored, every other is `stale`."""
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def save(worker: int) -> None:
        try:
            with app.app_context():
                official = db.session.get(Official, drafter.id)
                barrier.wait()
                try:
                    translations.save_translation(official, letter_id, "es", ES_TITLE, f"Versión {worker}\n", 0)
                    outcomes.append("saved")
                except translations.StaleTranslation:
                    outcomes.append("stale")
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == ["saved"] + ["stale"] * (THREADS - 1)
    db.session.expire_all()
    row = db.session.scalar(select(LetterTranslation))
    assert row.revision == 1
    assert [r.number for r in translations.translation_revisions(row)] == [1]


def test_the_delivery_packet_has_every_locked_version_with_its_hash(
    app, client, bearer, clerk, drafter, reviewer, letter_id
):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    with app.test_request_context():
        html = delivery_packet_html(db.session.get(Letter, letter_id))
    assert sha256(TEXT) in html and sha256(ES_TEXT) in html
    assert "condición de santuario" in html


def test_the_response_mail_and_withdrawal_page_name_the_spanish_version(
    app, client, bearer, clerk, drafter, reviewer, mailbox, letter_id
):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    submissions.submit(letter_id, signatures.validate("Lucía", "lucia@example.org", None, False, True), locale="es")
    deliver(app)
    confirmed = signatures.confirm(confirmation_token(mailbox, "lucia@example.org"))
    responses.send(clerk, responses.create(clerk, letter_id, responses.ResponseInput("Alcaldía", "Sí.")).id)
    deliver(app)

    [mail] = [m for m in mailbox.to("lucia@example.org") if "/updates/unsubscribe/" in text_part(m)]
    assert ES_TITLE in mail["Subject"] and ES_TITLE in text_part(mail)
    page = client.get(f"/signatures/withdraw/{confirmed.withdraw_token}?lang=es").get_data(as_text=True)
    assert f'Su nombre se quitará de "{ES_TITLE}"' in page


def test_the_database_refuses_to_change_a_locked_translation(client, bearer, clerk, drafter, reviewer, letter_id):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    row_id = db.session.scalar(select(LetterTranslation.id))
    for statement in (
        update(LetterTranslation).where(LetterTranslation.id == row_id).values(text="Otra cosa\n"),
        update(LetterTranslation).where(LetterTranslation.id == row_id).values(status="drafting"),
        insert(TranslationRevision).values(translation_id=row_id, number=2, title="T", text="x", created_at=utcnow()),
    ):
        with pytest.raises(DBAPIError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    db.session.expire_all()
    row = db.session.get(LetterTranslation, row_id)
    assert (row.text, row.status, row.content_hash) == (ES_TEXT, "locked", sha256(ES_TEXT))


def test_share_links_open_the_translation_being_read(client, bearer, clerk, drafter, reviewer, letter_id):
    lock_with_spanish(client, bearer, clerk, drafter, reviewer, letter_id)
    base = f"http://localhost/letters/{letter_id}"

    spanish = client.get(f"/letters/{letter_id}?lang=es").get_data(as_text=True)
    english = client.get(f"/letters/{letter_id}?lang=en").get_data(as_text=True)

    share = re.search(r'<section aria-labelledby="share-heading">.*?</section>', spanish, re.S).group(0)
    assert f'<a href="{base}?lang=es">{base}?lang=es</a>' in share
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', share)]
    mailto = next(h for h in hrefs if h.startswith("mailto:"))
    whatsapp = next(h for h in hrefs if h.startswith("https://wa.me/"))
    assert parse_qs(urlsplit(mailto).query)["body"] == [f"{base}?lang=es"]
    assert parse_qs(urlsplit(whatsapp).query)["text"] == [f"{ES_TITLE} {base}?lang=es"]
    assert f"/letters/{letter_id}/qr.svg?lang=es" in share and f"/letters/{letter_id}/flyer?lang=es" in share
    assert f'<meta property="og:url" content="{base}?lang=es">' in spanish
    # Reading the original: the link is the letter's own address, which opens in the recipient's language.
    share = re.search(r'<section aria-labelledby="share-heading">.*?</section>', english, re.S).group(0)
    assert f'<a href="{base}">{base}</a>' in share and "lang=" not in share
