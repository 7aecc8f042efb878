"""The letter in the residents' languages, in a real browser: an alder writes the Spanish translation
on its page, the mayor's office approves it, the clerk's lock page refuses to lock over an unapproved
translation and locks the approved one with its hash; a Spanish reader sees the translation on a
360 px phone without JavaScript, with the original named authoritative; axe-core on the new pages
in English and Spanish."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.browser.conftest import ALDER, CLERK, REVIEWER, LiveServer
from tests.browser.test_signing import LANGUAGES, PHONE, api_post, context_options, lang_of, spanish

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TEXT = "# To the Parks Board\n\nKeep the Riverside pool open until nine.\n"
ES_TITLE = "Piscina de Riverside"
ES_TEXT = "# A la Junta de Parques\n\nMantengan abierta la piscina de Riverside hasta las nueve.\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def api_put(live_server: LiveServer, path: str, payload: dict, *, email: str):
    return requests.put(
        f"{live_server.url}/api/v1{path}",
        json=payload,
        headers={"Accept": "application/json", "Authorization": f"Bearer {live_server.token(email)}"},
        timeout=10,
    )


def new_draft(live_server: LiveServer, title: str = "Riverside pool") -> int:
    created = api_post(live_server, "/letters", {"title": title, "text": TEXT}, email=ALDER)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def translate(live_server: LiveServer, letter_id: int, *, approve: bool) -> None:
    saved = api_put(
        live_server,
        f"/letters/{letter_id}/translations/es",
        {"title": ES_TITLE, "text": ES_TEXT, "base_revision": 0},
        email=ALDER,
    )
    assert saved.status_code == 200, saved.text
    if approve:
        approved = api_post(
            live_server, f"/letters/{letter_id}/translations/es/approvals", {"revision": 1}, email=REVIEWER
        )
        assert approved.status_code == 201, approved.text


@pytest.fixture(scope="module")
def locked_letter(live_server: LiveServer) -> int:
    letter_id = new_draft(live_server, "Riverside pool (locked)")
    translate(live_server, letter_id, approve=True)
    assert api_post(live_server, f"/letters/{letter_id}/lock", email=CLERK).status_code == 200
    return letter_id


def test_translate_approve_and_lock_through_the_pages(signed_in_page, live_server):
    letter_id = new_draft(live_server)
    alder = signed_in_page(ALDER)
    alder.goto(f"/drafts/{letter_id}/review/translations/es")
    alder.locator("input[name=title]").fill(ES_TITLE)
    alder.locator("textarea[name=text]").fill(ES_TEXT)
    alder.locator("input[name=save]").click()
    alder.wait_for_selector("#translation-versions")

    clerk = signed_in_page(CLERK)
    clerk.goto(f"/drafts/{letter_id}/lock")
    clerk.locator("textarea[name=reason]").fill("Urgent: the board meets tonight.")
    clerk.locator("main form button[type=submit]").click()
    clerk.wait_for_selector("#translations-error")  # refused: the translation is not approved
    assert live_server.letter(letter_id)["status"] == "drafting"

    reviewer = signed_in_page(REVIEWER)
    reviewer.goto(f"/drafts/{letter_id}/review/translations/es")
    reviewer.locator("input[name=approve]").click()
    reviewer.wait_for_selector("#translation-state:has-text('Approved by')")

    clerk.goto(f"/drafts/{letter_id}/lock")
    assert sha256(ES_TEXT) in clerk.content()
    clerk.locator("textarea[name=reason]").fill("Urgent: the board meets tonight.")
    with clerk.expect_navigation():
        clerk.locator("main form button[type=submit]").click()
    letter = live_server.letter(letter_id)
    assert letter["status"] == "locked"
    assert [(t["language"], t["content_hash"]) for t in letter["translations"]] == [("es", sha256(ES_TEXT))]


def test_a_spanish_reader_on_a_phone_without_javascript_reads_the_translation(context_factory, locked_letter):
    page = context_factory(**context_options("es", viewport=PHONE, java_script_enabled=False)).new_page()
    assert page.goto(f"/letters/{locked_letter}").status == 200
    assert lang_of(page) == "es"
    assert page.locator("h1#letter-title").inner_text() == ES_TITLE
    assert page.locator("#translation-hash").inner_text() == sha256(ES_TEXT)
    assert page.locator("#original-hash").inner_text() == sha256(TEXT)
    assert spanish("Read the original") in page.locator("#translation-notice").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#translation-notice a").click()
    assert "Keep the Riverside pool open" in page.locator(".letter-body").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_page_with_a_translation_has_no_axe_violations(context_factory, axe_check, locked_letter, lang):
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()
    assert page.goto(f"/letters/{locked_letter}").status == 200
    assert lang_of(page) == lang
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", [ALDER, REVIEWER, CLERK], ids=["alder", "reviewer", "clerk-lock"])
def test_the_translation_and_lock_pages_have_no_axe_violations(signed_in_page, axe_check, live_server, who, lang):
    letter_id = new_draft(live_server, f"Riverside pool ({who}, {lang})")
    translate(live_server, letter_id, approve=False)
    api_put(
        live_server,
        f"/letters/{letter_id}/translations/es",
        {"title": ES_TITLE, "text": ES_TEXT.replace("nueve", "diez"), "base_revision": 1},
        email=ALDER,
    )
    page = signed_in_page(who, **context_options(lang, bypass_csp=True))
    path = f"/drafts/{letter_id}/lock" if who == CLERK else f"/drafts/{letter_id}/review/translations/es"
    assert page.goto(path).status == 200
    assert lang_of(page) == lang
    axe_check(page)


# ------------------------------------------------- after the lock: comments, publishing, share links


def locked_without_spanish(live_server: LiveServer, title: str, *, approve_after: bool) -> int:
    """A letter locked while its Spanish translation was not approved; approved afterwards if asked."""
    letter_id = new_draft(live_server, title)
    translate(live_server, letter_id, approve=False)
    locked = api_post(live_server, f"/letters/{letter_id}/lock", email=CLERK)
    assert locked.json()["translations_left_out"] == ["es"], locked.text
    if approve_after:
        approved = api_post(
            live_server, f"/letters/{letter_id}/translations/es/approvals", {"revision": 1}, email=REVIEWER
        )
        assert approved.status_code == 201, approved.text
    return letter_id


def comment_on_translation(live_server: LiveServer, letter_id: int) -> None:
    start = ES_TEXT.index("piscina")
    made = api_post(
        live_server,
        f"/letters/{letter_id}/translations/es/comments",
        {"body": "¿«alberca»?", "start": start, "end": start + len("piscina")},
        email=REVIEWER,
    )
    assert made.status_code == 201, made.text


def test_comment_on_a_translation_reply_and_resolve_without_javascript(signed_in_page, live_server):
    letter_id = new_draft(live_server, "Riverside pool (comments)")
    translate(live_server, letter_id, approve=False)
    reviewer = signed_in_page(REVIEWER, java_script_enabled=False)
    reviewer.goto(f"/drafts/{letter_id}/review/translations/es")
    form = reviewer.locator("#translation-comment-form")
    form.locator("textarea[name='c-quote']").fill("hasta las nueve")
    form.locator("textarea[name='c-body']").fill("¿No eran las diez?")
    form.locator("input[name='c-submit']").click()
    thread = reviewer.locator("#translation-comments li.thread")
    assert thread.locator("mark").inner_text() == "hasta las nueve"
    assert "¿No eran las diez?" in thread.inner_text()

    alder = signed_in_page(ALDER, java_script_enabled=False)
    alder.goto(f"/drafts/{letter_id}/review/translations/es")
    alder.locator("#translation-comments .reply-form textarea").fill("Sí: las nueve.")
    alder.locator("#translation-comments .reply-form button").click()
    assert "Sí: las nueve." in alder.locator("#translation-comments li.thread").inner_text()
    alder.locator("#translation-comments .inline-form button").click()
    assert alder.locator("#translation-comments details summary").inner_text().endswith("(1)")
    # The original's overview does not list it.
    alder.goto(f"/drafts/{letter_id}/review")
    assert "¿No eran las diez?" not in alder.content()


def test_the_clerk_publishes_a_translation_left_out_of_the_lock_and_readers_share_it(
    signed_in_page, context_factory, live_server
):
    letter_id = locked_without_spanish(live_server, "Riverside pool (published later)", approve_after=True)
    clerk = signed_in_page(CLERK)
    clerk.goto(f"/drafts/{letter_id}/review/translations/es")
    with clerk.expect_navigation():
        clerk.locator("#translation-publish input[name=publish]").click()
    assert sha256(ES_TEXT) in clerk.locator("#translation-state").inner_text()
    letter = live_server.letter(letter_id)
    assert [(t["language"], t["content_hash"]) for t in letter["translations"]] == [("es", sha256(ES_TEXT))]

    page = context_factory(**context_options("es", viewport=PHONE, java_script_enabled=False)).new_page()
    assert page.goto(f"/letters/{letter_id}").status == 200
    assert page.locator("h1#letter-title").inner_text() == ES_TITLE
    assert page.locator("#translation-published-later").is_visible()
    share = page.locator("section[aria-labelledby=share-heading]")
    shared = share.locator("p a").get_attribute("href")
    assert shared.endswith(f"/letters/{letter_id}?lang=es")
    # Whoever opens the shared link reads the Spanish translation, whatever their browser's language.
    english = context_factory(**context_options("en", java_script_enabled=False)).new_page()
    english.goto(shared.removeprefix(live_server.url))
    assert english.locator("h1#letter-title").inner_text() == ES_TITLE


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_translation_page_after_the_lock_with_threads_has_no_axe_violations(
    signed_in_page, axe_check, live_server, lang
):
    letter_id = locked_without_spanish(live_server, f"Riverside pool (axe after lock, {lang})", approve_after=True)
    comment_on_translation(live_server, letter_id)
    page = signed_in_page(CLERK, **context_options(lang, bypass_csp=True))
    assert page.goto(f"/drafts/{letter_id}/review/translations/es").status == 200
    assert page.locator("#translation-publish").is_visible() and page.locator("li.thread").count() == 1
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_page_with_a_translation_published_later_has_no_axe_violations(
    context_factory, axe_check, live_server, lang
):
    letter_id = locked_without_spanish(live_server, f"Riverside pool (axe public, {lang})", approve_after=True)
    published = api_post(live_server, f"/letters/{letter_id}/translations/es/publish", {"revision": 1}, email=CLERK)
    assert published.status_code == 200, published.text
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()
    assert page.goto(f"/letters/{letter_id}?lang=es").status == 200
    assert page.locator("#translation-published-later").is_visible()
    axe_check(page)
