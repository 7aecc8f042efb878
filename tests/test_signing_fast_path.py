"""The fast signing path: batched submissions and confirmations, mail rendered by the sender, and
the public page answered from memory (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.letters.models import Letter
from app.mail.models import OutgoingMail
from app.shared.errors import NotFound
from app.signing import name_moderation, public_state, signature_admin, signatures, submissions
from app.signing.models import HiddenReason, LogEntry, Signature, SignatureSubmission
from app.signing.signature_log import verify_log
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter
from tests.support.mailbox import links_in, text_part

THREADS = 12


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    return make_locked_letter(drafter, clerk)


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


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refreshed_letter(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    return letter


class Statements:
    """Counts the SQL statements the app sends while the block runs."""

    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def _count(self, *args) -> None:
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


# Submissions and confirmations under concurrency


def test_concurrent_submissions_are_each_stored_once(app, letter_id):
    def submit(n):
        submissions.submit(letter_id, signatures.validate(f"S{n}", f"s{n}@city.example", None, False))

    assert not run_threads(app, submit)
    stored = db.session.scalars(select(SignatureSubmission.email)).all()
    assert sorted(stored) == sorted(f"s{n}@city.example" for n in range(THREADS))


def test_concurrent_submissions_to_a_closed_letter_are_refused_and_store_nothing(app, clerk, letter_id):
    signature_admin.close_letter(clerk, letter_id)
    refused = []

    def submit(n):
        try:
            submissions.submit(letter_id, signatures.validate("S", f"s{n}@city.example", None, False))
        except Exception as error:
            refused.append(error)

    assert not run_threads(app, submit)
    assert len(refused) == THREADS and all(getattr(e, "status", None) == 409 for e in refused)
    assert count(SignatureSubmission) == 0


def test_concurrent_confirmations_of_one_signers_different_links_record_one_signature(app, client, letter_id, mailbox):
    # The same mailbox signed THREADS times, each time mailed a link of its own (no resend pause).
    app.config["SIGNATURE_RESEND_MINUTES"] = 0
    tokens = []
    for n in range(THREADS):
        submissions.submit(letter_id, signatures.validate(f"Ana {n}", "ana@city.example", None, False))
        deliver(app)
        tokens.append(confirmation_token(mailbox, "ana@city.example", index=n))
    results, retired = [], []

    def confirm(n):
        try:
            results.append(signatures.confirm(tokens[n]))
        except NotFound:  # confirming one link retires the signer's other links
            retired.append(n)

    assert not run_threads(app, confirm)

    assert sum(1 for r in results if r.receipt_code) == 1  # one receipt, whichever link won
    assert len(results) + len(retired) == THREADS
    assert count(Signature) == 1 and count(SignatureSubmission) == 0  # every other link retired
    assert refreshed_letter(letter_id).online_signature_count == 1
    assert count(LogEntry) == 1
    assert len(db.session.scalars(select(OutgoingMail.template)).all()) == 1  # one receipt mail


def test_many_signers_confirming_at_once_give_an_exact_count_and_a_sound_log(app, client, letter_id, mailbox):
    for n in range(THREADS):
        submissions.submit(letter_id, signatures.validate(f"P{n}", f"p{n}@city.example", None, False))
    deliver(app)
    tokens = [confirmation_token(mailbox, f"p{n}@city.example") for n in range(THREADS)]
    # Every link is used twice at once: each signer still counts once.
    assert not run_threads(app, lambda n: (signatures.confirm(tokens[n]), signatures.confirm(tokens[n])))
    assert refreshed_letter(letter_id).online_signature_count == THREADS
    log = client.get(f"/api/v1/letters/{letter_id}/log").json
    assert verify_log(log).ok and verify_log(log).online == THREADS


def test_signing_again_after_withdrawing_keeps_the_clerks_hiding(app, client, clerk, letter_id, mailbox):
    submissions.submit(letter_id, signatures.validate("Ana Ruiz", "ana@city.example", None, True))
    deliver(app)
    first = signatures.confirm(confirmation_token(mailbox, "ana@city.example"))
    signature_id = db.session.scalar(select(Signature.id))
    name_moderation.hide_name(clerk, letter_id, signature_id)
    signatures.withdraw(first.withdraw_token)
    app.config["SIGNATURE_RESEND_MINUTES"] = 0

    submissions.submit(letter_id, signatures.validate("Ana R.", "ana@city.example", "Ward 3", True))
    deliver(app)
    again = signatures.confirm(confirmation_token(mailbox, "ana@city.example"))

    assert again.receipt_code and again.receipt_code != first.receipt_code
    signature = db.session.scalars(select(Signature).execution_options(populate_existing=True)).one()
    assert (signature.id, signature.name, signature.ward, signature.status) == (
        signature_id,
        "Ana R.",
        "Ward 3",
        "confirmed",
    )
    assert signature.hidden_reason == HiddenReason.CLERK.value
    assert refreshed_letter(letter_id).online_signature_count == 1
    assert [e.kind for e in db.session.scalars(select(LogEntry).order_by(LogEntry.seq))] == [
        "signature",
        "withdrawal",
        "signature",
    ]


# The receipt mail is rendered by the sender, not by the request


def test_the_receipt_is_queued_unrendered_and_the_sender_renders_it_in_the_signers_language(
    app, client, letter_id, mailbox
):
    client.post(
        f"/api/v1/letters/{letter_id}/signatures",
        json={"name": "Luz", "email": "luz@city.example"},
        headers={"Accept-Language": "es"},
    )
    deliver(app)
    token = confirmation_token(mailbox, "luz@city.example")
    answer = client.post("/api/v1/signatures/confirm", json={"token": token}).json

    queued = db.session.scalars(select(OutgoingMail)).one()
    assert (queued.template, queued.locale, queued.subject, queued.text_body) == ("signature_receipt", "es", "", "")
    assert json.loads(queued.context)["receipt_code"] == answer["receipt_code"]

    assert deliver(app) == 1
    [receipt] = mailbox.to("luz@city.example")[1:]
    body = text_part(receipt)
    assert "Hola, Luz," in body and answer["receipt_code"] in body
    assert "Sanctuary" in receipt["Subject"]
    assert any("/signatures/withdraw/" in link for link in links_in(receipt))
    assert count(OutgoingMail) == 0  # nothing kept once sent


def test_a_mail_that_cannot_be_rendered_is_kept_as_failed_and_others_are_sent(app, client, letter_id, mailbox):
    from app.mail.queue import deferred_mail

    db.session.execute(
        OutgoingMail.__table__.insert(),
        [
            deferred_mail("x@city.example", "no_such_template", "en", {}),
            deferred_mail("y@city.example", "signature_confirm", "en", {"letter": {"title": "T"}, "link": "L"}),
        ],
    )
    db.session.commit()
    assert deliver(app) == 1
    assert len(mailbox.to("y@city.example")) == 1 and mailbox.to("x@city.example") == []
    failed = db.session.scalars(select(OutgoingMail)).one()
    assert failed.failed and failed.template == "no_such_template"
    assert failed.recipient == "@city.example"  # kept as failed, with nothing personal


# The public page: revalidated without the database, rendered once per state


def shown_count(response) -> int:
    return int(re.search(r'id="live-count"[^>]*>(\d+)<', response.get_data(as_text=True)).group(1))


def page(client, letter_id, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/letters/{letter_id}", headers=headers)


def test_a_revalidation_and_a_repeated_render_send_no_sql(app, client, letter_id):
    first = page(client, letter_id)
    with Statements(db.engine) as statements:
        again = page(client, letter_id, first.headers["ETag"])
        other_visitor = page(app.test_client(), letter_id)
    assert again.status_code == 304
    assert other_visitor.status_code == 200 and "Sanctuary" in other_visitor.get_data(as_text=True)
    assert statements.count == 0


def test_each_visitor_of_a_cached_page_gets_a_form_token_of_their_own(app, letter_id):
    ana, ben = app.test_client(), app.test_client()
    ana_token = csrf_token_from(page(ana, letter_id).get_data(as_text=True))
    ben_token = csrf_token_from(page(ben, letter_id).get_data(as_text=True))
    assert ana_token != ben_token
    for client, token, address in ((ana, ana_token, "ana@city.example"), (ben, ben_token, "ben@city.example")):
        data = {"csrf_token": token, "name": "A", "email": address, "ward": ""}
        assert client.post(f"/letters/{letter_id}/sign", data=data).status_code == 202


def test_a_confirmation_changes_the_page_and_its_etag_at_once(app, client, letter_id, mailbox):
    first = page(client, letter_id)
    assert "Ana Ruiz" not in first.get_data(as_text=True)
    submissions.submit(letter_id, signatures.validate("Ana Ruiz", "ana@city.example", "Ward 3", True))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "ana@city.example"))

    again = page(client, letter_id, first.headers["ETag"])
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "Ana Ruiz" in again.get_data(as_text=True)
    assert shown_count(again) == shown_count(first) + 1  # not the count the first render read
    assert shown_count(again) == 1  # the first signature: the words agree with the number
    assert ">1</span>" in again.get_data(as_text=True) and ">resident has signed</span>" in again.get_data(as_text=True)
    assert "1 person has signed it" in again.get_data(as_text=True)
    fresh = page(app.test_client(), letter_id)  # the cached render of the new state
    assert "Ana Ruiz" in fresh.get_data(as_text=True)
    assert shown_count(fresh) == shown_count(first) + 1


def test_closing_and_hiding_a_name_change_the_page(app, client, clerk, letter_id, mailbox):
    submissions.submit(letter_id, signatures.validate("Ana Ruiz", "ana@city.example", None, True))
    deliver(app)
    signatures.confirm(confirmation_token(mailbox, "ana@city.example"))
    listed = page(client, letter_id)
    assert "Ana Ruiz" in listed.get_data(as_text=True)

    name_moderation.hide_name(clerk, letter_id, db.session.scalar(select(Signature.id)))
    hidden = page(client, letter_id, listed.headers["ETag"])
    assert hidden.status_code == 200 and "Ana Ruiz" not in hidden.get_data(as_text=True)

    signature_admin.close_letter(clerk, letter_id)
    closed = page(client, letter_id, hidden.headers["ETag"])
    assert closed.status_code == 200 and closed.headers["ETag"] != hidden.headers["ETag"]


def test_a_change_made_by_another_process_shows_once_the_version_is_read_again(app, client, letter_id, monkeypatch):
    first = page(client, letter_id)
    # Another server process counted a paper batch: this process has not heard of it.
    letter = db.session.get(Letter, letter_id)
    letter.paper_signature_count += 5
    db.session.commit()
    assert page(client, letter_id, first.headers["ETag"]).status_code == 304  # within the second

    clock = public_state.time.monotonic() + public_state.TTL_SECONDS + 0.1
    monkeypatch.setattr(public_state.time, "monotonic", lambda: clock)
    changed = page(client, letter_id, first.headers["ETag"])
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_a_draft_is_still_404_and_a_letter_locked_later_is_shown(app, client, drafter, clerk):
    from app.letters import creation
    from app.review import locking

    draft = creation.create_letter(drafter, "Later", "Text.\n")
    assert page(client, draft.id).status_code == 404
    locking.lock_letter(clerk, draft.id)  # this process hears of it (app.letters.events)
    shown = page(client, draft.id)
    assert shown.status_code == 200 and shown.headers.get("ETag")


def test_a_published_response_changes_the_page(app, client, clerk, letter_id):
    from app.signing import responses

    first = page(client, letter_id)
    draft = responses.create(clerk, letter_id, responses.validate("The council", "We will act on it."))
    assert page(client, letter_id, first.headers["ETag"]).status_code == 304  # a draft is not shown
    responses.send(clerk, draft.id)
    shown = page(client, letter_id, first.headers["ETag"])
    assert shown.status_code == 200 and "We will act on it." in shown.get_data(as_text=True)
