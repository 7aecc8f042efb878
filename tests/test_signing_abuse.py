"""Abuse limits of signing (issue 11, item 12): one budget for the web form and the API, a form that
must be fresh, and Gmail's spellings of one mailbox counted as one signer."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.signing.models import Signature, SignatureSubmission
from app.signing.signatures import canonical_address
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirmation_token, deliver, make_locked_letter


@pytest.fixture
def letter_id(drafter, clerk) -> int:
    return make_locked_letter(drafter, clerk)


def by_api(client, letter_id: int, email: str):
    return client.post(f"/api/v1/letters/{letter_id}/signatures", json={"name": "Ana", "email": email})


def by_form(client, letter_id: int, email: str, html: str | None = None):
    html = html or client.get(f"/letters/{letter_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(html), "name": "Ana", "email": email, "ward": ""}
    return client.post(f"/letters/{letter_id}/sign", data=form)


def test_the_web_form_and_the_api_share_one_budget(app, client, letter_id):
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    statuses = [by_form(client, letter_id, f"f{n}@city.example").status_code for n in range(3)]
    statuses += [by_api(client, letter_id, f"a{n}@city.example").status_code for n in range(2)]
    assert statuses == [202] * 5
    assert by_api(client, letter_id, "sixth@city.example").status_code == 429
    assert by_form(client, letter_id, "seventh@city.example").status_code == 429


class Clock:
    """time.time() under the test's control."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_cached_page_does_not_make_a_stale_form_fresh(app, client, letter_id, monkeypatch):
    app.config["SIGNING_FORM_MIN_SECONDS"] = 3
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    first = client.get(f"/letters/{letter_id}")
    html = first.get_data(as_text=True)
    clock.now += 600  # the page stays open, or in the browser's cache, for ten minutes

    again = client.get(f"/letters/{letter_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304  # the browser shows its cached copy, form included
    too_fast = by_form(client, letter_id, "ana@city.example", html)

    assert too_fast.status_code == 400 and "very fast" in too_fast.get_data(as_text=True)
    clock.now += 4
    assert by_form(client, letter_id, "ana@city.example", html).status_code == 202


def test_a_form_never_served_to_this_browser_is_refused(app, client, letter_id):
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    html = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert client.get_cookie("signing_served", path="/letters") is not None
    client.delete_cookie("signing_served", path="/letters")  # a valid CSRF token, but no form served

    refused = by_form(client, letter_id, "bot@city.example", html)

    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert by_form(client, letter_id, "ana@city.example", refused.get_data(as_text=True)).status_code == 202


def test_a_forged_or_altered_served_time_counts_as_never_served(app, client, letter_id):
    app.config["SIGNING_FORM_MIN_SECONDS"] = 3
    html = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    value = client.get_cookie("signing_served", path="/letters").value
    payload, _, signature = value.rpartition("~")
    letter, _, at = payload.partition(".")
    assert letter == str(letter_id) and abs(int(at) - time.time()) < 5
    for forged in (f"{letter}.{int(at) - 600}~{signature}", f"{letter}.{int(at) - 600}~", "garbage"):
        client.set_cookie("signing_served", forged, path="/letters")
        refused = by_form(client, letter_id, "bot@city.example", html)
        assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SignatureSubmission)) == 0


def test_a_revalidation_leaves_the_session_cookie_as_it_is(app, client, letter_id, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    first = client.get(f"/letters/{letter_id}")
    assert [c for c in first.headers.getlist("Set-Cookie") if c.startswith("session=")]
    client.get(f"/letters/{letter_id}", headers={"If-None-Match": first.headers["ETag"]})  # Flask-Login's mark
    clock.now += 5  # a later second: the form is marked served again
    again = client.get(f"/letters/{letter_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    cookies = again.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith("session=")]
    assert [c for c in cookies if c.startswith("signing_served=")]


def test_the_letter_page_is_revalidated_every_time(client, letter_id):
    response = client.get(f"/letters/{letter_id}")
    assert response.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("typed", "mailbox_address"),
    [
        ("Ana.Ruiz+letters@gmail.com", "anaruiz@gmail.com"),
        (" a.n.a.r.u.i.z@GoogleMail.com ", "anaruiz@gmail.com"),
        ("Ana.Ruiz+x@city.example", "ana.ruiz+x@city.example"),  # elsewhere dots and tags matter
    ],
)
def test_canonical_addresses(typed, mailbox_address):
    assert canonical_address(typed) == mailbox_address


def test_gmail_spellings_of_one_mailbox_are_one_signer_and_mail_goes_as_typed(app, client, letter_id, mailbox):
    assert by_api(client, letter_id, "ana.ruiz@gmail.com").status_code == 202
    deliver(app)
    first = confirmation_token(mailbox, "ana.ruiz@gmail.com")
    assert client.post("/api/v1/signatures/confirm", json={"token": first}).status_code == 200
    deliver(app)
    mailbox.clear()

    for spelling in ("anaruiz+again@gmail.com", "AnaRuiz@googlemail.com"):
        assert by_api(client, letter_id, spelling).status_code == 202
    deliver(app)

    assert mailbox.messages == []  # the mailbox has signed: no new link, to any spelling
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def test_the_confirmation_mail_goes_to_the_address_as_typed(app, client, letter_id, mailbox):
    by_api(client, letter_id, "Ana.Ruiz+letters@gmail.com")
    deliver(app)
    [message] = mailbox.messages
    assert message["To"] == "Ana.Ruiz+letters@gmail.com"
