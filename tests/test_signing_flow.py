"""The resident's whole path in the browser (without JavaScript), privacy, concurrency and the log."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.letters.models import Letter
from app.signing import signature_admin, signatures, submissions
from app.signing.models import LogEntry, Signature, SignatureSubmission
from app.signing.signature_log import HASHED_FIELDS, entry_hash, verify_log
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirm_button, confirmation_token, deliver, make_locked_letter
from tests.support.mailbox import links_in, text_part


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    return make_locked_letter(drafter, clerk)


def sign_in_browser(client, letter_id, **fields):
    page = client.get(f"/letters/{letter_id}")
    html = page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(html),
        "name": "Ana Ruiz",
        "email": "ana@city.example",
        "ward": "Ward 7",
        **fields,
    }
    return client.post(f"/letters/{letter_id}/sign", data=data)


def test_whole_path_sign_mail_confirm_receipt_withdraw(app, client, letter_id, mailbox):
    response = sign_in_browser(client, letter_id, name="Ana Ruiz", public="y")
    assert response.status_code == 202
    assert "Check your email" in response.get_data(as_text=True)
    deliver(app)
    [message] = mailbox.to("ana@city.example")
    [link] = links_in(message)
    path = link.removeprefix("http://localhost")
    # Opening the link (as a mail scanner would) confirms nothing.
    opened = client.get(path)
    assert opened.status_code == 200 and "Confirm my signature" in opened.get_data(as_text=True)
    assert db.session.get(Letter, letter_id).signature_count == 0
    receipt = client.post(path, data=confirm_button(opened.get_data(as_text=True)))
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200 and "Your receipt code" in html
    code = re.search(r'id="receipt-code">([^<]+)<', html).group(1)
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    assert letter.signature_count == 1 and letter.content_hash in html
    # The receipt email carries the code, the hash and the withdrawal link.
    deliver(app)
    receipt_mail = mailbox.to("ana@city.example")[-1]
    body = text_part(receipt_mail)
    assert code in body and letter.content_hash in body
    withdraw_link = next(link for link in links_in(receipt_mail) if "/signatures/withdraw/" in link)
    # The signer checks the receipt is in the public log.
    log = client.get(f"/api/v1/letters/{letter_id}/log").json
    assert verify_log(log, code).receipt_found is True
    # The public page shows the name (the signer chose so), never the email.
    public_page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "Ana Ruiz" in public_page and "ana@city.example" not in public_page
    # Withdraw.
    withdraw_path = withdraw_link.removeprefix("http://localhost")
    form = client.get(withdraw_path)
    done = client.post(withdraw_path, data={"csrf_token": csrf_token_from(form.get_data(as_text=True))})
    assert done.status_code == 200 and "Signature withdrawn" in done.get_data(as_text=True)
    db.session.refresh(letter)
    assert letter.signature_count == 0
    assert "Ana Ruiz" not in client.get(f"/letters/{letter_id}").get_data(as_text=True)
    log = client.get(f"/api/v1/letters/{letter_id}/log").json
    result = verify_log(log, code)
    assert result.ok and result.online == 0 and result.receipt_found is False
    assert client.get(withdraw_path).status_code == 404


def test_private_signer_appears_nowhere_public(app, client, letter_id, mailbox, runner):
    sign_in_browser(client, letter_id, name="Hidden Neighbour", email="hidden@city.example")
    deliver(app)
    token = confirmation_token(mailbox, "hidden@city.example")
    client.post("/api/v1/signatures/confirm", json={"token": token})
    row = db.session.scalar(select(Signature))
    db.session.refresh(row)
    assert row.status == "confirmed" and row.email is None and row.email_hmac  # address not kept
    for url in (
        f"/letters/{letter_id}",
        f"/api/v1/letters/{letter_id}",
        f"/api/v1/letters/{letter_id}/log",
        f"/letters/{letter_id}/count.json",
        f"/letters/{letter_id}/flyer",
        "/",
    ):
        text = client.get(url).get_data(as_text=True)
        assert "Hidden Neighbour" not in text and "hidden@city.example" not in text, url
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def stored_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature)) + db.session.scalar(
        select(func.count()).select_from(SignatureSubmission)
    )


def test_honeypot_and_too_fast_forms_store_nothing(app, client, letter_id):
    assert sign_in_browser(client, letter_id, website="http://spam.example").status_code == 202
    assert stored_rows() == 0
    app.config["SIGNING_FORM_MIN_SECONDS"] = 30
    response = sign_in_browser(client, letter_id)
    assert response.status_code == 400 and "very fast" in response.get_data(as_text=True)
    assert stored_rows() == 0


def test_form_errors_are_shown_and_nothing_is_stored(client, letter_id):
    response = sign_in_browser(client, letter_id, email="nope", name="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert stored_rows() == 0


def test_signing_is_rate_limited_per_address_and_letter(app, client, letter_id):
    statuses = [sign_in_browser(client, letter_id, email=f"n{i}@city.example").status_code for i in range(6)]
    assert statuses[:5] == [202] * 5 and statuses[5] == 429


def test_public_page_is_404_for_drafts_and_answers_304_when_unchanged(client, drafter, bearer, letter_id):
    draft = client.post("/api/v1/letters", json={"title": "T", "text": "x"}, headers=bearer(drafter)).json
    assert client.get(f"/letters/{draft['id']}").status_code == 404
    first = client.get(f"/letters/{letter_id}")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(f"/letters/{letter_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/letters/{letter_id}/qr.svg").mimetype == "image/svg+xml"
    assert "og:title" in first.get_data(as_text=True)
    assert client.get(f"/letters/{letter_id}/count.json").json == {"count": 0}


THREADS = 8


def run_threads(app, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def wrapped(n):
        try:
            with app.app_context(), app.test_request_context():
                barrier.wait()
                target(n)
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=wrapped, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_duplicate_submissions_and_confirmations_leave_one_signature(app, letter_id, mailbox):
    data = signatures.validate("Ana", "ana@city.example", None, False)

    def submit(n):
        same = signatures.validate("Ana", " ANA@city.example " if n % 2 else "ana@city.example", None, False)
        submissions.submit(letter_id, same)

    assert not run_threads(app, submit)
    assert db.session.scalar(select(func.count()).select_from(SignatureSubmission)) == THREADS
    assert deliver(app) == 1  # one link; the other submissions of that mailbox are dropped
    token = confirmation_token(mailbox, "ana@city.example")
    results = []
    assert not run_threads(app, lambda n: results.append(signatures.confirm(token)))
    assert sum(1 for r in results if r.receipt_code) == 1
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    assert letter.online_signature_count == 1
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 1
    assert data.email == "ana@city.example"


def published_log(app, letter_id: int) -> dict:
    """The log as anyone downloads it."""
    response = app.test_client().get(f"/api/v1/letters/{letter_id}/log")
    assert response.status_code == 200
    return response.json


def test_many_concurrent_confirmations_give_an_exact_count(app, letter_id, mailbox):
    for n in range(THREADS):
        submissions.submit(letter_id, signatures.validate(f"P{n}", f"p{n}@city.example", None, False))
    deliver(app)
    tokens = [confirmation_token(mailbox, f"p{n}@city.example") for n in range(THREADS)]
    assert not run_threads(app, lambda n: signatures.confirm(tokens[n]))
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    assert letter.online_signature_count == THREADS
    log = published_log(app, letter_id)
    assert [e["seq"] for e in log["entries"]] == list(range(1, THREADS + 1))
    assert verify_log(log).ok and verify_log(log).online == THREADS


def confirmed_log(app, letter_id, mailbox, n=3):
    for i in range(n):
        submissions.submit(letter_id, signatures.validate(f"P{i}", f"q{i}@city.example", None, False))
    deliver(app)
    codes = [signatures.confirm(confirmation_token(mailbox, f"q{i}@city.example")).receipt_code for i in range(n)]
    return published_log(app, letter_id), codes


def test_published_log_is_exactly_the_hashed_fields_and_their_hash(app, letter_id, mailbox):
    log, _codes = confirmed_log(app, letter_id, mailbox, n=2)
    assert set(log) == {"letter_id", "content_hash", "entries", "head"}
    for entry in log["entries"]:
        assert set(entry) == {*HASHED_FIELDS, "versions", "hash"}
        assert entry["hash"] == entry_hash(entry)
        assert isinstance(entry["recorded_on"], str) and len(entry["recorded_on"]) == 10
    assert log["head"] == log["entries"][-1]["hash"]


def test_log_fails_to_verify_after_any_alteration(app, letter_id, mailbox):
    log, codes = confirmed_log(app, letter_id, mailbox)
    assert verify_log(log).ok and verify_log(log, codes[1]).receipt_found
    assert verify_log(log, "AAAA-BBBB-CCCC").receipt_found is False
    altered = json.loads(json.dumps(log))
    altered["entries"][1]["commitment"] = "0" * 64
    removed = json.loads(json.dumps(log))
    del removed["entries"][1]
    reordered = json.loads(json.dumps(log))
    reordered["entries"][0], reordered["entries"][1] = reordered["entries"][1], reordered["entries"][0]
    truncated = json.loads(json.dumps(log))
    truncated["entries"].pop()
    other_letter = json.loads(json.dumps(log))
    other_letter["content_hash"] = "f" * 64
    for broken in (altered, removed, reordered, truncated, other_letter):
        assert not verify_log(broken).ok


def test_verify_log_command(app, runner, letter_id, mailbox, tmp_path):
    log, codes = confirmed_log(app, letter_id, mailbox, n=2)
    path = tmp_path / "log.json"
    path.write_text(json.dumps(log))
    ok = runner.invoke(args=["verify-log", str(path), "--receipt", codes[0].lower()])
    assert ok.exit_code == 0, ok.output
    assert "2 online" in ok.output and "Your receipt code is in the log" in ok.output
    log["entries"][0]["count"] = 5
    path.write_text(json.dumps(log))
    bad = runner.invoke(args=["verify-log", str(path)])
    assert bad.exit_code != 0 and "does NOT verify" in bad.output


def test_clerk_tools_paper_import_export_close_and_anonymize(
    app, client, clerk, drafter, sign_in, letter_id, mailbox, runner
):
    submissions.submit(letter_id, signatures.validate("Una Update", "una@city.example", "Ward 3", True, True))
    submissions.submit(letter_id, signatures.validate("Quiet Quinn", "quinn@city.example", "Ward 3", False, False))
    deliver(app)
    for address in ("una@city.example", "quinn@city.example"):
        signatures.confirm(confirmation_token(mailbox, address))
    batch = signature_admin.import_paper(clerk, letter_id, "name,ward,date\nPat Paper,Ward 3,2026-11-20\nSam Sheet,,\n")
    assert batch.count == 2
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    assert (letter.online_signature_count, letter.paper_signature_count, letter.signature_count) == (2, 2, 4)
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 4
    sign_in(clerk)
    csv_text = client.get(f"/letters/{letter_id}/export.csv").get_data(as_text=True)
    assert "Una Update" in csv_text and "una@city.example" in csv_text  # asked for updates
    assert "Quiet Quinn" in csv_text and "quinn@city.example" not in csv_text
    assert "Pat Paper" in csv_text
    with pytest.raises(Exception):  # noqa: B017
        signature_admin.import_paper(clerk, letter_id, "name,ward\nX,Ward 99\n")
    signature_admin.close_letter(clerk, letter_id)
    response = client.post(
        f"/api/v1/letters/{letter_id}/signatures", json={"name": "Late", "email": "late@city.example"}
    )
    assert response.status_code == 409
    result = runner.invoke(args=["anonymize", "--closed-before", "2999-01-01"])
    assert result.exit_code == 0 and "1 closed letter" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Signature.name.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).where(Signature.email.is_not(None))) == 0
    letter = db.session.get(Letter, letter_id)
    assert letter.signature_count == 4
    assert verify_log(published_log(app, letter_id)).total == 4


def test_only_the_clerk_exports(client, drafter, sign_in, letter_id):
    sign_in(drafter)
    assert client.get(f"/letters/{letter_id}/export.csv").status_code == 403


def test_delivery_packet_pdf(app, client, clerk, drafter, sign_in, letter_id, mailbox):
    submissions.submit(letter_id, signatures.validate("Shown Person", "shown@city.example", "Ward 2", True))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "shown@city.example"))
    sign_in(drafter)
    assert client.get(f"/letters/{letter_id}/packet.pdf").status_code == 403
    sign_in(clerk)
    response = client.get(f"/letters/{letter_id}/packet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 2000
    tools = client.get(f"/letters/{letter_id}/tools")
    assert tools.status_code == 200 and "packet.pdf" in tools.get_data(as_text=True)
