"""Real-time co-drafting in real browsers: two alders typing at once (emoji and CJK included), a reviewer
watching read-only, and a connection lost mid-typing. Each test starts from, and leaves, the demo text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    DEMO_LETTER_ID,
    REVIEWER,
    WAIT_MS,
    LiveServer,
    settle,
    textarea_value,
    wait_for_connected,
    wait_until_idle,
)
from tests.browser.test_suggestion_mode import no_open_suggestions  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DRAFT = f"/drafts/{DEMO_LETTER_ID}"
KEY_DELAY_MS = 15


def open_draft(signed_in_page, email: str):
    page = signed_in_page(email)
    page.goto(DRAFT)
    return page


def open_editor(signed_in_page, email: str):
    """A drafting page for an alder, connected and editable."""
    page = open_draft(signed_in_page, email)
    wait_for_connected(page)
    page.wait_for_function(
        "() => document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'", timeout=WAIT_MS
    )
    return page


def put_caret(page, where: str) -> None:
    """Focus the textarea and put the caret at its start or end, as a person would with the keyboard."""
    page.locator("#draft-text").click()
    page.keyboard.press("Control+Home" if where == "start" else "Control+End")


def type_interleaved(typists: list[tuple[object, list[str]]]) -> None:
    """Type each page's fragments chunk by chunk, taking turns, so that every page's edits are in flight
    while the others type. (Playwright's sync API drives one page at a time; the browsers and the
    server run concurrently.)"""
    longest = max(len(chunks) for _, chunks in typists)
    for i in range(longest):
        for page, chunks in typists:
            if i < len(chunks):
                page.keyboard.type(chunks[i], delay=KEY_DELAY_MS)


def no_script_errors(*pages) -> None:
    for page in pages:
        assert page.errors == [], f"uncaught script errors on {page.url}: {page.errors}"


@pytest.fixture
def demo_text(live_server: LiveServer, signed_in_page) -> Iterator[str]:
    """The letter's text when the test starts; put back afterwards (through the editor) so that the next
    test and the docs' screenshots see the demo letter as it was."""
    original = live_server.letter()["text"]
    yield original
    if live_server.letter()["text"] == original:
        return
    page = open_editor(signed_in_page, ALDER)
    page.locator("#draft-text").fill(original)
    wait_until_idle(page)
    page.wait_for_function(
        "(text) => window.undersignedDraft.idle && window.undersignedDraft.shadow === text",
        arg=original,
        timeout=WAIT_MS,
    )
    assert live_server.letter()["text"] == original


def test_two_alders_typing_at_once_end_with_the_same_text_as_the_server(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    assert textarea_value(alder) == textarea_value(other) == demo_text

    # Unique fragments, each typed in small chunks: emoji outside the BMP (one with a skin-tone modifier)
    # and CJK characters, so UTF-16 offsets matter on both sides.
    at_end = ["\nP.S. ", "Okafor ", "😀👍🏽 ", "signs ", "著名 ", "here."]
    at_start = ["[Lindqvist ", "中文 ", "🙂 ", "first] "]
    put_caret(alder, "end")
    put_caret(other, "start")

    type_interleaved([(alder, at_end), (other, at_start)])

    letter = settle(live_server, alder, other)
    alder_text, other_text = textarea_value(alder), textarea_value(other)
    assert alder_text == other_text, "the two alders' textareas differ"
    assert alder_text == letter["text"], "the textareas differ from the server's text"
    end_fragment, start_fragment = "".join(at_end), "".join(at_start)
    for fragment in (end_fragment, start_fragment):
        assert letter["text"].count(fragment) == 1, f"{fragment!r} is not in the text exactly once"
    for fragment in ("😀👍🏽", "著名", "中文", "🙂"):
        assert letter["text"].count(fragment) == 1, f"{fragment!r} is not in the text exactly once"
    # Each caret stayed where its alder put it while the other alder's text arrived.
    assert letter["text"] == start_fragment + demo_text + end_fragment
    no_script_errors(alder, other)


@pytest.mark.usefixtures("no_open_suggestions")
def test_a_reviewer_cannot_change_the_text_and_sees_an_alders_typing_live(live_server, signed_in_page, demo_text):
    reviewer = open_draft(signed_in_page, REVIEWER)
    reviewer.wait_for_function(
        """() => {
            const status = document.getElementById('connection-status');
            return Boolean(window.undersignedDraft && window.undersignedDraft.ready
                && status.textContent.trim() === status.dataset.labelReadonly.trim());
        }""",
        timeout=WAIT_MS,
    )
    assert textarea_value(reviewer) == demo_text

    # A reviewer's typing changes no text: it becomes a suggestion (suggestion mode, always on for them).
    put_caret(reviewer, "start")
    reviewer.keyboard.press("End")  # the end of the title: out of the way of the alder's click below
    reviewer.keyboard.type("reviewer was here", delay=KEY_DELAY_MS)
    reviewer.locator(".cm-suggestion-draft ins", has_text="reviewer was here").wait_for()
    assert textarea_value(reviewer) == demo_text
    reviewer.keyboard.press("Control+Home")  # the run of typing ends: its suggestion is saved and shown
    saved = reviewer.locator(".cm-suggestion[data-suggestion-id]", has_text="reviewer was here")
    saved.wait_for()

    alder = open_editor(signed_in_page, ALDER)
    put_caret(alder, "end")
    typed = "Live from the alder: 🎉 市民"
    alder.keyboard.type(typed, delay=KEY_DELAY_MS)

    reviewer.wait_for_function("(typed) => window.undersignedEditor.text().includes(typed)", arg=typed, timeout=WAIT_MS)
    letter = settle(live_server, alder, reviewer)
    assert textarea_value(reviewer) == textarea_value(alder) == letter["text"] == demo_text + typed
    assert "reviewer was here" not in letter["text"]
    no_script_errors(alder, reviewer)


def socket_connected(page) -> bool:
    return page.evaluate("() => Boolean(window.undersignedDraft.transport.connected)")


def test_text_typed_while_the_connection_is_lost_arrives_exactly_once(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    put_caret(alder, "end")

    before = "Typed before the outage 😀. "
    during = "Typed offline 👍🏽 離線. "
    after = "Typed after it."
    alder.keyboard.type(before, delay=KEY_DELAY_MS)
    # Drop the connection mid-typing: what was just typed may be in flight or not yet sent.
    alder.context.set_offline(True)
    try:
        alder.wait_for_function("() => !window.undersignedDraft.transport.connected", timeout=5_000)
    except PlaywrightTimeoutError:
        # Offline emulation did not close the open websocket: close the engine's transport ourselves.
        alder.evaluate("() => window.undersignedDraft.transport.io.engine.close()")
        alder.wait_for_function("() => !window.undersignedDraft.transport.connected", timeout=WAIT_MS)
        print("set_offline(True) left the websocket open; closed the engine instead")
    alder.wait_for_function(
        "() => ['reconnecting', 'offline'].includes(document.getElementById('connection-status').dataset.state)",
        timeout=WAIT_MS,
    )
    alder.keyboard.type(during, delay=KEY_DELAY_MS)
    assert not socket_connected(alder)
    assert textarea_value(alder) == demo_text + before + during

    alder.context.set_offline(False)
    wait_for_connected(alder)
    alder.keyboard.type(after, delay=KEY_DELAY_MS)

    letter = settle(live_server, alder, other)
    expected = demo_text + before + during + after
    assert letter["text"] == expected
    assert textarea_value(alder) == textarea_value(other) == expected
    for fragment in (before, during, after):
        assert letter["text"].count(fragment) == 1
    no_script_errors(alder, other)
