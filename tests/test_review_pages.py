"""The review pages (officials only, server-rendered, usable without JavaScript) and their forms."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.letters.models import Letter
from app.review.models import Approval, Checkpoint, Comment, ReviewRequest, Suggestion
from tests.conftest import csrf_token_from
from tests.review_helpers import TEXT, fresh_caches, new_letter, replace_in  # noqa: F401

PAGES = ["", "/history", "/history?revision=0", "/diff", "/diff?from=0&to=1&view=side", "/authorship", "/propose"]


@pytest.fixture
def letter_id(drafter, drafter2) -> int:
    letter_id = new_letter(drafter)
    replace_in(drafter2, letter_id, "affirm", "reaffirm")
    return letter_id


def base(letter_id: int) -> str:
    return f"/drafts/{letter_id}/review"


def text_of(letter_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Letter, letter_id).text


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_an_official(client, letter_id, path):
    response = client.get(base(letter_id) + path)
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["reviewer", "drafter", "clerk"])
def test_every_page_renders_for_every_role(client, sign_in, make_official, letter_id, path, role):
    sign_in(make_official(role))
    response = client.get(base(letter_id) + path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    assert "<script>" not in html  # no inline script (CSP)
    assert "dist/review.js" in html or path.startswith("/diff")


def test_unknown_letter_and_revision(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    assert client.get("/drafts/999/review").status_code == 404
    assert client.get(base(letter_id) + "/history?revision=9").status_code == 404
    assert client.get(base(letter_id) + "/authorship?revision=9").status_code == 404
    assert client.get(base(letter_id) + "/diff?from=0&to=9").status_code == 400
    assert client.get(base(letter_id) + "/diff?from=x&to=1").status_code == 400
    assert client.get(base(letter_id) + "/revisions/9.json").status_code == 404


def test_diff_page_marks_insertions_and_deletions_without_colour(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    html = client.get(base(letter_id) + "/diff?from=0&to=1").get_data(as_text=True)
    assert re.search(r"<del class=\"diff-del\">.*\[-.*affirm.*-\].*</del>", html)
    assert re.search(r"<ins class=\"diff-ins\">.*\{\+.*reaffirm.*\+\}.*</ins>", html)
    assert "deleted:" in html and "inserted:" in html
    side = client.get(base(letter_id) + "/diff?from=0&to=1&view=side").get_data(as_text=True)
    assert '<table class="side-by-side"' in side and "reaffirm" in side


def test_text_is_escaped_everywhere(client, sign_in, drafter, reviewer, letter_id):
    replace_in(drafter, letter_id, "Dear Mayor", "Dear <script>alert(1)</script> Mayor")
    sign_in(reviewer)
    for path in ("/diff?from=0&to=2", "/authorship", "/history", "/propose", "/diff?from=0&to=2&view=side"):
        html = client.get(base(letter_id) + path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;" in html, path


def test_history_groups_sessions_and_shows_a_timeslider(client, sign_in, drafter, reviewer, letter_id):
    for word in ("one", "two", "three"):
        replace_in(drafter, letter_id, "alders", f"alders {word}")
    sign_in(reviewer)
    html = client.get(base(letter_id) + "/history?revision=2").get_data(as_text=True)
    assert 'type="range"' in html and 'max="4"' in html and 'value="2"' in html
    assert "revisions 2–4" in html  # three edits by Ada in a row: one session
    assert "Alder Bo" in html
    data = client.get(base(letter_id) + "/revisions/1.json").get_json()
    assert data["revision"] == 1 and data["text"] == TEXT.replace("affirm", "reaffirm")
    assert data["author"]["name"] == "Alder Bo"


def test_authorship_page_names_each_author(client, sign_in, drafter2, reviewer, letter_id):
    replace_in(drafter2, letter_id, "sanctuary status", "sanctuary status today")  # a whole word by Bo
    sign_in(reviewer)
    html = client.get(base(letter_id) + "/authorship").get_data(as_text=True)
    assert "Alder Ada" in html and "Alder Bo" in html
    assert 'class="blame-run author-' in html and 'title="Alder Bo · revision 2' in html


def test_authorship_page_credits_whole_words(client, sign_in, drafter, drafter2, reviewer, letter_id):
    """A word goes to the author of most of its characters: Bo's "re" in Ada's "affirm" leaves
    "reaffirm" Ada's; "7:4" by Ada then "5 am" by Bo make "7:45" Ada's and "am" Bo's."""
    replace_in(drafter, letter_id, "status.", "status at 7:4")
    replace_in(drafter2, letter_id, "at 7:4", "at 7:45 am")
    sign_in(reviewer)
    html = client.get(base(letter_id) + "/authorship").get_data(as_text=True)
    runs = re.findall(r'<span class="blame-run[^"]*"[^>]*title="([^"·]+) ·[^"]*">([^<]*)</span>', html)
    by_word = {word: name.strip() for name, text in runs for word in text.split()}
    assert by_word["reaffirm"] == "Alder Ada"
    assert by_word["7:45"] == "Alder Ada" and by_word["am"] == "Alder Bo"
    assert not any(text.startswith(("affirm", "45", "5")) for _name, text in runs)  # no word cut in two


def post_form(client, page: str, url: str, data: dict):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_reviewer_suggests_by_selection_and_a_drafter_accepts(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    text = text_of(letter_id)
    start = text.index("sanctuary")
    page = base(letter_id) + "/propose"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    response = client.post(
        page,
        data={
            "csrf_token": token,
            "s-csrf_token": token,
            "s-base_revision": "1",
            "s-start": str(start),
            "s-end": str(start + len("sanctuary")),
            "s-quote": "sanctuary",
            "s-replacement": "welcoming",
            "s-note": "Warmer word",
            "s-submit": "Suggest this change",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    suggestion = db.session.query(Suggestion).one()
    overview = client.get(base(letter_id)).get_data(as_text=True)
    assert "Warmer word" in overview and f'id="suggestion-{suggestion.id}"' in overview
    assert "/accept" not in overview  # a reviewer cannot accept

    client.post("/auth/sign-out", data={"csrf_token": csrf_token_from(overview)})
    sign_in(drafter)
    accepted = post_form(client, base(letter_id), base(letter_id) + f"/suggestions/{suggestion.id}/accept", {})
    assert accepted.status_code == 302
    assert text_of(letter_id) == text.replace("sanctuary", "welcoming")
    db.session.expire_all()
    assert db.session.get(Suggestion, suggestion.id).status == "accepted"
    html = client.get(base(letter_id) + "/authorship").get_data(as_text=True)
    assert re.search(r'title="Reviewer Rae · revision 2[^"]*">welcoming</span>', html)


def test_suggestion_by_quote_without_javascript(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    page = base(letter_id) + "/propose"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    form = {"csrf_token": token, "s-base_revision": "1", "s-start": "", "s-end": "", "s-submit": "1"}
    missing = client.post(page, data={**form, "s-quote": "no such words", "s-replacement": "x"})
    assert missing.status_code == 400 and "does not occur" in missing.get_data(as_text=True)
    twice = client.post(page, data={**form, "s-quote": "the", "s-replacement": "x"})
    assert twice.status_code == 400 and "more than once" in twice.get_data(as_text=True)
    assert db.session.query(Suggestion).count() == 0
    ok = client.post(page, data={**form, "s-quote": "Signed, the alders.", "s-replacement": "Signed, your alders."})
    assert ok.status_code == 302
    assert db.session.query(Suggestion).count() == 1


def test_comment_reply_resolve_through_pages(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    page = base(letter_id) + "/propose"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    made = client.post(
        page,
        data={
            "csrf_token": token,
            "c-revision": "1",
            "c-start": "",
            "c-end": "",
            "c-quote": "sanctuary status",
            "c-body": "Should we say more?",
            "c-submit": "Add comment",
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    comment = db.session.query(Comment).one()
    overview = client.get(base(letter_id)).get_data(as_text=True)
    assert "Should we say more?" in overview and "<mark>sanctuary status</mark>" in overview
    token = csrf_token_from(overview)
    client.post(
        base(letter_id) + f"/comments/{comment.id}/reply",
        data={"csrf_token": token, f"reply-{comment.id}-body": "Yes, a sentence on schools."},
    )
    client.post(base(letter_id) + f"/comments/{comment.id}/resolve", data={"csrf_token": token, "resolved": "1"})
    db.session.expire_all()
    assert db.session.query(Comment).count() == 2
    assert db.session.get(Comment, comment.id).resolved_at is not None

    replace_in(drafter, letter_id, "sanctuary status", "sanctuary city status")
    assert "Edited since" in client.get(base(letter_id)).get_data(as_text=True)
    replace_in(drafter, letter_id, " the city to reaffirm its sanctuary city status", "")
    assert "Outdated" in client.get(base(letter_id)).get_data(as_text=True)


def test_checkpoint_request_approve_and_restore_through_pages(
    client, sign_in, reviewer, drafter, clerk, letter_id, mailbox
):
    sign_in(drafter)
    overview = base(letter_id)
    post_form(client, overview, base(letter_id) + "/checkpoints", {"revision": "0", "name": "First draft"})
    post_form(client, overview, base(letter_id) + "/checkpoints", {"revision": "1", "name": "Sent to the mayor"})
    assert [c.name for c in db.session.query(Checkpoint).order_by(Checkpoint.revision)] == [
        "First draft",
        "Sent to the mayor",
    ]
    html = client.get(overview).get_data(as_text=True)
    assert "Changes between the last two checkpoints" in html and "reaffirm" in html
    checkpoint = db.session.query(Checkpoint).filter_by(revision=1).one()
    done = post_form(
        client, overview, base(letter_id) + "/review-requests", {"checkpoint_id": str(checkpoint.id), "message": "Hi"}
    )
    assert done.status_code == 302
    follow = client.get(overview).get_data(as_text=True)
    recipients = db.session.query(ReviewRequest).one().recipients
    assert recipients == 1  # the one reviewer: "1 reviewer", never "1 reviewers"
    assert "Review requested: 1 reviewer was emailed." in follow and "1 reviewer emailed" in follow
    assert "1 reviewers" not in follow

    restored = post_form(
        client,
        base(letter_id) + "/history?revision=0",
        base(letter_id) + "/restore",
        {"revision": "0", "edit_id": "restore-page-test"},
    )
    assert restored.status_code == 302
    assert text_of(letter_id) == TEXT
    client.post("/auth/sign-out", data={"csrf_token": csrf_token_from(follow)})

    sign_in(reviewer)
    post_form(client, overview, base(letter_id) + "/approvals", {"revision": "1"})
    assert db.session.query(Approval).one().revision == 1
    html = client.get(overview).get_data(as_text=True)
    assert "Revision 1 is approved" in html and "differs from the approved text" in html
    assert f'href="/drafts/{letter_id}/review/diff?from=1&amp;to=2"' in html
    draft = client.get(f"/drafts/{letter_id}").get_data(as_text=True)
    assert "Revision 1 is approved" in draft and "differs from the approved text" in draft


def test_drafter_cannot_approve_and_reviewer_cannot_accept_or_restore(client, sign_in, reviewer, drafter, letter_id):
    sign_in(drafter)
    overview = base(letter_id)
    response = post_form(client, overview, base(letter_id) + "/approvals", {"revision": "1"})
    assert response.status_code == 403
    assert db.session.query(Approval).count() == 0
    client.post("/auth/sign-out", data={"csrf_token": csrf_token_from(client.get(overview).get_data(as_text=True))})
    sign_in(reviewer)
    assert post_form(client, overview, base(letter_id) + "/restore", {"revision": "0"}).status_code == 403
    assert text_of(letter_id) != TEXT


def test_dashboard_and_drafting_page_link_to_review(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    assert f'href="/drafts/{letter_id}/review"' in client.get("/dashboard").get_data(as_text=True)
    draft = client.get(f"/drafts/{letter_id}").get_data(as_text=True)
    for path in ("/review", "/review/history", "/review/diff", "/review/authorship", "/review/propose"):
        assert f'href="/drafts/{letter_id}{path}"' in draft


# -- live review ------------------------------------------------------------------------------


def test_the_live_snapshot_answers_304_until_the_letter_changes(client, sign_in, drafter, reviewer, letter_id):
    sign_in(reviewer)
    url = base(letter_id) + "/live.json"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    data = first.get_json()
    assert data["revision"] == 1 and data["announcement"] == ""
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304

    replace_in(drafter, letter_id, "alders", "alders of the city")
    replace_in(drafter, letter_id, "Dear", "Dear Mayor and")
    changed = client.get(f"{url}?since={data['snapshot']}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert changed.get_json()["revision"] == 3
    assert changed.get_json()["announcement"] == "2 new revisions by Alder Ada."


def test_the_live_snapshot_changes_with_comments_and_decisions(client, sign_in, drafter, reviewer, letter_id):
    from app.review import comments

    sign_in(reviewer)
    url = base(letter_id) + "/live.json"
    before = client.get(url).get_json()
    thread = comments.add_comment(reviewer, letter_id, "Dear whom?", revision=1, start=0, end=4)
    after = client.get(f"{url}?since={before['snapshot']}").get_json()
    assert after["etag"] != before["etag"] and after["announcement"] == "1 new comment."
    comments.set_resolved(drafter, thread.id, True)
    resolved = client.get(url).get_json()
    assert resolved["etag"] != after["etag"]


@pytest.mark.parametrize("since", ["", "x", "1.2.3", "1.2.3.4.5.6.-7", "9" * 200])
def test_a_malformed_since_is_ignored(client, sign_in, reviewer, letter_id, since):
    sign_in(reviewer)
    response = client.get(base(letter_id) + "/live.json", query_string={"since": since})
    assert response.status_code == 200 and response.get_json()["announcement"] == ""


def test_the_live_snapshot_is_for_officials_of_an_existing_letter(client, sign_in, reviewer, letter_id):
    assert client.get(base(letter_id) + "/live.json").status_code == 302  # signed out: to the sign-in
    sign_in(reviewer)
    assert client.get("/drafts/999/review/live.json").status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_review_pages_have_unique_ids_and_a_live_region(client, sign_in, drafter, reviewer, letter_id, path):
    from app.review import approvals, comments

    approvals.name_checkpoint(drafter, letter_id, 1, "First")
    comments.add_comment(reviewer, letter_id, "Dear whom?", revision=1, start=0, end=4)
    sign_in(drafter)
    html = client.get(base(letter_id) + path).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'role="status" aria-live="polite"' in html and 'data-live-url="' in html


def test_dates_and_ranges_use_one_format_per_language(app):
    from datetime import UTC, datetime, timedelta

    from flask_babel import force_locale

    from app.web.dates import when, when_range

    start = datetime(2026, 11, 28, 8, 11, 5, tzinfo=UTC)
    end = start + timedelta(minutes=7)
    with app.test_request_context("/"):
        for language, pattern in (
            ("en", r"Nov 28, 2026, \d+:\d\d:\d\d\s[AP]M"),
            ("es", r"28 nov 2026, \d+:\d\d:\d\d"),
        ):
            with force_locale(language):
                assert re.fullmatch(pattern, when(start)), when(start)
                first, last = when_range(start, end).split(" – ")
                assert re.fullmatch(pattern, first) and re.fullmatch(pattern, last), when_range(start, end)
                assert when_range(start, start) == when(start)


def test_the_announcement_names_a_few_authors_then_others_and_says_a_lock(
    app, client, sign_in, make_official, clerk, reviewer, letter_id
):
    from flask_babel import force_locale

    from app.review import live, locking

    sign_in(reviewer)
    since = live.live_state(reviewer, letter_id).snapshot
    for name in ("Dee", "Eve", "Fay", "Gus"):
        replace_in(make_official("drafter", name=f"Alder {name}"), letter_id, "alders", f"alders {name}")
    with app.test_request_context("/"):
        said = live.announcement(live.live_state(reviewer, letter_id), since)
    assert said == "4 new revisions by Alder Dee, Alder Eve, Alder Fay, and others."
    locking.lock_letter(clerk, letter_id)
    with app.test_request_context("/"):
        said = live.announcement(live.live_state(reviewer, letter_id), since)
    assert said.endswith(" The letter is locked.")
    with app.test_request_context("/"), force_locale("es"):
        said = live.announcement(live.live_state(reviewer, letter_id), since)
    assert said == "4 revisiones nuevas de Alder Dee, Alder Eve, Alder Fay y otras personas. La carta está bloqueada."
