"""Review requests email every reviewer, so they are limited (issue 11, item 12): a few an hour per
official and per letter. Beyond that, the API answers 429 `rate_limited` with Retry-After and the
page says so; nothing is stored and nobody is emailed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.mail.models import OutgoingMail
from app.review import approvals
from app.review.models import ReviewRequest
from app.shared.db_types import utcnow
from tests.conftest import csrf_token_from
from tests.review_helpers import new_letter

API = "/api/v1"


@pytest.fixture
def checkpoint(drafter, reviewer) -> tuple[int, int]:
    """A letter with a named revision: (letter id, checkpoint id). One reviewer exists."""
    letter_id = new_letter(drafter)
    return letter_id, approvals.name_checkpoint(drafter, letter_id, 0, "First draft").id


def ask(client, headers: dict, letter_id: int, checkpoint_id: int):
    return client.post(
        f"{API}/letters/{letter_id}/review-requests", json={"checkpoint_id": checkpoint_id}, headers=headers
    )


def sent() -> tuple[int, int]:
    """(review requests stored, mails queued)."""
    return db.session.query(ReviewRequest).count(), db.session.query(OutgoingMail).count()


def test_a_letter_gets_at_most_three_requests_an_hour(app, client, bearer, drafter, drafter2, checkpoint):
    letter_id, checkpoint_id = checkpoint
    assert app.config["REVIEW_REQUESTS_PER_HOUR_PER_LETTER"] == 3
    answers = [ask(client, bearer(who), letter_id, checkpoint_id) for who in (drafter, drafter2, drafter)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sent() == (3, 3)
    refused = ask(client, bearer(drafter2), letter_id, checkpoint_id)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited" and "this letter" in refused.json["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # The numbers agree with their nouns: "3 times", and "60 minutes" (never "1 minutes").
    assert re.search(
        r"this letter 3 times in the last hour.*Try again in (1 minute|\d+ minutes)\.$",
        refused.json["error"]["message"],
    )
    assert sent() == (3, 3)


def test_an_official_sends_at_most_six_an_hour_across_letters(app, client, bearer, drafter, drafter2):
    assert app.config["REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL"] == 6
    letters = [new_letter(drafter) for _ in range(3)]
    checkpoints = {n: approvals.name_checkpoint(drafter, n, 0, "Draft").id for n in letters}
    headers = bearer(drafter)
    for n in letters:
        for _ in range(2):
            assert ask(client, headers, n, checkpoints[n]).status_code == 201
    other = new_letter(drafter)
    other_checkpoint = approvals.name_checkpoint(drafter, other, 0, "Draft").id
    refused = ask(client, headers, other, other_checkpoint)
    assert refused.status_code == 429 and "You have asked" in refused.json["error"]["message"]
    assert ask(client, bearer(drafter2), other, other_checkpoint).status_code == 201


def test_requests_older_than_an_hour_no_longer_count(client, bearer, drafter, checkpoint):
    letter_id, checkpoint_id = checkpoint
    headers = bearer(drafter)
    for _ in range(3):
        assert ask(client, headers, letter_id, checkpoint_id).status_code == 201
    assert ask(client, headers, letter_id, checkpoint_id).status_code == 429
    for request in db.session.query(ReviewRequest):
        request.created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    assert ask(client, headers, letter_id, checkpoint_id).status_code == 201


def test_a_limit_of_zero_is_no_limit(app, client, bearer, drafter, checkpoint):
    app.config.update(REVIEW_REQUESTS_PER_HOUR_PER_LETTER=0, REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL=0)
    letter_id, checkpoint_id = checkpoint
    assert all(ask(client, bearer(drafter), letter_id, checkpoint_id).status_code == 201 for _ in range(8))


def test_the_page_says_so_and_sends_nothing(client, sign_in, drafter, checkpoint):
    letter_id, checkpoint_id = checkpoint
    sign_in(drafter)
    page = f"/drafts/{letter_id}/review"
    for _ in range(4):
        token = csrf_token_from(client.get(page).get_data(as_text=True))
        answer = client.post(f"{page}/review-requests", data={"checkpoint_id": str(checkpoint_id), "csrf_token": token})
        assert answer.status_code == 302
    assert sent() == (3, 3)
    html = client.get(page).get_data(as_text=True)
    assert "the most allowed" in html and "Try again in" in html
