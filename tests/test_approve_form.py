"""The approve form on the review overview shows the diff from the last approved revision (or the
letter as created) to exactly the revision it approves, and posts that revision; if the letter moves
on meanwhile, the approval is of the revision shown and the page says a newer one exists."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.review import approvals
from app.review.models import Approval
from tests.conftest import csrf_token_from
from tests.review_helpers import fresh_caches, new_letter, replace_in  # noqa: F401


@pytest.fixture
def letter_id(drafter) -> int:
    """Checkpoints at revisions 0 and 1, then revision 2 after the last checkpoint."""
    letter_id = new_letter(drafter)
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    approvals.name_checkpoint(drafter, letter_id, 0, "First draft")
    approvals.name_checkpoint(drafter, letter_id, 1, "Sent to the mayor")
    replace_in(drafter, letter_id, "Signed,", "Sent after the checkpoint. Signed,")
    return letter_id


def overview(letter_id: int, query: str = "") -> str:
    return f"/drafts/{letter_id}/review{query}"


def approve_form(html: str) -> str:
    start = html.index('id="approve-form"')
    return html[start : html.index('id="changes-heading"')]


def inserted(section: str) -> str:
    return " ".join(re.findall(r'<ins class="diff-ins">(.*?)</ins>', section, re.S))


def posted_revision(section: str) -> str:
    match = re.search(r'name="revision" value="(\d+)"', section)
    assert match, "the approve form posts no revision"
    return match.group(1)


def test_the_form_shows_the_changes_up_to_exactly_the_revision_it_approves(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    html = client.get(overview(letter_id)).get_data(as_text=True)

    # The default diff still ends at the last checkpoint; the approve form's diff ends at what it approves.
    form = approve_form(html)
    assert posted_revision(form) == "2" and "Approve revision 2" in form
    assert "from the letter as created (revision 0) to revision 2" in form
    assert "reaffirm" in inserted(form) and "Sent after the checkpoint." in inserted(form)


def test_after_an_approval_the_form_shows_the_changes_since_it(client, sign_in, reviewer, letter_id):
    approvals.approve(reviewer, letter_id, 1)
    sign_in(reviewer)

    form = approve_form(client.get(overview(letter_id)).get_data(as_text=True))

    assert "from revision 1, the last one approved, to revision 2" in form
    assert "Sent after the checkpoint." in inserted(form) and "reaffirm" not in inserted(form)
    assert posted_revision(form) == "2"


def test_the_approval_is_of_the_revision_shown_even_if_the_letter_moved_on(
    client, sign_in, reviewer, drafter, letter_id
):
    sign_in(reviewer)
    html = client.get(overview(letter_id)).get_data(as_text=True)
    form = approve_form(html)
    replace_in(drafter, letter_id, "Dear Mayor", "Dear Mayor and alders")  # revision 3, unseen

    done = client.post(
        f"/drafts/{letter_id}/review/approvals",
        data={"csrf_token": csrf_token_from(html), "revision": posted_revision(form)},
        follow_redirects=True,
    )

    assert [a.revision for a in db.session.query(Approval)] == [2]
    page = done.get_data(as_text=True)
    assert "You approved revision 2." in page and "A newer revision exists: revision 3." in page
    # The form now offers revision 3, showing only what changed since the approval of 2.
    form = approve_form(page)
    assert posted_revision(form) == "3" and "from revision 2, the last one approved, to revision 3" in form
    assert "alders" in inserted(form) and "Sent after the checkpoint." not in inserted(form)


def test_a_checkpoint_is_approved_through_the_form_showing_its_changes(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    html = client.get(overview(letter_id)).get_data(as_text=True)
    assert f'href="/drafts/{letter_id}/review?approve=1#approve-form"' in html.replace("&amp;", "&")

    form = approve_form(client.get(overview(letter_id, "?approve=1")).get_data(as_text=True))

    assert posted_revision(form) == "1" and "Approve revision 1" in form
    assert "A newer revision exists: revision 2. This form approves revision 1 only." in form
    assert "reaffirm" in inserted(form) and "Sent after the checkpoint." not in inserted(form)


def test_an_approved_revision_shows_no_second_button(client, sign_in, reviewer, letter_id):
    approvals.approve(reviewer, letter_id, 2)
    sign_in(reviewer)

    form = approve_form(client.get(overview(letter_id)).get_data(as_text=True))

    assert "You have already approved revision 2." in form and 'name="revision"' not in form


@pytest.mark.parametrize("query", ["?approve=9", "?approve=x"])
def test_a_bad_revision_to_approve_is_refused(client, sign_in, reviewer, letter_id, query):
    sign_in(reviewer)
    assert client.get(overview(letter_id, query)).status_code in (400, 404)


def test_other_roles_see_no_approve_form(client, sign_in, drafter, letter_id):
    sign_in(drafter)
    assert 'id="approve-form"' not in client.get(overview(letter_id)).get_data(as_text=True)
