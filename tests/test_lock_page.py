"""The clerk's lock confirmation page: approvals, the diff since the approved revision, the lock."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.drafting import edits as drafting
from app.extensions import db
from app.letters import creation
from app.letters.models import Letter
from app.review.approvals import approve
from app.sync import make_patch
from tests.conftest import csrf_token_from


def test_lock_page_shows_approval_and_changes_since_then(client, clerk, drafter, reviewer, sign_in):
    letter = creation.create_letter(drafter, "Letter", "We ask the city.\n")
    approve(reviewer, letter.id, 0)
    drafting.submit_edit(drafter, letter.id, "e1", 0, make_patch("We ask the city.\n", "We firmly ask the city.\n"))
    sign_in(clerk)
    page = client.get(f"/drafts/{letter.id}/lock")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Revision 0 is approved by Reviewer Rae" in html
    assert "differs from the approved revision 0" in html and "firmly" in html
    done = client.post(f"/drafts/{letter.id}/lock", data={"csrf_token": csrf_token_from(html)})
    assert done.status_code == 302
    locked = db.session.get(Letter, letter.id)
    db.session.refresh(locked)
    assert locked.is_locked and locked.revision == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letter.locked"))
    assert entry.details["approvals"][0]["revision"] == 0
    assert entry.details["approvals"][0]["reviewer_id"] == reviewer.id


def test_only_the_clerk_sees_the_lock_page(client, drafter, sign_in):
    letter = creation.create_letter(drafter, "Letter", "x")
    sign_in(drafter)
    assert client.get(f"/drafts/{letter.id}/lock").status_code == 403
