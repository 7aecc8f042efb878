"""The drafting room's editor (CodeMirror) in Chromium: undo that touches only your own words, a
200,000-character paste that reaches the other alder and the server, the save status, the warning
before leaving with unsaved text, and the notices that say why something was not added."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    DEMO_LETTER_ID,
    REVIEWER,
    WAIT_MS,
    LiveServer,
    settle,
    spanish_context_options,
    textarea_value,
    wait_for_connected,
    wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DRAFT = f"/drafts/{DEMO_LETTER_ID}"
KEY_DELAY_MS = 15
MAX_UNITS = 200_000


def open_editor(signed_in_page, email: str, **context_options):
    page = signed_in_page(email, **context_options)
    page.goto(DRAFT)
    wait_for_connected(page)
    page.wait_for_function(
        "() => document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'", timeout=WAIT_MS
    )
    return page


def caret_at_end(page) -> None:
    page.locator("#draft-text").click()
    page.keyboard.press("Control+End")


def paste(page, text: str) -> None:
    """Paste `text` into the editor as the browser does: a paste event carrying the clipboard's text."""
    page.locator("#draft-text").evaluate(
        """(el, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def save_status(page) -> str:
    return page.locator("#save-status").inner_text().strip()


def leaving_is_held_back(page) -> bool:
    """Whether the page asks before it is left (its beforeunload handler cancels the event)."""
    return page.evaluate(
        """() => {
            const event = new Event('beforeunload', {cancelable: true});
            window.dispatchEvent(event);
            return event.defaultPrevented;
        }"""
    )


@pytest.fixture
def demo_text(live_server: LiveServer, signed_in_page) -> Iterator[str]:
    """The letter's text when the test starts; put back afterwards through the editor."""
    original = live_server.letter()["text"]
    yield original
    if live_server.letter()["text"] == original:
        return
    page = open_editor(signed_in_page, ALDER)
    page.evaluate(
        """(text) => {
            const view = window.undersignedEditor.view;
            view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
        }""",
        original,
    )
    page.wait_for_function(
        "(text) => window.undersignedDraft.idle && window.undersignedDraft.shadow === text",
        arg=original,
        timeout=WAIT_MS,
    )
    assert live_server.letter()["text"] == original


def test_undo_after_a_co_authors_edit_removes_only_your_own_words(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    # The server speaks protocol 2: revisions arrive in batches.
    assert alder.evaluate("() => window.undersignedDraft.protocol") == 2
    caret_at_end(alder)
    alder.keyboard.type("\nWe ask today", delay=KEY_DELAY_MS)
    settle(live_server, alder, other)

    # The other alder writes at the start while the first one's words are on the page.
    other.locator("#draft-text").click()
    other.keyboard.press("Control+Home")
    other.keyboard.type("URGENT: ", delay=KEY_DELAY_MS)
    alder.wait_for_function("() => window.undersignedEditor.text().startsWith('URGENT: ')", timeout=WAIT_MS)

    alder.keyboard.press("Control+z")
    assert textarea_value(alder) == "URGENT: " + demo_text + "\nWe ask "
    alder.keyboard.press("Control+z")
    assert textarea_value(alder) == "URGENT: " + demo_text + "\nWe "
    alder.keyboard.press("Control+z")
    alder.keyboard.press("Control+z")
    assert textarea_value(alder) == "URGENT: " + demo_text, "the co-author's words stay"
    alder.keyboard.press("Control+Shift+z")
    assert textarea_value(alder) == "URGENT: " + demo_text + "\n"

    letter = settle(live_server, alder, other)
    assert letter["text"] == textarea_value(other) == "URGENT: " + demo_text + "\n"
    assert alder.errors == [] and other.errors == []


def test_a_200000_character_paste_reaches_the_other_alder_and_the_server(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    line = "A resident of Ward 7 writes: señal 中文 🏠 — we ask for help.\n"
    units = len(line.encode("utf-16-le")) // 2  # the emoji counts 2, as the server counts
    big = line * (MAX_UNITS // units)
    big += "." * (MAX_UNITS - len(big.encode("utf-16-le")) // 2)
    assert len(big.encode("utf-16-le")) // 2 == MAX_UNITS

    alder.locator("#draft-text").click()
    alder.keyboard.press("Control+a")
    paste(alder, big)
    alder.wait_for_function("() => window.undersignedDraft.saveState !== 'saved'", timeout=WAIT_MS)

    letter = settle(live_server, alder, other)
    assert letter["text"] == big
    assert textarea_value(other) == big
    assert save_status(alder) == "Saved"
    # Far more than one edit's 64 KiB of patch: it went in several edits, none refused.
    assert letter["revision"] >= 3
    assert alder.locator("#draft-notice").is_hidden()

    # The letter is full: a character more is not added, and the page says so.
    caret_at_end(alder)
    alder.keyboard.type("x")
    notice = alder.locator("#draft-notice")
    notice.wait_for(state="visible")
    assert "200,000" in notice.inner_text()
    assert textarea_value(alder) == big
    assert alder.errors == [] and other.errors == []


def test_unsaved_text_is_said_and_leaving_warns_until_it_is_stored(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    assert save_status(alder) == "Saved"
    assert not leaving_is_held_back(alder)

    alder.evaluate("() => window.undersignedDraft.transport.disconnect()")
    caret_at_end(alder)
    alder.keyboard.type(" Typed while the connection is down.", delay=KEY_DELAY_MS)
    alder.wait_for_function(
        "() => document.getElementById('save-status').textContent.trim() === 'Not saved: retrying'", timeout=WAIT_MS
    )
    assert leaving_is_held_back(alder)

    # Closing the tab now asks first (Chromium's own beforeunload dialog).
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    alder.on("dialog", answer)
    alder.close(run_before_unload=True)
    alder.wait_for_function("() => true")  # the page stays open: the person chose to stay
    assert dialogs == ["beforeunload"]

    # A paste while offline is kept, and the page says how.
    paste(alder, " And a pasted line.")
    assert "offline" in alder.locator("#draft-notice").inner_text()

    alder.evaluate("() => window.undersignedDraft.transport.connect()")
    wait_until_idle(alder)
    alder.wait_for_function("() => document.getElementById('save-status').textContent.trim() === 'Saved'")
    assert not leaving_is_held_back(alder)
    assert live_server.letter()["text"] == demo_text + " Typed while the connection is down. And a pasted line."


def test_control_characters_are_removed_and_the_page_says_so(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    caret_at_end(alder)
    paste(alder, " bell\u0007 and escape\u001b gone")
    notice = alder.locator("#draft-notice")
    notice.wait_for(state="visible")
    assert "Control characters" in notice.inner_text()
    wait_until_idle(alder)
    assert live_server.letter()["text"] == demo_text + " bell and escape gone"


def test_the_toolbar_and_shortcuts_format_the_selection(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    caret_at_end(alder)
    alder.keyboard.type("\nplease act", delay=KEY_DELAY_MS)
    alder.keyboard.press("Shift+Home")
    alder.keyboard.press("Control+b")
    assert textarea_value(alder).endswith("\n**please act**")
    # The toolbar by keyboard: one tab stop, arrows between the buttons, Enter to press one.
    alder.locator("#format-toolbar button").first.focus()
    alder.keyboard.press("End")
    assert alder.evaluate("() => document.activeElement.textContent.trim()") == "Suggesting"
    alder.keyboard.press("ArrowLeft")
    alder.keyboard.press("ArrowLeft")
    assert alder.evaluate("() => document.activeElement.textContent.trim()") == "Quote"
    alder.keyboard.press("Enter")
    assert textarea_value(alder).endswith("\n> **please act**")
    wait_until_idle(alder)
    alder.wait_for_function(
        "() => document.querySelector('#preview blockquote strong')?.textContent === 'please act'", timeout=WAIT_MS
    )
    assert live_server.letter()["text"] == demo_text + "\n> **please act**"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_editor_with_a_co_authors_caret_and_a_notice_has_no_axe_violations(
    live_server, signed_in_page, axe_check, demo_text, lang
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    options = {"bypass_csp": True, **(spanish_context_options() if lang == "es" else {})}
    alder = open_editor(signed_in_page, ALDER, **options)
    other = open_editor(signed_in_page, ALDER_2)
    other.locator("#draft-text").click()
    other.keyboard.press("Control+End")
    alder.locator(".cm-remote-caret").wait_for(state="attached")
    alder.locator(".cm-remote-name").first.wait_for()
    toggle = alder.locator("#authorship-toggle")
    toggle.click()
    alder.locator(".cm-author").first.wait_for()
    assert toggle.get_attribute("aria-pressed") == "true"
    paste(alder, "\u0007")  # only a control character: nothing added, a notice shown
    alder.locator("#draft-notice").wait_for(state="visible")
    assert textarea_value(alder) == demo_text
    axe_check(alder)


def test_authorship_colours_show_who_wrote_each_word_and_follow_new_typing(live_server, signed_in_page, demo_text):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    alder.get_by_role("button", name="Show who wrote what").click()
    alder.locator(".cm-author").first.wait_for()
    caret_at_end(other)
    other.keyboard.type(" Signed by Lindqvist", delay=KEY_DELAY_MS)
    settle(live_server, alder, other)
    # The other alder's new words carry her name; nobody else's colour is on them.
    by_author = alder.evaluate(
        """() => {
            const out = {};
            for (const el of document.querySelectorAll('.cm-author')) {
                out[el.title] = (out[el.title] || '') + el.textContent;
            }
            return out;
        }"""
    )
    assert "Signed by Lindqvist" in by_author.get("Alder Ingrid Lindqvist", "")
    assert all("Lindqvist" not in text for name, text in by_author.items() if name != "Alder Ingrid Lindqvist")
    assert len(by_author) >= 2, "the demo text's writer is coloured too"
    alder.get_by_role("button", name="Show who wrote what").click()
    alder.wait_for_function("() => document.querySelectorAll('.cm-author').length === 0")


def test_a_reviewer_suggests_inline_and_an_alder_accepts_it_where_it_stands(
    live_server, signed_in_page, axe_check, demo_text
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    reviewer = signed_in_page(REVIEWER, bypass_csp=True)
    reviewer.goto(DRAFT)
    reviewer.wait_for_function("() => window.undersignedDraft && window.undersignedDraft.ready")
    alder = open_editor(signed_in_page, ALDER, bypass_csp=True)

    # The reviewer selects a phrase in the (read-only) text and suggests a replacement by keyboard.
    phrase = "call the police"
    reviewer.evaluate(
        """(phrase) => {
            const view = window.undersignedEditor.view;
            const at = view.state.doc.toString().indexOf(phrase);
            view.focus();
            view.dispatch({selection: {anchor: at, head: at + phrase.length}});
        }""",
        phrase,
    )
    reviewer.keyboard.press("Control+Alt+m")
    reviewer.locator("#suggest-replacement").wait_for()
    assert reviewer.locator("#suggest-quote").inner_text() == phrase
    reviewer.locator("#suggest-replacement").fill("ask the police for help")
    reviewer.locator("#suggest-note").fill("Legal help too.")
    axe_check(reviewer)
    reviewer.get_by_role("button", name="Send the suggestion").click()
    reviewer.locator("#suggest-form").wait_for(state="hidden")

    # The alder sees it inline: the old words struck, the new ones inserted, the reviewer's name.
    inline = alder.locator(".cm-suggestion")
    inline.wait_for()
    assert inline.locator("ins").inner_text() == "ask the police for help"
    name = reviewer.evaluate("() => document.getElementById('drafting').dataset.userName")
    assert inline.locator(".cm-suggestion-by").inner_text().strip() == f"— suggested by {name}"
    assert alder.locator(".cm-suggestion-del").inner_text() == phrase
    reviewer.locator(".cm-suggestion").wait_for()
    assert reviewer.locator(".cm-suggestion button").count() == 0, "reviewers do not decide"
    axe_check(alder)

    inline.get_by_role("button", name="Accept").click()
    alder.wait_for_function("() => window.undersignedEditor.text().includes('ask the police for help')")
    alder.locator(".cm-suggestion").wait_for(state="detached")
    letter = settle(live_server, alder)
    assert letter["text"] == demo_text.replace(phrase, "ask the police for help", 1)
    reviewer.wait_for_function("() => window.undersignedEditor.text().includes('ask the police for help')")
    assert alder.errors == [] and reviewer.errors == []
