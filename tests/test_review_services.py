"""The review services directly: incremental blame, deciding suggestions under concurrency, approvals,
restore, anchors, review requests."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.accounts.models import Official
from app.drafting import edits as drafting
from app.extensions import db
from app.letters.models import Letter, Revision
from app.review import approvals as review
from app.review import authorship, comments, history, suggestion_decisions, suggestions
from app.review.models import Approval, BlameSnapshot, Comment, Suggestion
from app.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.sync import make_patch
from tests.review_helpers import TEXT, clear_all_caches, edit_to, fresh_caches, new_letter, replace_in  # noqa: F401


def letter(letter_id: int) -> Letter:
    db.session.expire_all()
    return db.session.get(Letter, letter_id)


# -- blame is incremental ---------------------------------------------------------------------


def test_blame_starts_from_the_nearest_stored_authorship_not_from_the_beginning(app, drafter, monkeypatch):
    app.config["BLAME_SNAPSHOT_EVERY"] = 5
    letter_id = new_letter(drafter)
    for n in range(1, 24):
        edit_to(drafter, letter_id, letter(letter_id).text + f" w{n}")

    runs = authorship.blame_runs(letter(letter_id), 23)
    assert "".join(r.text for r in runs) == letter(letter_id).text
    stored = list(
        db.session.scalars(
            select(BlameSnapshot.revision).where(BlameSnapshot.letter_id == letter_id).order_by(BlameSnapshot.revision)
        )
    )
    assert stored == [5, 10, 15, 20]

    replays: list[tuple[int, int]] = []
    real_replay = authorship.replay

    def spy(letter_obj, first, last):
        replays.append((first, last))
        return real_replay(letter_obj, first, last)

    monkeypatch.setattr(authorship, "replay", spy)
    clear_all_caches()  # a fresh process: nothing in memory
    authorship.blame_runs(letter(letter_id), 22)
    assert replays == [(20, 22)]  # from the stored authorship of revision 20
    replays.clear()
    edit_to(drafter, letter_id, letter(letter_id).text + " w24")
    authorship.blame_runs(letter(letter_id), 24)
    assert replays == [(22, 24)]  # from revision 22, still in memory
    replays.clear()
    authorship.blame_runs(letter(letter_id), 24)
    assert replays == []  # cached


def test_blame_credits_suggestions_restores_and_survives_deleted_authors(drafter, reviewer, make_official):
    helper = make_official("drafter", name="Temporary Alder")
    letter_id = new_letter(drafter)
    replace_in(helper, letter_id, "Dear Mayor", "Dear Mayor Lee")
    suggestion = suggestions.create_suggestion(
        reviewer, letter_id, 1, make_patch(letter(letter_id).text, letter(letter_id).text + "P.S. Thanks.\n")
    )
    suggestion_decisions.accept_suggestion(drafter, suggestion.id)
    db.session.delete(db.session.get(Official, helper.id))
    db.session.commit()
    clear_all_caches()
    runs = authorship.blame_runs(letter(letter_id), 2)
    assert "".join(r.text for r in runs) == letter(letter_id).text
    assert [r.author for r in runs if "Lee" in r.text] == [{"id": None, "name": "—"}]
    assert [r.author["id"] for r in runs if "Thanks" in r.text] == [reviewer.id]


# -- suggestions ------------------------------------------------------------------------------


def test_accept_and_reject_at_once_one_wins(app, drafter, drafter2, reviewer):
    letter_id = new_letter(drafter)
    suggestion = suggestions.create_suggestion(reviewer, letter_id, 0, make_patch(TEXT, TEXT + "P.S.\n"))
    sid = suggestion.id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(official_id: int, action: str) -> None:
        with app.app_context():
            official = db.session.get(Official, official_id)
            barrier.wait()
            try:
                if action == "accept":
                    suggestion_decisions.accept_suggestion(official, sid)
                else:
                    suggestion_decisions.reject_suggestion(official, sid)
                outcomes.append(action)
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=(drafter.id, "accept")),
        threading.Thread(target=act, args=(drafter2.id, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) in (["accept", "conflict"], ["conflict", "reject"])
    final = db.session.get(Suggestion, sid)
    db.session.refresh(final)
    revisions = db.session.query(Revision).filter_by(letter_id=letter_id).count()
    if "accept" in outcomes:
        assert final.status == "accepted" and revisions == 2 and letter(letter_id).text == TEXT + "P.S.\n"
    else:
        assert final.status == "rejected" and revisions == 1 and letter(letter_id).text == TEXT


def test_two_drafters_accepting_at_once_store_it_once(app, drafter, drafter2, reviewer):
    letter_id = new_letter(drafter)
    sid = suggestions.create_suggestion(reviewer, letter_id, 0, make_patch(TEXT, TEXT + "P.S.\n")).id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def accept(official_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                suggestion_decisions.accept_suggestion(db.session.get(Official, official_id), sid)
                outcomes.append("accepted")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(who,)) for who in (drafter.id, drafter2.id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert "accepted" in outcomes
    assert letter(letter_id).text == TEXT + "P.S.\n"
    assert db.session.query(Revision).filter_by(letter_id=letter_id).count() == 2


@pytest.mark.parametrize(
    ("later_old", "later_new", "conflicts"),
    [
        ("Dear Mayor", "Dear Mayor Lee", False),  # elsewhere
        ("sanctuary", "refuge", True),  # the replaced word itself
        ("affirm its", "affirm its own", True),  # inside the replaced range
        ("Signed", "Signed with care", False),
    ],
)
def test_a_suggestion_conflicts_only_when_its_text_was_edited(drafter, reviewer, later_old, later_new, conflicts):
    letter_id = new_letter(drafter)
    proposed = TEXT.replace("affirm its sanctuary", "confirm its sanctuary")
    sid = suggestions.create_suggestion(reviewer, letter_id, 0, make_patch(TEXT, proposed), "note").id
    # "affirm its sanctuary" -> "confirm its sanctuary" replaces "aff" (or so) at the start of the range;
    # make the suggested range cover the phrase to test "inside".
    sid2 = suggestions.suggest_replacement(
        reviewer, letter_id, 0, quote="affirm its sanctuary", replacement="uphold its refuge"
    ).id
    replace_in(drafter, letter_id, later_old, later_new)
    if conflicts:
        with pytest.raises(Conflict):
            suggestion_decisions.accept_suggestion(drafter, sid2)
        db.session.expire_all()
        assert db.session.get(Suggestion, sid2).status == "open"
        assert "Revision 1" in db.session.get(Suggestion, sid2).problem
    else:
        assert suggestion_decisions.accept_suggestion(drafter, sid2).status == "accepted"
        assert "uphold its refuge" in letter(letter_id).text
        assert later_new in letter(letter_id).text
    assert sid


def test_an_insertion_conflicts_when_the_text_around_it_is_deleted(drafter, reviewer):
    letter_id = new_letter(drafter)
    at = TEXT.index("status")
    sid = suggestions.suggest_replacement(reviewer, letter_id, 0, start=at, end=at, replacement="legal ").id
    replace_in(drafter, letter_id, "its sanctuary status", "its position")
    with pytest.raises(Conflict):
        suggestion_decisions.accept_suggestion(drafter, sid)


def test_refresh_when_the_change_is_already_there(drafter, reviewer):
    letter_id = new_letter(drafter)
    sid = suggestions.suggest_replacement(reviewer, letter_id, 0, quote="affirm", replacement="reaffirm").id
    replace_in(drafter, letter_id, "sanctuary", "refuge")
    with pytest.raises(InvalidInput):
        suggestions.suggest_replacement(reviewer, letter_id, 1, quote="reaffirm", replacement="reaffirm")
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    with pytest.raises((InvalidInput, Conflict)):
        suggestion_decisions.refresh_suggestion(reviewer, sid)


def test_suggestion_errors(drafter, reviewer, clerk):
    letter_id = new_letter(drafter)
    with pytest.raises(Unauthorized):
        suggestions.create_suggestion(None, letter_id, 0, make_patch(TEXT, TEXT + "x"))
    with pytest.raises(Forbidden):
        suggestions.create_suggestion(clerk, letter_id, 0, make_patch(TEXT, TEXT + "x"))
    with pytest.raises(NotFound):
        suggestion_decisions.accept_suggestion(drafter, 12345)
    with pytest.raises(InvalidInput):
        suggestions.suggest_replacement(reviewer, letter_id, 0, start=0, end=len(TEXT) + 5, replacement="x")
    with pytest.raises(InvalidInput):
        suggestions.suggest_replacement(reviewer, letter_id, 0, quote="e", replacement="x")  # ambiguous
    assert db.session.query(Suggestion).count() == 0


# -- approvals and restore --------------------------------------------------------------------


def test_approval_status_compares_texts(drafter, reviewer, make_official):
    other = make_official("reviewer", name="Second Reviewer")
    letter_id = new_letter(drafter)
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    review.approve(reviewer, letter_id, 1)
    review.approve(other, letter_id, 1)
    status = review.approval_status(letter(letter_id))
    assert status.approved_revision == 1 and not status.newest_differs
    assert {a.reviewer.name for a in status.approvers} == {"Reviewer Rae", "Second Reviewer"}
    replace_in(drafter, letter_id, "Signed", "Signed today")
    assert review.approval_status(letter(letter_id)).newest_differs
    review.restore_revision(drafter, letter_id, 1)
    status = review.approval_status(letter(letter_id))
    assert status.newest_revision == 3 and not status.newest_differs  # the same text as the approved one
    assert "Revision 1, approved by" in str(review.approvals_for(letter(letter_id))[0])
    with pytest.raises(Forbidden):
        review.approve(drafter, letter_id, 1)
    assert db.session.query(Approval).count() == 2


def test_restore_is_broadcast(app, bearer, drafter):
    from tests.support.sockets import socket_client

    letter_id = new_letter(drafter)
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    listener = socket_client(app, namespace="/draft", auth={"token": bearer(drafter)["Authorization"][7:]})
    assert listener.emit("join", {"letter_id": letter_id}, namespace="/draft", callback=True)["ok"]
    listener.get_received("/draft")
    stored = review.restore_revision(drafter, letter_id, 0)
    events = [e["args"][0] for e in listener.get_received("/draft") if e["name"] == "revision"]
    assert [e["revision"] for e in events] == [stored.revision] == [2]
    assert events[0]["edit_id"].startswith("restore-")
    listener.disconnect(namespace="/draft")


def test_restore_on_a_locked_letter_is_refused(drafter, clerk):
    from app.review import locking
    from app.shared.errors import LetterLocked

    letter_id = new_letter(drafter)
    replace_in(drafter, letter_id, "affirm", "reaffirm")
    locking.lock_letter(clerk, letter_id)
    with pytest.raises(LetterLocked):
        review.restore_revision(drafter, letter_id, 0)


# -- comments ---------------------------------------------------------------------------------


def test_anchor_tracking_is_kept_and_never_replayed_twice(drafter, reviewer, monkeypatch):
    letter_id = new_letter(drafter)
    at = TEXT.index("sanctuary")
    comment = comments.add_comment(reviewer, letter_id, "Word?", revision=0, start=at, end=at + 9)
    for n in range(3):
        replace_in(drafter, letter_id, "Dear", f"Dear {n}")
    (thread,) = comments.threads_for(letter(letter_id))
    assert thread.anchor.text == "sanctuary" and not thread.anchor.outdated
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).tracked_revision == 3

    calls = []
    monkeypatch.setattr(comments, "replay", lambda *args: calls.append(args) or iter(()))
    comments.threads_for(letter(letter_id))
    assert calls == []  # already at the newest revision


def test_review_request_without_reviewers(drafter):
    letter_id = new_letter(drafter)
    checkpoint = review.name_checkpoint(drafter, letter_id, 0, "First")
    assert review.request_review(drafter, letter_id, checkpoint.id, "").recipients == 0
    with pytest.raises(InvalidInput):
        review.request_review(drafter, letter_id, checkpoint.id, "x" * 2001)


def test_default_review_range(drafter):
    letter_id = new_letter(drafter)
    for word in ("one", "two", "three"):
        replace_in(drafter, letter_id, "alders", f"alders {word}")
    assert review.default_review_range(letter(letter_id)) == (0, 3)
    review.name_checkpoint(drafter, letter_id, 1, "A")
    assert review.default_review_range(letter(letter_id)) == (0, 1)
    review.name_checkpoint(drafter, letter_id, 2, "B")
    assert review.default_review_range(letter(letter_id)) == (1, 2)


def test_sessions_group_consecutive_edits_by_one_author(drafter, drafter2, reviewer):
    letter_id = new_letter(drafter)
    for official in (drafter, drafter, drafter2, drafter):
        replace_in(official, letter_id, "alders", "alders!")
    sid = suggestions.create_suggestion(reviewer, letter_id, 4, make_patch(letter(letter_id).text, "New.\n")).id
    suggestion_decisions.accept_suggestion(drafter, sid)
    replace_in(drafter, letter_id, "New", "Newer")
    sessions = history.group_sessions(history.revision_infos(letter(letter_id)))
    # Ada's edits are one session across Bo's edit and the accepted suggestion between them.
    assert [[r.number for r in s.revisions] for s in sessions] == [[0], [1, 2, 4, 6], [3], [5]]
    assert sessions[3].first.kind == "suggestion"
    assert sessions[1].alongside == ["Alder Bo", "Reviewer Rae"] and sessions[2].alongside == []


def test_drafting_submit_edit_still_credits_the_drafter(drafter):
    letter_id = new_letter(drafter)
    stored = drafting.submit_edit(drafter, letter_id, "x-1", 0, make_patch(TEXT, TEXT + "!"))
    assert stored.author == {"id": drafter.id, "name": "Alder Ada"}
