"""Helpers shared by the review tests: make a letter and edits through the real services/API."""

from __future__ import annotations

import pytest

from app.accounts.models import Official
from app.drafting import edits as drafting
from app.extensions import db
from app.letters import creation, revision_texts
from app.letters.loading import Need, load_letter
from app.review import authorship, history
from app.sync import make_patch

TEXT = "Dear Mayor,\n\nWe ask the city to affirm its sanctuary status.\n\nSigned, the alders.\n"


def new_letter(official: Official, text: str = TEXT, title: str = "Sanctuary") -> int:
    return creation.create_letter(official, title, text).id


def edit_to(official: Official, letter_id: int, new_text: str, edit_id: str | None = None) -> int:
    """Store an edit (made on the newest revision) that turns the newest text into `new_text`."""
    letter = load_letter(letter_id, need=Need.EXISTS)
    db.session.refresh(letter)
    base, old = letter.revision, letter.text
    stored = drafting.submit_edit(
        official, letter_id, edit_id or f"e-{base}-{len(new_text)}-{hash(new_text)}", base, make_patch(old, new_text)
    )
    return stored.revision


def replace_in(official: Official, letter_id: int, old: str, new: str) -> int:
    letter = load_letter(letter_id, need=Need.EXISTS)
    db.session.refresh(letter)
    assert old in letter.text, (old, letter.text)
    return edit_to(official, letter_id, letter.text.replace(old, new, 1))


def api_patch(old: str, new: str) -> str:
    return make_patch(old, new)


@pytest.fixture(autouse=True)
def fresh_caches():
    """In-process caches of immutable history, emptied around each test (ids repeat across tests)."""
    clear_all_caches()
    yield
    clear_all_caches()


def clear_all_caches() -> None:
    authorship.clear_caches()
    history.diff_cache.clear()
    revision_texts.cache.clear()
