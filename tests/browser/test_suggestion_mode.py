"""Suggestion mode in Chromium: two alders and the mayor's office in the drafting room at once. The
reviewer (always) and an alder (who turns Suggesting on) type straight into the text; their typing
becomes suggestions shown inline to everyone, live; the other alder accepts one and rejects the other
with the keyboard; the text converges everywhere and the accepted change is credited to its
suggester."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
import requests

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
    wait_until_idle,
)
from tests.browser.test_editor import demo_text, open_editor  # noqa: F401 (demo_text is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DRAFT = f"/drafts/{DEMO_LETTER_ID}"
KEY_DELAY_MS = 15

# Each suggestion the page shows from the server; its inserted words trimmed (the server places an
# insertion next to a space on either side of it, as the shortest difference says).
SHOWN_JS = """() => [...document.querySelectorAll('.cm-suggestion[data-suggestion-id]')].map((el) => ({
    id: Number(el.dataset.suggestionId),
    inserted: el.querySelector('ins') ? el.querySelector('ins').textContent.trim() : '',
    by: el.querySelector('.cm-suggestion-by').textContent.trim(),
}))"""


@pytest.fixture
def no_open_suggestions(live_server: LiveServer) -> Iterator[None]:
    """Whatever the test leaves open on the demo letter is rejected afterwards (as an alder), so that
    the next test starts with none."""
    yield
    for suggestion in live_server.api(f"/letters/{DEMO_LETTER_ID}/suggestions", ALDER):
        if suggestion["status"] == "open":
            requests.post(
                f"{live_server.url}/api/v1/suggestions/{suggestion['id']}/reject",
                headers={"Authorization": f"Bearer {live_server.token(ALDER)}"},
                timeout=10,
            )


def caret_after(page, phrase: str) -> None:
    """Put the caret just after `phrase` in the editor, as a click there would."""
    page.evaluate(
        """(phrase) => {
            const view = window.undersignedEditor.view;
            const at = view.state.doc.toString().indexOf(phrase);
            if (at < 0) throw new Error(`not in the text: ${phrase}`);
            view.focus();
            view.dispatch({selection: {anchor: at + phrase.length}, userEvent: 'select.pointer'});
        }""",
        phrase,
    )


def shown(page) -> list[dict]:
    return page.evaluate(SHOWN_JS)


def wait_for_shown(page, count: int) -> list[dict]:
    page.wait_for_function(f"(count) => ({SHOWN_JS})().length === count", arg=count, timeout=WAIT_MS)
    return shown(page)


def user_name(page) -> str:
    return page.evaluate("() => document.getElementById('drafting').dataset.userName")


def test_two_alders_and_a_reviewer_suggest_at_once_and_decide_by_keyboard(
    live_server,
    signed_in_page,
    axe_check,
    demo_text,  # noqa: F811 (the imported fixture)
    no_open_suggestions,
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    reviewer = signed_in_page(REVIEWER, bypass_csp=True)
    reviewer.goto(DRAFT)
    reviewer.wait_for_function(
        "() => window.undersignedDraft && window.undersignedDraft.ready"
        " && document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'"
    )
    alder = open_editor(signed_in_page, ALDER)
    alder2 = open_editor(signed_in_page, ALDER_2, bypass_csp=True)
    office_name, alder2_name = user_name(reviewer), user_name(alder2)

    # The reviewer types straight into the text: a suggestion, never an edit.
    assert reviewer.locator("#suggest-mode").count() == 0, "a reviewer is always suggesting"
    caret_after(reviewer, "see a doctor")
    reviewer.keyboard.type(" or a lawyer", delay=KEY_DELAY_MS)
    reviewer.locator(".cm-suggestion-draft ins", has_text="or a lawyer").wait_for()
    assert "or a lawyer" not in textarea_value(reviewer), "the shared text does not change"
    axe_check(reviewer)
    reviewer.keyboard.press("Control+Home")  # the caret moves away: this run of typing is one suggestion

    # An alder turns Suggesting on from the keyboard, strikes a word with Backspace and types another.
    toggle = alder2.locator("#suggest-mode")
    toggle.focus()
    alder2.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert alder2.locator("#draft-notice").inner_text() == toggle.get_attribute("data-label-on")
    caret_after(alder2, "every year")
    for _ in "year":
        alder2.keyboard.press("Backspace")
    alder2.keyboard.type("quarter", delay=KEY_DELAY_MS)
    draft = alder2.locator(".cm-suggestion-draft-del")
    draft.wait_for()
    assert draft.inner_text() == "year"
    axe_check(alder2)
    alder2.keyboard.press("Control+Home")

    # Both alders see both suggestions where they stand, live, without reloading.
    for page in (alder, alder2):
        found = {s["inserted"]: s for s in wait_for_shown(page, 2)}
        assert set(found) == {"or a lawyer", "quarter"}, found
        assert found["or a lawyer"]["by"] == f"— suggested by {office_name}"
        assert found["quarter"]["by"] == f"— suggested by {alder2_name}"
    assert alder.locator(".cm-suggestion-del").inner_text() == "year"
    wait_for_shown(reviewer, 2)
    assert live_server.letter()["text"] == demo_text, "suggestions leave the text as it was"
    lawyer_id = next(s["id"] for s in shown(alder) if s["inserted"] == "or a lawyer")
    quarter_id = next(s["id"] for s in shown(alder) if s["inserted"] == "quarter")

    # The other alder decides by keyboard: F8 to the first suggestion, Enter accepts it...
    alder.locator("#draft-text").click()
    alder.keyboard.press("Control+Home")
    alder.keyboard.press("F8")
    alder.wait_for_function("(id) => document.activeElement.dataset.suggestionId === String(id)", arg=lawyer_id)
    label = alder.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert office_name in label and "or a lawyer" in label and "Enter accepts it" in label
    alder.keyboard.press("Enter")
    alder.wait_for_function("() => window.undersignedEditor.text().includes('see a doctor or a lawyer')")
    # ... then F8 to the next one, Delete rejects it.
    alder.wait_for_function("() => window.undersignedEditor.view.hasFocus")
    alder.keyboard.press("F8")
    alder.wait_for_function("(id) => document.activeElement.dataset.suggestionId === String(id)", arg=quarter_id)
    alder.keyboard.press("Delete")
    for page in (alder, alder2, reviewer):
        wait_for_shown(page, 0)

    # The text converges everywhere: the accepted words in, the rejected ones not.
    expected = demo_text.replace("see a doctor", "see a doctor or a lawyer", 1)
    letter = settle(live_server, alder, alder2)
    wait_until_idle(reviewer, letter["revision"])
    assert letter["text"] == expected
    assert textarea_value(alder) == textarea_value(alder2) == textarea_value(reviewer) == expected
    assert alder.locator(".cm-suggestion-del").count() == 0 and alder2.locator(".cm-suggestion-draft").count() == 0

    # The accepted change is the suggester's: the newest revision and the words are credited to the office.
    newest = live_server.api(f"/letters/{DEMO_LETTER_ID}/revisions", ALDER)[-1]
    assert newest["author"]["name"] == office_name and newest["revision"] == letter["revision"]
    runs = live_server.api(f"/letters/{DEMO_LETTER_ID}/blame", ALDER)
    assert "".join(run["text"] for run in runs) == expected
    lawyer = [run for run in runs if "lawyer" in run["text"]]
    assert lawyer and all(run["author"]["name"] == office_name for run in lawyer)
    assert alder.errors == [] and alder2.errors == [] and reviewer.errors == []


def test_suggestion_mode_speaks_spanish_and_passes_axe(live_server, signed_in_page, axe_check, no_open_suggestions):
    reviewer = signed_in_page(REVIEWER, bypass_csp=True, **spanish_context_options())
    reviewer.goto(DRAFT)
    reviewer.wait_for_function(
        "() => window.undersignedDraft && window.undersignedDraft.ready"
        " && document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'"
    )
    assert reviewer.locator("#connection-status").inner_text().startswith("Sugiriendo:")
    caret_after(reviewer, "see a doctor")
    reviewer.keyboard.type(" o a un abogado", delay=KEY_DELAY_MS)
    reviewer.keyboard.press("Control+Home")
    saved = reviewer.locator(".cm-suggestion[data-suggestion-id]", has_text="abogado")
    saved.wait_for()
    assert saved.locator(".cm-suggestion-by").inner_text().strip().startswith("— sugerido por")
    reviewer.keyboard.press("F8")
    reviewer.wait_for_function("() => document.activeElement.classList.contains('cm-suggestion')")
    label = reviewer.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert label.startswith("Sugerencia de") and "Escape vuelve al texto." in label
    assert "Intro" not in label, "a reviewer is not told keys that decide"
    reviewer.locator("details.editor-help summary").click()
    axe_check(reviewer)
    assert live_server.letter()["text"].count("abogado") == 0
    assert reviewer.errors == []


DRAFT_TYPED_JS = """() => {
    const ins = document.querySelector('.cm-suggestion-draft ins');
    return ins ? ins.textContent : '';
}"""


def draft_typed(page) -> str:
    """What the suggestion being typed inserts, as the page shows it ('' when nothing)."""
    return page.evaluate(DRAFT_TYPED_JS)


def press_until_draft(page, key: str, typed: str) -> None:
    page.keyboard.press(key)
    page.wait_for_function(f"(typed) => ({DRAFT_TYPED_JS})() === typed", arg=typed, timeout=WAIT_MS)


def wait_for_saved(live_server: LiveServer, author: str, check) -> list[dict]:
    """Wait until the server's suggestions by `author` pass `check` (their patches decoded); return them."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        mine = [
            {**s, "patch": unquote(s["patch"])}
            for s in live_server.api(f"/letters/{DEMO_LETTER_ID}/suggestions", ALDER)
            if s["author"] and s["author"]["name"] == author
        ]
        if check(mine):
            return mine
        if time.monotonic() > deadline:
            raise AssertionError(f"the server's suggestions did not follow: {mine}")
        time.sleep(0.1)


def test_undo_in_suggestion_mode_takes_back_only_your_own_suggestion_word_by_word(
    live_server,
    signed_in_page,
    demo_text,  # noqa: F811 (the imported fixture)
    no_open_suggestions,
):
    alder = open_editor(signed_in_page, ALDER)
    other = open_editor(signed_in_page, ALDER_2)
    name = user_name(alder)
    # First an edit of the alder's own, in normal mode: undo in suggestion mode must leave it alone.
    caret_after(alder, "see a doctor")
    alder.keyboard.type(" soon", delay=KEY_DELAY_MS)
    settle(live_server, alder, other)
    edited = demo_text.replace("see a doctor", "see a doctor soon", 1)

    alder.locator("#suggest-mode").click()
    caret_after(alder, "see a doctor soon")
    alder.keyboard.type(" or a lawyer", delay=KEY_DELAY_MS)
    assert draft_typed(alder) == " or a lawyer"
    saved = wait_for_saved(live_server, name, lambda mine: any("lawyer" in s["patch"] for s in mine))
    (suggestion,) = [s for s in saved if s["status"] == "open"]

    # A co-author writes at the start meanwhile; the alder's run of typing goes on.
    other.locator("#draft-text").click()
    other.keyboard.press("Control+Home")
    other.keyboard.type("URGENT: ", delay=KEY_DELAY_MS)
    alder.wait_for_function("() => window.undersignedEditor.text().startsWith('URGENT: ')", timeout=WAIT_MS)

    # Undo takes back the suggestion's words one by one, and the server's suggestion follows.
    press_until_draft(alder, "Control+z", " or a ")
    press_until_draft(alder, "Control+z", " or ")
    assert textarea_value(alder) == "URGENT: " + edited, "the text, the alder's edit and the co-author's stay"

    def with_lawyer(mine: list[dict]) -> list[tuple]:
        return [(s["id"], s["status"], "lawyer" in s["patch"]) for s in mine]

    wait_for_saved(live_server, name, lambda mine: with_lawyer(mine) == [(suggestion["id"], "open", False)])

    # Redo brings them back (Ctrl+Shift+Z and Ctrl+Y alike).
    press_until_draft(alder, "Control+Shift+Z", " or a ")  # as a keyboard sends it: key "Z"
    press_until_draft(alder, "Control+y", " or a lawyer")
    wait_for_saved(live_server, name, lambda mine: with_lawyer(mine) == [(suggestion["id"], "open", True)])

    # Undone to nothing, the suggestion is withdrawn; one more Ctrl+Z still leaves the text alone.
    for typed in (" or a ", " or ", " ", ""):
        press_until_draft(alder, "Control+z", typed)
    assert alder.locator(".cm-suggestion-draft").count() == 0
    wait_for_saved(live_server, name, lambda mine: [s["status"] for s in mine] == ["withdrawn"])
    alder.keyboard.press("Control+z")
    alder.keyboard.press("Control+z")
    letter = settle(live_server, alder, other)
    assert letter["text"] == textarea_value(alder) == textarea_value(other) == "URGENT: " + edited
    assert alder.errors == [] and other.errors == []
