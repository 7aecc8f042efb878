"""Edits the server refuses, in Chromium: the page keeps what was typed where it can, and always tells
the person, in words, why it was not saved (issue 12: "a refused edit tells the person why")."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    CLERK,
    WAIT_MS,
    textarea_value,
    wait_for_connected,
    wait_until_idle,
)
from tests.browser.test_editor import (  # noqa: F401  (demo_text: the fixture that puts the text back)
    caret_at_end,
    demo_text,
    leaving_is_held_back,
    open_editor,
    paste,
    save_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAX_UNITS = 200_000


def notice_of_kind(page, kind: str):
    """The notice line once it explains `kind` (an error code)."""
    page.wait_for_function(
        "(kind) => { const n = document.getElementById('draft-notice'); return !n.hidden && n.dataset.kind === kind; }",
        arg=kind,
        timeout=WAIT_MS,
    )
    return page.locator("#draft-notice")


@pytest.mark.usefixtures("demo_text")
def test_an_edit_refused_as_too_large_stays_on_the_page_and_the_page_says_why(live_server, signed_in_page):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    demo = live_server.letter()["text"]

    # The other alder, offline, pastes a long list; the first alder meanwhile stores a long one of her own.
    other.evaluate("() => window.undersignedDraft.transport.disconnect()")
    caret_at_end(other)
    theirs = "Ward 9 asks for lights on the river path.\n" * 3000
    paste(other, theirs)
    alder.locator("#draft-text").click()
    alder.keyboard.press("Control+Home")
    mine = "Ward 2 asks for a crossing at Elm Street.\n" * 2400
    paste(alder, mine)
    wait_until_idle(alder)
    assert live_server.letter()["text"] == mine + demo

    # Together they would pass the letter's 200,000 characters: the server refuses the rest of the paste.
    other.evaluate("() => window.undersignedDraft.transport.connect()")
    notice = notice_of_kind(other, "too_large")
    assert "too large" in notice.inner_text() and "200,000" in notice.inner_text()
    other.wait_for_function("() => document.getElementById('save-status').textContent.trim() === 'Not saved'")
    assert other.locator("#save-status").get_attribute("data-state") == "refused"
    assert leaving_is_held_back(other), "leaving would lose the text the server refused"

    # Nothing is dropped from the page; the server holds everything up to the limit, in order.
    assert textarea_value(other) == mine + demo + theirs
    stored = live_server.letter()["text"]
    assert len(stored.encode("utf-16-le")) // 2 <= MAX_UNITS
    assert stored.startswith(mine + demo) and (mine + demo + theirs).startswith(stored)
    wait_until_idle(alder, live_server.letter()["revision"])
    assert textarea_value(alder) == stored
    assert alder.errors == [] and other.errors == []
    # Closed before the demo text is put back: its refused text would be sent again once it fits.
    other.close()


def test_words_typed_when_the_clerk_locks_the_letter_are_said_not_to_be_saved(live_server, signed_in_page):
    created = live_server.post("/letters", ALDER, {"title": "Fix the Elm Street crossing", "text": "Fix it.\n"})
    assert created.status_code == 201, created.text
    letter_id = created.json()["id"]
    alder = signed_in_page(ALDER)
    alder.goto(f"/drafts/{letter_id}")
    wait_for_connected(alder)
    alder.wait_for_function("() => document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'")

    alder.evaluate("() => window.undersignedDraft.transport.disconnect()")
    caret_at_end(alder)
    alder.keyboard.type("Before Friday.", delay=15)
    alder.wait_for_function("() => document.getElementById('save-status').textContent.trim() === 'Not saved: retrying'")
    locked = live_server.post(f"/letters/{letter_id}/lock", CLERK)
    assert locked.status_code == 200, locked.text
    alder.evaluate("() => window.undersignedDraft.transport.connect()")

    notice = notice_of_kind(alder, "locked")
    assert notice.inner_text() == "Not saved: the letter was locked, so its text can no longer change."
    alder.locator("#locked-banner").wait_for()
    assert textarea_value(alder) == "Fix it.\n"
    assert live_server.letter(letter_id)["text"] == "Fix it.\n"
    assert alder.locator("#locked-hash").inner_text() == locked.json()["content_hash"]
    assert notice.is_visible(), "the notice stays: the words can never be saved now"
    assert alder.errors == []
