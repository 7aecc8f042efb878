"""Edits to one letter from many threads at once: dense, ordered revisions; nothing lost or doubled."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.accounts.models import Official
from app.drafting import edits as drafting
from app.extensions import db
from app.letters import creation
from app.letters.models import Letter, Revision
from app.letters.revision_texts import cache, text_at
from app.sync import apply_patch_exact, make_patch

THREADS = 6
EDITS_EACH = 5


def test_concurrent_edits_are_serialised_into_dense_revisions(app, drafter, drafter2):
    letter = creation.create_letter(drafter, "Busy letter", "Start.\n")
    letter_id, authors = letter.id, [drafter.id, drafter2.id]
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def type_markers(worker: int) -> None:
        try:
            with app.app_context():
                official = db.session.get(Official, authors[worker % 2])
                barrier.wait()
                for i in range(EDITS_EACH):
                    current = db.session.get(Letter, letter_id)
                    db.session.refresh(current)
                    base, text = current.revision, current.text
                    db.session.rollback()
                    marker = f"[w{worker}e{i}]"
                    drafting.submit_edit(official, letter_id, f"w{worker}-{i}", base, make_patch(text, text + marker))
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=type_markers, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    final = db.session.get(Letter, letter_id)
    db.session.refresh(final)
    numbers = list(
        db.session.scalars(select(Revision.number).where(Revision.letter_id == letter_id).order_by(Revision.number))
    )
    assert numbers == list(range(THREADS * EDITS_EACH + 1))
    for worker in range(THREADS):
        for i in range(EDITS_EACH):
            assert final.text.count(f"[w{worker}e{i}]") == 1
    # The stored patches replay exactly to the final text, and any revision can be rebuilt.
    text = "Start.\n"
    for patch in db.session.scalars(
        select(Revision.patch).where(Revision.letter_id == letter_id, Revision.number > 0).order_by(Revision.number)
    ):
        text = apply_patch_exact(text, patch)
    assert text == final.text
    cache.clear()
    assert text_at(final, final.revision) == final.text


def test_revisions_another_process_stored_are_caught_up_from_their_patches(app, drafter, drafter2, monkeypatch):
    from app.letters import revision_batches

    letter = creation.create_letter(drafter, "Two servers", "Start.\n")
    letter_id = letter.id
    first = drafting.submit_edit(drafter, letter_id, "here-1", 0, make_patch("Start.\n", "Start.\nHere one.\n"))
    # Another server process stores revision 2 (this process keeps the text of revision 1).
    before, after = "Start.\nHere one.\n", "Start.\nThere two.\nHere one.\n"
    row = db.session.get(Letter, letter_id)
    db.session.add(
        Revision(
            letter_id=letter_id,
            number=2,
            author_id=drafter2.id,
            base_revision=1,
            edit_id="there-2",
            patch=make_patch(before, after),
        )
    )
    row.text, row.revision = after, 2
    db.session.commit()

    def no_reload(head):
        raise AssertionError("the kept text was reloaded instead of caught up")

    monkeypatch.setattr(revision_batches, "_load_live", no_reload)
    # An edit made from revision 1 (before the other process's) is merged past it.
    third = drafting.submit_edit(drafter, letter_id, "here-3", first.revision, make_patch(before, before + "Three.\n"))

    assert third.revision == 3
    final = db.session.get(Letter, letter_id)
    db.session.refresh(final)
    assert final.text == "Start.\nThere two.\nHere one.\nThree.\n"
    assert text_at(final, 3) == final.text


def test_a_busy_letters_edits_gather_into_one_batch_per_commit_interval(app, drafter):
    from app.letters.events import text_changed

    app.config["DRAFT_COMMIT_INTERVAL_MS"] = 1000
    letter = creation.create_letter(drafter, "Busy", "Start.\n")
    letter_id, drafter_id = letter.id, drafter.id
    batches: list[list[str]] = []

    def record(batch, **_):
        batches.append([r.edit_id for r in batch.revisions])

    text_changed.connect(record)
    try:
        first = drafting.submit_edit(drafter, letter_id, "first", 0, make_patch("Start.\n", "Start.\nOne.\n"))
        base = "Start.\nOne.\n"
        errors: list[BaseException] = []
        barrier = threading.Barrier(4, timeout=30)

        def one(n: int) -> None:
            try:
                with app.app_context():
                    official = db.session.get(Official, drafter_id)
                    barrier.wait()
                    drafting.submit_edit(
                        official, letter_id, f"e{n}", first.revision, make_patch(base, base + f"[{n}]")
                    )
                    db.session.remove()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        text_changed.disconnect(record)
    assert not errors, errors
    # The first edit found the letter quiet and was stored alone; the four that came within the
    # interval were stored together, in one transaction.
    assert batches[0] == ["first"]
    assert sorted(batches[1]) == ["e0", "e1", "e2", "e3"] and len(batches) == 2
