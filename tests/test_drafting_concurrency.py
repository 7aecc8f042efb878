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
