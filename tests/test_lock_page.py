"""The clerk's lock confirmation page: approvals, the diff since the approved revision, and the lock
of exactly the revision the page showed (nothing is locked if the letter moved on); a text no reviewer
approved is locked only with a written reason."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.drafting import edits as drafting
from app.extensions import db
from app.letters import creation
from app.letters.models import Letter
from app.review.approvals import approve
from app.review.models import LockRecord
from app.sync import make_patch
from tests.conftest import csrf_token_from

TEXT = "We ask the city.\n"


def shown_revision(html: str) -> str:
    match = re.search(r'name="revision" type="hidden" value="(\d+)"', html)
    assert match, "no revision in the lock form"
    return match.group(1)


def letter_row(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


def lock_entry() -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))


def test_lock_page_shows_approval_and_changes_since_then(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    drafting.submit_edit(drafter, letter.id, "e1", 0, make_patch(TEXT, "We firmly ask the city.\n"))
    sign_in(clerk)
    page = client.get(f"/drafts/{letter.id}/lock")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Revision 0 is approved by Reviewer Rae" in html
    assert "differs from the approved revision 0" in html and "firmly" in html
    assert "No reviewer has approved the text of revision 1." in html
    done = client.post(
        f"/drafts/{letter.id}/lock",
        data={"csrf_token": csrf_token_from(html), "revision": shown_revision(html), "reason": "Approved by phone."},
    )
    assert done.status_code == 302
    locked = letter_row(letter.id)
    assert locked.is_locked and locked.revision == 1
    entry = lock_entry()
    assert entry.details["approvals"][0]["revision"] == 0
    assert entry.details["approvals"][0]["reviewer_id"] == reviewer.id
    assert entry.details["reason"] == "Approved by phone."


def test_the_page_locks_only_the_revision_it_showed(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    sign_in(clerk)
    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)
    assert "Lock revision 0 for good" in html and shown_revision(html) == "0"
    # An alder types a sentence after the clerk opened the page.
    drafting.submit_edit(drafter, letter.id, "e1", 0, make_patch(TEXT, TEXT + "Unseen sentence.\n"))

    stale = client.post(f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html), "revision": "0"})

    assert stale.status_code == 409
    assert not letter_row(letter.id).is_locked and lock_entry() is None
    page = stale.get_data(as_text=True)
    assert "Nothing was locked: the letter has changed" in page
    assert "You saw revision 0; the newest is revision 1." in page
    changes = page[page.index('id="changes-since-seen"') :]
    inserted = re.findall(r'<ins class="diff-ins">(.*?)</ins>', changes[: changes.index("</div>")], re.S)
    assert any("Unseen sentence." in run for run in inserted)
    # The page now shows, and offers to lock, the newest revision (unapproved: with a reason).
    assert shown_revision(page) == "1" and "Lock revision 1 for good" in page
    done = client.post(
        f"/drafts/{letter.id}/lock",
        data={"csrf_token": csrf_token_from(page), "revision": "1", "reason": "Read the new sentence; urgent."},
    )
    assert done.status_code == 302
    locked = letter_row(letter.id)
    assert locked.is_locked and locked.revision == 1 and "Unseen sentence." in locked.text


def test_an_unapproved_text_needs_a_written_reason(client, clerk, drafter, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    sign_in(clerk)
    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)
    assert 'name="reason"' in html

    for reason in ("", "   "):
        refused = client.post(
            f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html), "revision": "0", "reason": reason}
        )
        assert refused.status_code == 400
        assert "give the reason for locking it anyway" in refused.get_data(as_text=True)
        assert not letter_row(letter.id).is_locked and lock_entry() is None

    done = client.post(
        f"/drafts/{letter.id}/lock",
        data={"csrf_token": csrf_token_from(html), "revision": "0", "reason": "The board votes tonight."},
    )
    assert done.status_code == 302
    record = db.session.get(LockRecord, letter.id)
    assert record.approved_revision is None and record.reason == "The board votes tonight."
    assert lock_entry().details["reason"] == "The board votes tonight."
    public = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'id="unapproved-notice"' in public and "locked without a reviewer" in public


def test_an_approved_text_is_locked_without_a_reason(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    sign_in(clerk)
    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)
    assert 'name="reason"' not in html and "The newest text is the approved text." in html

    done = client.post(f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html), "revision": "0"})

    assert done.status_code == 302
    assert db.session.get(LockRecord, letter.id).approved_revision == 0
    assert 'id="unapproved-notice"' not in client.get(f"/letters/{letter.id}").get_data(as_text=True)


def test_a_form_without_the_revision_locks_nothing(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    sign_in(clerk)
    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)

    refused = client.post(f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html)})

    assert refused.status_code == 400
    assert "reload it and check the text" in refused.get_data(as_text=True)
    assert not letter_row(letter.id).is_locked


def test_a_revision_the_letter_does_not_have_locks_nothing(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    sign_in(clerk)
    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)
    for revision, status in (("7", 404), ("x", 400), ("-1", 400)):
        refused = client.post(
            f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html), "revision": revision}
        )
        assert refused.status_code == status
        assert not letter_row(letter.id).is_locked


def test_only_the_clerk_sees_the_lock_page(client, drafter, sign_in):
    letter = creation.create_letter(drafter, "Letter", "x")
    sign_in(drafter)
    assert client.get(f"/drafts/{letter.id}/lock").status_code == 403


def test_an_earlier_approval_of_the_same_text_counts_and_the_page_says_so(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", TEXT)
    approve(reviewer, letter.id, 0)
    drafting.submit_edit(drafter, letter.id, "e1", 0, make_patch(TEXT, "We firmly ask the city.\n"))
    approve(reviewer, letter.id, 1)
    drafting.submit_edit(drafter, letter.id, "e2", 1, make_patch("We firmly ask the city.\n", TEXT))  # back to 0's
    sign_in(clerk)

    html = client.get(f"/drafts/{letter.id}/lock").get_data(as_text=True)

    assert "The newest text is exactly the text of revision 0, which a reviewer approved." in html
    assert 'name="reason"' not in html
    done = client.post(f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html), "revision": "2"})
    assert done.status_code == 302
    assert db.session.get(LockRecord, letter.id).approved_revision == 0
