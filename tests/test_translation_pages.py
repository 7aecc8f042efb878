"""The translation pages (without JavaScript): a drafter saves versions through a plain form (a
stale save changes nothing and shows what changed), a reviewer approves the newest version, and
the clerk's lock page refuses to lock over an unapproved translation unless told to leave it out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.letters import translations
from app.letters.models import Letter
from app.letters.translation_models import LetterTranslation
from app.review import approvals, locking, translation_review
from tests.review_helpers import TEXT, new_letter

ES_TEXT = "Estimado alcalde:\n\nPedimos a la ciudad que afirme su condición de santuario.\n"


@pytest.fixture
def letter_id(drafter) -> int:
    return new_letter(drafter)


def page_url(letter_id: int, language: str = "es") -> str:
    return f"/drafts/{letter_id}/review/translations/{language}"


def translation_row() -> LetterTranslation | None:
    db.session.expire_all()
    return db.session.scalar(select(LetterTranslation))


def test_a_drafter_starts_a_translation_from_the_original_and_saves_it(
    client, sign_in, submit_form, drafter, letter_id
):
    sign_in(drafter)
    page = client.get(page_url(letter_id)).get_data(as_text=True)
    assert "Not translated yet." in page
    assert 'name="base_revision" type="hidden" value="0"' in page
    assert "sanctuary status" in page  # the form starts from the original

    response = submit_form(page_url(letter_id), {"base_revision": "0", "title": "Santuario", "text": ES_TEXT})

    assert response.status_code == 302, response.get_data(as_text=True)
    row = translation_row()
    assert (row.language, row.revision, row.title, row.text) == ("es", 1, "Santuario", ES_TEXT)
    page = client.get(page_url(letter_id)).get_data(as_text=True)
    assert "Not approved" in page and 'id="translation-versions"' in page


def test_a_stale_save_changes_nothing_and_shows_the_differences(
    client, sign_in, submit_form, drafter, drafter2, letter_id
):
    translations.save_translation(drafter2, letter_id, "es", "Santuario", ES_TEXT, 0)
    translations.save_translation(drafter2, letter_id, "es", "Santuario", ES_TEXT.replace("Pedimos", "Rogamos"), 1)
    sign_in(drafter)

    response = submit_form(page_url(letter_id), {"base_revision": "1", "title": "Santuario", "text": "Mi versión\n"})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="translation-stale"' in html and "Nothing was saved" in html
    assert 'name="base_revision" type="hidden" value="2"' in html
    assert "Mi versión" in html  # the drafter's text is kept in the form
    assert translation_row().revision == 2 and "Rogamos" in translation_row().text


def test_a_reviewer_sees_the_changes_and_approves_the_newest_version(
    client, sign_in, submit_form, drafter, reviewer, letter_id
):
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT, 0)
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT.replace("Pedimos", "Rogamos"), 1)
    sign_in(reviewer)
    page = client.get(page_url(letter_id)).get_data(as_text=True)
    assert 'id="translation-changes"' in page and "Rogamos" in page
    assert 'name="text"' not in page  # reviewers do not edit

    response = submit_form(page_url(letter_id), {"revision": "2"}, post_url=f"{page_url(letter_id)}/approve")

    assert response.status_code == 302
    assert translation_row().approved_revision == 2
    assert "Approved by" in client.get(page_url(letter_id)).get_data(as_text=True)


def test_an_unknown_language_is_404(client, sign_in, drafter, letter_id):
    sign_in(drafter)
    assert client.get(page_url(letter_id, "fr")).status_code == 404
    assert client.get(page_url(letter_id, "xx<script>")).status_code == 404


def lock_page(letter_id: int) -> str:
    return f"/drafts/{letter_id}/lock"


def approve_original(reviewer, letter_id):
    approvals.approve(reviewer, letter_id, 0)


def test_the_lock_page_blocks_on_an_unapproved_translation(
    client, sign_in, submit_form, clerk, drafter, reviewer, letter_id
):
    approve_original(reviewer, letter_id)
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT, 0)
    sign_in(clerk)
    page = client.get(lock_page(letter_id)).get_data(as_text=True)
    assert 'id="lock-translations"' in page and "not approved" in page

    response = submit_form(lock_page(letter_id), {"revision": "0"})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="translations-error"' in html and "Nothing was locked" in html
    db.session.expire_all()
    assert not db.session.get(Letter, letter_id).is_locked


def test_the_lock_page_locks_without_an_unapproved_translation_when_told(
    client, sign_in, submit_form, clerk, drafter, reviewer, letter_id
):
    approve_original(reviewer, letter_id)
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT, 0)
    sign_in(clerk)

    response = submit_form(
        lock_page(letter_id), {"revision": "0", "leave_out_translations": "y"}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "Left out, not approved: es." in response.get_data(as_text=True)
    assert translation_row().status == "left_out"


def test_the_lock_page_locks_an_approved_translation_with_its_hash(
    client, sign_in, submit_form, clerk, drafter, reviewer, letter_id
):
    approve_original(reviewer, letter_id)
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT, 0)
    translation_review.approve_translation(reviewer, letter_id, "es", 1)
    sign_in(clerk)
    assert locking.content_hash(ES_TEXT) in client.get(lock_page(letter_id)).get_data(as_text=True)

    response = submit_form(lock_page(letter_id), {"revision": "0"})

    assert response.status_code == 302
    row = translation_row()
    assert (row.status, row.content_hash) == ("locked", locking.content_hash(ES_TEXT))
    assert locking.content_hash(TEXT) == db.session.get(Letter, letter_id).content_hash
    assert re.search(r"Locked with the letter", client.get(page_url(letter_id)).get_data(as_text=True))


def test_the_drafting_room_links_to_the_translation(client, sign_in, drafter, letter_id):
    sign_in(drafter)
    room = client.get(f"/drafts/{letter_id}").get_data(as_text=True)
    assert f'href="{page_url(letter_id)}"' in room and "Translation: Spanish" in room
