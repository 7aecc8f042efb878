"""Signers' privacy (issue 11, items 1 to 3): nobody but the owner of a mailbox decides what its
link records, the answers to a submission say nothing about the address, and no address is left
behind (on disk, in unconfirmed submissions)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.mail.models import OutgoingMail
from app.shared.db_types import utcnow
from app.signing.models import Signature, SignatureSubmission
from tests.conftest import csrf_token_from
from tests.signing_helpers import confirm_button, confirmation_token, deliver, make_locked_letter

VICTIM = {"name": "Val Private", "email": "v@x.org", "public": False}
STRANGER = {"name": "Val Private (supports this loudly)", "email": " V@X.org ", "public": True, "updates": True}


@pytest.fixture
def letter_id(app, drafter, clerk) -> int:
    app.config["SIGNING_FORM_MIN_SECONDS"] = 0
    return make_locked_letter(drafter, clerk)


def sign(client, letter_id: int, body: dict):
    return client.post(f"/api/v1/letters/{letter_id}/signatures", json=body)


def confirm(client, token: str):
    return client.post("/api/v1/signatures/confirm", json={"token": token})


def the_signature() -> Signature:
    db.session.expire_all()
    [signature] = db.session.scalars(select(Signature)).all()
    return signature


# ------------------------------------------------------------------ 1. nobody else changes a submission


def test_a_stranger_cannot_change_what_a_pending_link_records(app, client, letter_id, mailbox):
    assert sign(client, letter_id, VICTIM).status_code == 202
    deliver(app)
    victims_link = confirmation_token(mailbox, "v@x.org")

    assert sign(client, letter_id, STRANGER).status_code == 202
    deliver(app)

    assert len(mailbox.to("v@x.org")) == 1  # no second mail so soon to the same mailbox
    assert confirm(client, victims_link).status_code == 200
    signature = the_signature()
    assert (signature.name, signature.public, signature.wants_updates, signature.email) == (
        "Val Private",
        False,
        False,
        None,
    )
    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert "Val Private" not in page


def test_a_later_submission_gets_a_link_of_its_own_and_the_first_link_still_records_its_own(
    app, client, letter_id, mailbox
):
    sign(client, letter_id, VICTIM)
    deliver(app)
    victims_link = confirmation_token(mailbox, "v@x.org")
    db.session.execute(SignatureSubmission.__table__.update().values(mailed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()

    sign(client, letter_id, STRANGER)
    deliver(app)

    assert len(mailbox.to("v@x.org")) == 2
    strangers_link = confirmation_token(mailbox, "v@x.org", -1)
    assert strangers_link != victims_link
    assert confirm(client, victims_link).status_code == 200
    assert (the_signature().name, the_signature().public) == ("Val Private", False)
    assert confirm(client, strangers_link).status_code == 404  # the signer has signed: other links die
    assert client.get(f"/api/v1/letters/{letter_id}").json["signature_count"] == 1


def test_the_confirmation_page_shows_what_will_be_recorded_and_confirms_nothing(app, client, letter_id, mailbox):
    sign(client, letter_id, {**VICTIM, "ward": "Ward 7"})
    deliver(app)
    token = confirmation_token(mailbox, "v@x.org")

    page = client.get(f"/signatures/confirm/{token}")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    recorded = re.search(r'<dl class="receipt" id="to-be-recorded">(.*?)</dl>', page.get_data(as_text=True), re.S)
    text = " ".join(recorded.group(1).split())
    assert "Val Private" in text and "Ward 7" in text
    assert "No: only counted" in text and "No: your address is deleted once you confirm" in text
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_the_owner_corrects_the_submission_before_confirming(app, client, letter_id, mailbox):
    sign(client, letter_id, STRANGER)  # the stranger was first this time
    deliver(app)
    token = confirmation_token(mailbox, "v@x.org")
    path = f"/signatures/confirm/{token}"
    csrf = csrf_token_from(client.get(path).get_data(as_text=True))

    refused = client.post(f"{path}/correct", data={"csrf_token": csrf, "name": "", "ward": ""})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    corrected = client.post(f"{path}/correct", data={"csrf_token": csrf, "name": "Val Private", "ward": "Ward 3"})
    assert corrected.status_code == 303

    page = client.get(path).get_data(as_text=True)
    assert "supports this loudly" not in page and "No: only counted" in page and "Ward 3" in page
    confirmed = client.post(path, data=confirm_button(page))
    assert confirmed.status_code == 200 and "Your receipt code" in confirmed.get_data(as_text=True)
    signature = the_signature()
    assert (signature.name, signature.ward, signature.public, signature.wants_updates, signature.email) == (
        "Val Private",
        "Ward 3",
        False,
        False,
        None,
    )
    assert "already confirmed" in client.get(path).get_data(as_text=True)
    late = client.post(f"{path}/correct", data={"csrf_token": csrf, "name": "Changed", "ward": ""})
    assert late.status_code == 303 and the_signature().name == "Val Private"


def test_the_button_records_only_what_its_page_showed(app, client, letter_id, mailbox):
    sign(client, letter_id, VICTIM)
    deliver(app)
    path = f"/signatures/confirm/{confirmation_token(mailbox, 'v@x.org')}"
    first_tab = client.get(path).get_data(as_text=True)
    corrected = client.get(path).get_data(as_text=True)
    client.post(f"{path}/correct", data={"csrf_token": csrf_token_from(corrected), "name": "Val P.", "ward": ""})

    stale = client.post(path, data=confirm_button(first_tab))

    assert stale.status_code == 409 and "changed since the page was opened" in stale.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert client.post(path, data=confirm_button(stale.get_data(as_text=True))).status_code == 200
    assert the_signature().name == "Val P."


# ------------------------------------------------------------- 2. the answer says nothing about the address


def _api_answer(app, letter_id: int, email: str) -> tuple:
    limiter.reset()  # every answer from a fresh budget, so that the rate-limit headers compare
    response = app.test_client().post(
        f"/api/v1/letters/{letter_id}/signatures", json={"name": "Ana", "email": email, "public": False}
    )
    headers = sorted((name, value) for name, value in response.headers.items() if name not in TIME_HEADERS)
    return response.status_code, headers, response.get_data()


TIME_HEADERS = {"X-RateLimit-Reset", "Retry-After", "Date"}  # they tell the time, not the address


def _signed_up(app, client, letter_id, mailbox) -> None:
    """pending@ has a link waiting; confirmed@ has signed."""
    for address in ("pending@city.example", "confirmed@city.example"):
        sign(client, letter_id, {"name": "P", "email": address})
    deliver(app)
    confirm(client, confirmation_token(mailbox, "confirmed@city.example"))
    deliver(app)


def test_the_api_answers_alike_for_new_pending_and_confirmed_addresses(app, client, letter_id, mailbox):
    _signed_up(app, client, letter_id, mailbox)

    new, pending, confirmed = (
        _api_answer(app, letter_id, address)
        for address in ("new@city.example", "pending@city.example", "confirmed@city.example")
    )

    assert new == pending == confirmed
    assert new[0] == 202 and new[2] == b'{"status":"pending"}\n'
    assert "Set-Cookie" not in dict(new[1])


def _form_answer(app, letter_id: int, email: str) -> tuple:
    limiter.reset()
    browser = app.test_client()
    html = browser.get(f"/letters/{letter_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(html), "name": "Ana", "email": email, "ward": ""}
    response = browser.post(f"/letters/{letter_id}/sign", data=form)
    headers = sorted(
        (name, re.sub(r"^session=[^;]*", "session=…", value) if name == "Set-Cookie" else value)
        for name, value in response.headers.items()
        if name not in TIME_HEADERS
    )
    body = re.sub(r'(name="csrf_token" (?:type="hidden" )?value=)"[^"]+"', r"\1…", response.get_data(as_text=True))
    return response.status_code, headers, body


def test_the_web_form_answers_alike_for_new_pending_and_confirmed_addresses(app, client, letter_id, mailbox):
    _signed_up(app, client, letter_id, mailbox)

    new, pending, confirmed = (
        _form_answer(app, letter_id, address)
        for address in ("new@city.example", "pending@city.example", "confirmed@city.example")
    )

    assert new[0] == 202 and "Check your email" in new[2]
    assert new == pending == confirmed


def test_a_submission_only_stores_it_and_the_sender_mails_or_drops_it(app, client, letter_id, mailbox):
    _signed_up(app, client, letter_id, mailbox)
    mailbox.clear()
    for address in ("new@city.example", "pending@city.example", "confirmed@city.example"):
        sign(client, letter_id, {"name": "Ana", "email": address})
    # The requests did the same work: one stored submission each, no mail rendered or queued.
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert db.session.scalar(select(func.count()).where(SignatureSubmission.mailed_at.is_(None))) == 3

    deliver(app)

    assert len(mailbox.to("new@city.example")) == 1
    assert mailbox.to("pending@city.example") == [] and mailbox.to("confirmed@city.example") == []
    assert db.session.scalar(select(func.count()).where(SignatureSubmission.mailed_at.is_(None))) == 0


# ------------------------------------------------------------------------------- 3. nothing left behind


def _database_files(database_url: str) -> list[Path]:
    path = Path(database_url.removeprefix("sqlite:///"))
    return [file for file in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if file.exists()]


def _on_disk(database_url: str, text: str) -> bool:
    return any(text.encode("utf-8") in file.read_bytes() for file in _database_files(database_url))


def test_no_plain_address_survives_confirmation_on_disk(app, client, letter_id, mailbox, database_url):
    address = "unmistakable.signer.7f3a@city.example"
    sign(client, letter_id, {"name": "Disk Check", "email": address})
    deliver(app)
    token = confirmation_token(mailbox, address)
    if database_url.startswith("sqlite"):
        assert _on_disk(database_url, address)  # the test can see an address when there is one

    assert confirm(client, token).status_code == 200
    deliver(app)  # the receipt goes out; its queued copy is deleted

    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(SignatureSubmission)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert the_signature().email is None
    if database_url.startswith("sqlite"):
        db.session.remove()
        assert not _on_disk(database_url, address), "the address is still in the SQLite files"


def test_unconfirmed_submissions_are_purged_after_the_configured_days(app, client, letter_id, mailbox):
    assert app.config["UNCONFIRMED_SIGNATURE_DAYS"] == 7
    sign(client, letter_id, {"name": "Old", "email": "old@city.example"})
    sign(client, letter_id, {"name": "Recent", "email": "recent@city.example"})
    deliver(app)
    old_link = confirmation_token(mailbox, "old@city.example")
    old = db.session.scalar(select(SignatureSubmission).where(SignatureSubmission.name == "Old"))
    old.created_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()

    deliver(app)  # every round of the mail sender purges

    assert db.session.scalars(select(SignatureSubmission.name)).all() == ["Recent"]
    assert confirm(client, old_link).status_code == 404


def test_the_purge_age_is_configurable(monkeypatch, tmp_path):
    from app.config import load_config

    monkeypatch.setenv("UNCONFIRMED_SIGNATURE_DAYS", "3")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["UNCONFIRMED_SIGNATURE_DAYS"] == 3
    monkeypatch.setenv("UNCONFIRMED_SIGNATURE_DAYS", "0")
    with pytest.raises(ValueError):
        load_config({"INSTANCE_PATH": str(tmp_path)})


def test_rate_limit_state_holds_no_ip_address(app, client, letter_id):
    sign(client, letter_id, VICTIM)
    keys = " ".join(str(key) for key in limiter.storage.storage)  # the memory storage's counters
    assert keys and "127.0.0.1" not in keys


def test_a_failing_round_task_does_not_stop_the_mail(app, client, letter_id, mailbox):
    from app.mail.delivery import add_round_task

    def broken() -> None:
        raise RuntimeError("a feature's round task failed")

    add_round_task(app, broken)
    sign(client, letter_id, VICTIM)

    assert deliver(app) == 1  # the other tasks ran (the link was prepared) and the mail went out
    assert len(mailbox.to("v@x.org")) == 1
