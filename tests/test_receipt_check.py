"""The public receipt check page, as a browser without JavaScript uses it: the server checks a
receipt code against the letter's published log and the log's hash chain; an unknown, withdrawn or
malformed code gets the same plain "not found"."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.signing import receipt_check, signatures, submissions
from app.signing.models import LogEntry
from app.signing.receipt_check import normalise_receipt_code
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter

FOUND = "Found: this receipt is in the published log"
NOT_FOUND = "Not found: this code is not in the published log"
INTACT = "chain of hashes is intact"
BROKEN = "does NOT verify"


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    receipt_check.clear_cache()
    return make_locked_letter(drafter, clerk)


def signed(app, mailbox, letter_id: int, address: str) -> signatures.Confirmation:
    submissions.submit(letter_id, signatures.validate("Pat Doe", address, None, False))
    deliver(app)
    return signatures.confirm(confirmation_token(mailbox, address))


def check(client, letter_id: int, code: str, **headers):
    page = client.get(f"/letters/{letter_id}/receipt", headers=headers)
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/letters/{letter_id}/receipt", data={"csrf_token": token, "code": code}, headers=headers)


def answer(response) -> str:
    """The text of the page's answer region."""
    html = response.get_data(as_text=True)
    region = re.search(r'<div id="receipt-answer".*?>(.*?)</div>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", region).split())


def test_a_receipt_is_found_and_the_chain_is_intact(app, client, mailbox, letter_id):
    code = signed(app, mailbox, letter_id, "ana@city.example").receipt_code

    response = check(client, letter_id, code)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = answer(response)
    assert FOUND in text and INTACT in text and "entries checked: 1" in text
    assert "Checked by the server" in text


@pytest.mark.parametrize("typed", ["lower", "compact", "spaced"])
def test_the_code_is_found_however_it_is_typed(app, client, mailbox, letter_id, typed):
    code = signed(app, mailbox, letter_id, "ana@city.example").receipt_code
    variants = {"lower": code.lower(), "compact": code.replace("-", ""), "spaced": " " + code.replace("-", " ") + " "}

    assert FOUND in answer(check(client, letter_id, variants[typed]))


def test_unknown_malformed_and_withdrawn_codes_get_the_same_plain_not_found(app, client, mailbox, letter_id):
    ana = signed(app, mailbox, letter_id, "ana@city.example")
    bo = signed(app, mailbox, letter_id, "bo@city.example")
    signatures.withdraw(bo.withdraw_token)
    answers = {
        typed: answer(check(client, letter_id, typed))
        for typed in ("AAAA-BBBB-CCCC", "not a code", "0000-1111-OOOO", "x" * 64, bo.receipt_code)
    }

    assert len(set(answers.values())) == 1, answers
    [text] = set(answers.values())
    assert NOT_FOUND in text and INTACT in text
    assert ana.receipt_code not in text and "Pat Doe" not in text and "city.example" not in text


def test_the_page_follows_the_log_as_it_grows(app, client, mailbox, letter_id):
    first = signed(app, mailbox, letter_id, "ana@city.example").receipt_code
    assert FOUND in answer(check(client, letter_id, first))

    second = signed(app, mailbox, letter_id, "bo@city.example").receipt_code

    text = answer(check(client, letter_id, second))
    assert FOUND in text and "entries checked: 2" in text


def test_an_altered_log_is_reported(app, client, mailbox, letter_id):
    code = signed(app, mailbox, letter_id, "ana@city.example").receipt_code
    signed(app, mailbox, letter_id, "bo@city.example")
    first = db.session.scalar(select(LogEntry).where(LogEntry.letter_id == letter_id, LogEntry.seq == 1))
    db.session.execute(update(LogEntry).where(LogEntry.id == first.id).values(recorded_on="1999-01-01"))
    db.session.commit()
    receipt_check.clear_cache()

    text = answer(check(client, letter_id, code))

    assert BROKEN in text and INTACT not in text


def test_bad_requests_change_nothing_and_answer_plainly(app, client, mailbox, letter_id, drafter):
    from app.letters import creation

    draft = creation.create_letter(drafter, "Draft", "Text\n").id
    assert client.get(f"/letters/{draft}/receipt").status_code == 404
    assert client.get("/letters/999999/receipt").status_code == 404
    no_csrf = client.post(f"/letters/{letter_id}/receipt", data={"code": "AAAA-BBBB-CCCC"})
    assert no_csrf.status_code == 400 and FOUND not in no_csrf.get_data(as_text=True)
    empty = check(client, letter_id, "")
    assert empty.status_code == 400 and "This field is required" in empty.get_data(as_text=True)
    nul = check(client, letter_id, "AAAA\x00BBBB")
    assert nul.status_code == 400


def test_the_check_is_rate_limited(app, client, letter_id):
    page = client.get(f"/letters/{letter_id}/receipt")
    token = csrf_token_from(page.get_data(as_text=True))
    statuses = [
        client.post(f"/letters/{letter_id}/receipt", data={"csrf_token": token, "code": "AAAA-BBBB-CCCC"}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_the_page_is_in_spanish(app, client, mailbox, letter_id):
    code = signed(app, mailbox, letter_id, "ana@city.example").receipt_code

    response = check(client, letter_id, code, **{"Accept-Language": "es"})

    html = response.get_data(as_text=True)
    assert 'lang="es"' in html and "Compruebe su comprobante" in html
    assert "Encontrado" in answer(response) and FOUND not in html


def test_normalise_receipt_code():
    assert normalise_receipt_code("abcd efgh jkmn") == "ABCD-EFGH-JKMN"
    assert normalise_receipt_code("ABCD–EFGH–JKMN") == "ABCD-EFGH-JKMN"  # en dashes, as phones type them
    for bad in ("", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKM0", "ABCD-EFGH-JKMI", None, 12, "A" * 65):
        assert normalise_receipt_code(bad) is None
