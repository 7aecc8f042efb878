"""Comments on a translation, as on the original: on a passage of a saved version, in threads with
replies, resolved and reopened, on the translation's page (without JavaScript) and through the API;
anchors follow their text to later versions and are outdated once it is gone; the original's
threads never show them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.letters import translations
from app.review import comments, translation_comments
from app.review.models import Comment
from app.shared.errors import InvalidInput, NotFound, Unauthorized
from tests.conftest import csrf_token_from
from tests.review_helpers import new_letter

API = "/api/v1"
ES_TEXT = "Estimado alcalde:\n\nPedimos a la ciudad que afirme su condición de santuario. 😀\n"


@pytest.fixture
def letter_id(drafter) -> int:
    letter_id = new_letter(drafter)
    translations.save_translation(drafter, letter_id, "es", "Santuario", ES_TEXT, 0)
    return letter_id


def page_url(letter_id: int) -> str:
    return f"/drafts/{letter_id}/review/translations/es"


def save(drafter, letter_id: int, base: int, text: str) -> None:
    translations.save_translation(drafter, letter_id, "es", "Santuario", text, base)


def test_a_comment_follows_its_passage_through_later_versions_and_is_outdated_when_it_goes(
    reviewer, drafter, letter_id
):
    made = translation_comments.add_translation_comment(reviewer, letter_id, "es", "¿«condición»?", quote="condición")
    assert (made.revision, made.quote, made.translation_id is not None) == (1, "condición", True)

    save(drafter, letter_id, 1, "¡Hola! 👋 " + ES_TEXT)  # text and an emoji typed before it
    [thread] = translation_comments.list_translation_threads(reviewer, letter_id, "es")
    assert (thread.anchor.text, thread.comment.tracked_revision, thread.edited) == ("condición", 2, False)
    assert thread.anchor.before.endswith("afirme su ") and thread.anchor.after.startswith(" de santuario")

    save(drafter, letter_id, 2, ES_TEXT.replace("condición", "estatus"))
    [thread] = translation_comments.list_translation_threads(reviewer, letter_id, "es")
    assert thread.anchor.outdated and thread.comment.quote == "condición"


def test_the_originals_threads_and_the_translations_are_kept_apart(reviewer, drafter, letter_id):
    translation_comments.add_translation_comment(reviewer, letter_id, "es", "En español", quote="santuario")
    comments.add_comment(reviewer, letter_id, "In English", quote="sanctuary")
    reply = comments.reply(drafter, db.session.scalar(select(Comment.id).where(Comment.body == "En español")), "Sí")

    [original] = comments.list_threads(reviewer, letter_id)
    [spanish] = translation_comments.list_translation_threads(reviewer, letter_id, "es")
    assert original.comment.body == "In English" and original.replies == []
    assert spanish.comment.body == "En español" and [r.body for r in spanish.replies] == ["Sí"]
    assert reply.translation_id == spanish.comment.translation_id


def test_bad_comments_are_refused_and_store_nothing(reviewer, drafter, letter_id):
    with pytest.raises(InvalidInput):
        translation_comments.add_translation_comment(reviewer, letter_id, "es", "x", quote="not in the text")
    with pytest.raises(InvalidInput):
        translation_comments.add_translation_comment(reviewer, letter_id, "es", "   ", quote="condición")
    with pytest.raises(NotFound):
        translation_comments.add_translation_comment(reviewer, letter_id, "es", "x", revision=7, quote="condición")
    with pytest.raises(NotFound):
        translation_comments.add_translation_comment(reviewer, letter_id, "fr", "x", quote="condición")
    with pytest.raises(Unauthorized):
        translation_comments.add_translation_comment(None, letter_id, "es", "x", quote="condición")
    other = new_letter(drafter)
    with pytest.raises(NotFound):  # no translation yet
        translation_comments.add_translation_comment(reviewer, other, "es", "x", quote="Mayor")
    assert db.session.scalar(select(Comment)) is None


def test_reviewers_comment_reply_and_resolve_on_the_translation_page(client, sign_in, reviewer, drafter, letter_id):
    sign_in(reviewer)
    page = client.get(page_url(letter_id)).get_data(as_text=True)
    assert 'id="translation-comment-form"' in page
    token = csrf_token_from(page)

    made = client.post(
        f"{page_url(letter_id)}/comments",
        data={
            "csrf_token": token,
            "c-revision": "1",
            "c-quote": "condición de santuario",
            "c-body": "¿Mejor «estatus»?",
        },
    )

    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    comment = db.session.scalar(select(Comment))
    assert made.headers["Location"].endswith(f"#comment-{comment.id}")
    shown = client.get(page_url(letter_id)).get_data(as_text=True)
    assert "¿Mejor «estatus»?" in shown and "<mark>condición de santuario</mark>" in shown
    assert "on version 1" in shown
    client.post(
        f"{page_url(letter_id)}/comments/{comment.id}/reply",
        data={"csrf_token": token, f"reply-{comment.id}-body": "Lo cambio."},
    )
    client.post(f"{page_url(letter_id)}/comments/{comment.id}/resolve", data={"csrf_token": token, "resolved": "1"})
    db.session.expire_all()
    assert [c.body for c in db.session.scalars(select(Comment).order_by(Comment.id))] == [
        "¿Mejor «estatus»?",
        "Lo cambio.",
    ]
    assert db.session.get(Comment, comment.id).resolved_at is not None
    # The original's overview does not list it.
    assert "¿Mejor «estatus»?" not in client.get(f"/drafts/{letter_id}/review").get_data(as_text=True)


def test_a_comment_on_a_passage_not_in_the_translation_is_refused_on_the_page(client, sign_in, reviewer, letter_id):
    sign_in(reviewer)
    token = csrf_token_from(client.get(page_url(letter_id)).get_data(as_text=True))

    refused = client.post(
        f"{page_url(letter_id)}/comments",
        data={"csrf_token": token, "c-revision": "1", "c-quote": "sanctuary status", "c-body": "?"},
    )

    assert refused.status_code == 400
    assert 'id="translation-comment-form"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(Comment)) is None


def test_a_comment_on_another_letter_or_the_original_is_not_reached_through_the_translation_page(
    client, sign_in, reviewer, letter_id
):
    original = comments.add_comment(reviewer, letter_id, "In English", quote="sanctuary")
    sign_in(reviewer)
    token = csrf_token_from(client.get(page_url(letter_id)).get_data(as_text=True))
    answer = client.post(
        f"{page_url(letter_id)}/comments/{original.id}/resolve", data={"csrf_token": token, "resolved": "1"}
    )
    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get(Comment, original.id).resolved_at is None


def test_the_spanish_page_names_the_version(client, sign_in, reviewer, letter_id):
    translation_comments.add_translation_comment(reviewer, letter_id, "es", "Bien", quote="santuario")
    sign_in(reviewer)
    page = client.get(page_url(letter_id), headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "sobre la versión 1" in page and "Comentar un pasaje de la versión 1" in page


def test_the_api_lists_and_makes_translation_comments(client, bearer, reviewer, drafter, letter_id):
    url = f"{API}/letters/{letter_id}/translations/es/comments"
    start = ES_TEXT.index("santuario")
    made = client.post(url, headers=bearer(reviewer), json={"body": "¿Así?", "start": start, "end": start + 9})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["quote"] == "santuario" and made.get_json()["revision"] == 1
    reply = client.post(f"{API}/comments/{made.get_json()['id']}/replies", headers=bearer(drafter), json={"body": "Sí"})
    assert reply.status_code == 201

    [thread] = client.get(url, headers=bearer(reviewer)).get_json()
    assert thread["body"] == "¿Así?" and [r["body"] for r in thread["replies"]] == ["Sí"]
    assert thread["anchor"]["text"] == "santuario" and thread["anchor"]["revision"] == 1
    assert client.get(f"{API}/letters/{letter_id}/comments", headers=bearer(reviewer)).get_json() == []
    assert client.get(url).status_code == 401
    assert client.post(url, headers=bearer(reviewer), json={"body": "x", "start": 0, "end": 999}).status_code == 400
    assert (
        client.get(f"{API}/letters/{letter_id}/translations/fr/comments", headers=bearer(reviewer)).status_code == 404
    )
