"""Comments in the margin of the drafting room, in Chromium: a reviewer comments on a selected passage
by keyboard, an alder sees it arrive live beside that passage (and hears it, politely), the passage
stays highlighted while a co-author edits before it, and replies and resolving travel live too; on a
phone the comments sit below the text. Every comment a test makes is resolved before it ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    DEMO_LETTER_ID,
    REVIEWER,
    LiveServer,
    settle,
    spanish_context_options,
)
from tests.browser.test_editor import demo_text, open_editor  # noqa: F401  (demo_text: the fixture that puts the text back)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DRAFT = f"/drafts/{DEMO_LETTER_ID}"
KEY_DELAY_MS = 15
PHRASE = "call the police"


def open_room(signed_in_page, email: str, **context_options):
    page = signed_in_page(email, **context_options)
    page.goto(DRAFT)
    page.wait_for_function("() => window.undersignedDraft && window.undersignedDraft.ready")
    page.locator("#comment-margin").wait_for()
    return page


def select(page, phrase: str) -> None:
    """Select the first occurrence of `phrase` in the editor, with the focus in the editor."""
    page.evaluate(
        """(phrase) => {
            const view = window.undersignedEditor.view;
            const at = view.state.doc.toString().indexOf(phrase);
            view.focus();
            view.dispatch({selection: {anchor: at, head: at + phrase.length}});
        }""",
        phrase,
    )


def highlighted(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('.cm-comment-anchor')].map((el) => el.textContent)")


@pytest.fixture
def no_open_comments(live_server: LiveServer) -> Iterator[None]:
    """Resolve, through the API, every thread a test leaves open."""
    yield
    for thread in live_server.api(f"/letters/{DEMO_LETTER_ID}/comments", ALDER):
        if not thread["resolved"]:
            response = live_server.post(f"/comments/{thread['id']}/resolve", ALDER, {"resolved": True})
            assert response.status_code == 200, response.text


@pytest.mark.usefixtures("demo_text", "no_open_comments")
def test_a_reviewers_comment_arrives_beside_its_passage_follows_edits_and_is_answered_live(live_server, signed_in_page):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    reviewer = open_room(signed_in_page, REVIEWER)
    assert alder.locator("#comment-empty").is_visible()

    # The reviewer selects a passage in the (read-only) text and comments on it with the keyboard.
    select(reviewer, PHRASE)
    reviewer.keyboard.press("Control+Alt+c")
    body = reviewer.locator("#comment-body")
    body.wait_for()
    assert reviewer.evaluate("() => document.activeElement.id") == "comment-body"
    assert reviewer.locator("#comment-quote").inner_text() == PHRASE
    body.type("Say who residents should call instead.", delay=KEY_DELAY_MS)
    reviewer.keyboard.press("Tab")
    reviewer.keyboard.press("Enter")  # "Add comment"
    reviewer.locator("#comment-form").wait_for(state="hidden")

    # The alder sees it live, beside the passage, which is highlighted; a screen reader hears who.
    card = alder.locator("#comment-threads li")
    card.wait_for()
    assert "Say who residents should call instead." in card.inner_text()
    assert f"“{PHRASE}”" in card.locator(".comment-goto").inner_text()
    assert highlighted(alder) == [PHRASE]
    reviewer_name = reviewer.evaluate("() => document.getElementById('drafting').dataset.userName")
    alder.wait_for_function(
        "(text) => document.getElementById('comment-announcer').textContent === text",
        arg=f"{reviewer_name} added a comment.",
    )
    assert reviewer.locator("#comment-announcer").inner_text() == "", "nobody is told what they did themselves"
    assert alder.locator("#comment-empty").is_hidden()
    passage = alder.locator(".cm-comment-anchor").bounding_box()
    beside = card.bounding_box()
    assert beside["x"] > passage["x"] + passage["width"] - 1, "the comment is in the margin, right of the text"
    assert abs(beside["y"] - passage["y"]) < 60, "at the height of its passage"

    # A co-author types before the passage: the highlight stays on the same words, and so does the card.
    other.locator("#draft-text").click()
    other.keyboard.press("Control+Home")
    other.keyboard.type("URGENT:\n\n", delay=KEY_DELAY_MS)
    settle(live_server, alder, other)
    assert highlighted(alder) == [PHRASE]
    moved = alder.locator(".cm-comment-anchor").bounding_box()
    assert moved["y"] > passage["y"]
    alder.wait_for_function(
        """() => {
            const mark = document.querySelector('.cm-comment-anchor').getBoundingClientRect();
            const card = document.querySelector('#comment-threads li').getBoundingClientRect();
            return Math.abs(card.top - mark.top) < 60;
        }"""
    )

    # The alder replies by keyboard from the card, and the reviewer sees the reply live.
    card.locator("textarea").focus()
    alder.keyboard.type("Done: the hotline number.", delay=KEY_DELAY_MS)
    alder.keyboard.press("Tab")
    alder.keyboard.press("Enter")  # "Reply"
    reviewer.wait_for_function(
        "() => document.querySelector('#comment-threads li')?.textContent.includes('Done: the hotline number.')"
    )
    alder_name = alder.evaluate("() => document.getElementById('drafting').dataset.userName")
    reviewer.wait_for_function(
        "(text) => document.getElementById('comment-announcer').textContent === text",
        arg=f"{alder_name} replied to a comment.",
    )

    # Resolving it takes it out of every margin and leaves the passage unmarked.
    card.get_by_role("button", name="Resolve").click()
    reviewer.locator("#comment-threads li").wait_for(state="detached")
    alder.locator("#comment-threads li").wait_for(state="detached")
    assert highlighted(reviewer) == [] and highlighted(alder) == []
    (thread,) = [t for t in live_server.api(f"/letters/{DEMO_LETTER_ID}/comments", ALDER) if t["quote"] == PHRASE]
    assert thread["resolved"] is True
    assert [r["body"] for r in thread["replies"]] == ["Done: the hotline number."]
    assert thread["anchor"]["text"] == PHRASE
    assert alder.errors == [] and other.errors == [] and reviewer.errors == []


@pytest.mark.usefixtures("no_open_comments")
def test_the_comment_button_follows_the_selection_in_the_tab_order_and_escape_comes_back(signed_in_page):
    alder = open_room(signed_in_page, ALDER)
    button = alder.locator("#comment-open")
    button.wait_for(state="hidden")  # beside the text, it is offered only for a selection
    select(alder, PHRASE)
    button.wait_for()
    alder.keyboard.press("Tab")
    assert alder.evaluate("() => document.activeElement.id") == "comment-open"
    assert button.get_attribute("aria-expanded") == "false"
    alder.keyboard.press("Enter")
    assert alder.evaluate("() => document.activeElement.id") == "comment-body"
    assert button.get_attribute("aria-expanded") == "true"
    alder.keyboard.press("Escape")
    alder.locator("#comment-form").wait_for(state="hidden")
    assert alder.evaluate("() => document.activeElement.classList.contains('cm-content')"), "back in the text"
    assert alder.evaluate("() => window.undersignedEditor.view.state.selection.main.empty") is False


def test_comment_without_a_selection_says_what_to_do(live_server, signed_in_page, no_open_comments):
    alder = open_room(signed_in_page, ALDER)
    alder.locator("#draft-text").click()
    alder.keyboard.press("Control+Alt+c")
    message = alder.locator("#comment-message")
    message.wait_for()
    assert "Select the passage" in message.inner_text()
    assert alder.locator("#comment-form").is_hidden()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_margin_with_a_comment_has_no_axe_violations_and_sits_below_the_text_on_a_phone(
    live_server, signed_in_page, axe_check, no_open_comments, lang
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    options = {"bypass_csp": True, **(spanish_context_options() if lang == "es" else {})}
    alder = open_room(signed_in_page, ALDER, **options)
    select(alder, PHRASE)
    alder.keyboard.press("Control+Alt+c")
    alder.locator("#comment-body").fill("Checked in both languages.")
    axe_check(alder)  # the comment form open beside the selection
    alder.locator("#comment-form [type=submit]").click()
    alder.locator("#comment-threads li").wait_for()
    axe_check(alder)  # a thread in the margin, its passage highlighted

    phone = open_room(signed_in_page, ALDER_2, viewport={"width": 375, "height": 740}, **options)
    card = phone.locator("#comment-threads li")
    card.wait_for()
    editor = phone.locator(".cm-editor").bounding_box()
    assert card.bounding_box()["y"] >= editor["y"] + editor["height"], "below the text on a phone"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(phone)


FULL_WIDTH_JS = """(full) => {
    const editor = document.querySelector('.cm-editor').getBoundingClientRect();
    const row = document.querySelector('.editor-and-margin').getBoundingClientRect();
    return (Math.abs(editor.width - row.width) < 2) === full;
}"""


SELECTED_JS = """() => {
    const {from, to} = window.undersignedEditor.view.state.selection.main;
    return window.undersignedEditor.view.state.sliceDoc(from, to);
}"""


def wait_for_full_width(page, full: bool) -> None:
    """Wait until the text has the row to itself (`full`), or shares it with the margin's lane."""
    page.wait_for_function(FULL_WIDTH_JS, arg=full)


@pytest.mark.usefixtures("no_open_comments")
def test_beside_the_text_the_margin_takes_room_only_while_it_holds_something(live_server, signed_in_page):
    alder = open_room(signed_in_page, ALDER)
    editor = alder.locator(".cm-editor")
    button = alder.locator("#comment-open")

    # No thread, no form, nothing selected: the text has its full width, "No open comments." below it.
    wait_for_full_width(alder, True)
    below = editor.bounding_box()
    assert alder.locator("#comment-margin").bounding_box()["y"] >= below["y"] + below["height"]
    assert alder.locator("#comment-empty").is_visible()

    # A selection made by keyboard: New comment is offered beside it, and Tab reaches it.
    select(alder, PHRASE)
    button.wait_for()
    wait_for_full_width(alder, False)
    text = editor.bounding_box()
    assert button.bounding_box()["x"] >= text["x"] + text["width"], "beside the text"
    alder.keyboard.press("Tab")
    assert alder.evaluate("() => document.activeElement.id") == "comment-open"
    alder.keyboard.press("Enter")
    assert alder.evaluate("() => document.activeElement.id") == "comment-body"
    alder.keyboard.press("Escape")
    alder.locator("#comment-form").wait_for(state="hidden")
    assert alder.evaluate("() => document.activeElement.classList.contains('cm-content')"), "back in the text"
    assert alder.evaluate(SELECTED_JS) == PHRASE, "the passage still selected"
    wait_for_full_width(alder, False)

    # The selection collapsed: the lane is empty again and takes no room.
    alder.keyboard.press("ArrowRight")
    wait_for_full_width(alder, True)
    button.wait_for(state="hidden")  # withdrawn in the margin's next layout, perhaps a frame later

    # A selection made with the mouse: the text keeps its width (nothing re-wraps under the pointer)
    # until the button is released; then New comment is offered.
    ends = alder.evaluate(
        """(phrase) => {
            const view = window.undersignedEditor.view;
            const at = view.state.doc.toString().indexOf(phrase);
            const from = view.coordsAtPos(at, 1);
            const to = view.coordsAtPos(at + phrase.length, -1);
            return {x1: from.left + 1, x2: to.right - 1, y: (from.top + from.bottom) / 2};
        }""",
        PHRASE,
    )
    alder.mouse.move(ends["x1"], ends["y"])
    alder.mouse.down()
    alder.mouse.move(ends["x2"], ends["y"], steps=5)
    alder.wait_for_function("() => !window.undersignedEditor.view.state.selection.main.empty")
    alder.wait_for_timeout(200)  # time for a layout that should not happen
    assert alder.evaluate(FULL_WIDTH_JS, True), "the text keeps its width while the mouse selects"
    alder.mouse.up()
    button.wait_for()
    wait_for_full_width(alder, False)

    # A thread keeps the lane open with nothing selected.
    start = live_server.letter()["text"].index(PHRASE)
    body = {"body": "A thread in the lane.", "start": start, "end": start + len(PHRASE)}
    response = live_server.post(f"/letters/{DEMO_LETTER_ID}/comments", ALDER, body)
    assert response.status_code == 201, response.text
    alder.locator("#comment-threads li").wait_for()
    alder.keyboard.press("ArrowRight")
    alder.wait_for_function("() => window.undersignedEditor.view.state.selection.main.empty")
    wait_for_full_width(alder, False)
    assert alder.locator("#comment-threads li").bounding_box()["x"] >= editor.bounding_box()["x"] + 100
    assert alder.errors == []


@pytest.mark.usefixtures("no_open_comments")
def test_on_a_phone_the_empty_margin_sits_below_the_text_with_its_new_comment_button(signed_in_page):
    phone = open_room(signed_in_page, ALDER, viewport={"width": 375, "height": 740})
    editor = phone.locator(".cm-editor").bounding_box()
    margin = phone.locator("#comment-margin").bounding_box()
    assert margin["y"] >= editor["y"] + editor["height"], "below the text"
    phone.locator("#comment-empty").wait_for()
    phone.locator("#comment-open").wait_for()
    assert abs(margin["width"] - editor["width"]) < 2, "as wide as the text"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
