"""Live review in real browsers: the mayor's office keeps the history and the overview open while an
alder types in the drafting room, and both pages show the new revisions without a reload, saying so
politely once. A long title wraps on a phone. The demo letter's text is put back afterwards."""

from __future__ import annotations

import re

import pytest
import requests

from tests.browser.conftest import ALDER, DEMO_LETTER_ID, REVIEWER, WAIT_MS, LiveServer, wait_until_idle
from tests.browser.test_drafting import demo_text, open_editor, put_caret  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REVIEW = f"/drafts/{DEMO_LETTER_ID}/review"


def slider_max(page) -> int:
    return int(page.locator("#revision-slider").get_attribute("max"))


def test_review_pages_show_an_alders_typing_live(live_server: LiveServer, signed_in_page, demo_text):  # noqa: F811
    start = live_server.letter()["revision"]
    history = signed_in_page(REVIEWER)
    history.goto(f"{REVIEW}/history")
    overview = history.context.new_page()
    overview.goto(REVIEW)
    assert slider_max(history) == start
    assert history.locator("#live-status").inner_text() == ""
    for page in (history, overview):
        page.evaluate("() => { window.notReloaded = true; }")  # gone if the page were loaded again

    alder = open_editor(signed_in_page, ALDER)
    put_caret(alder, "end")
    alder.keyboard.type(" Live from the drafting room.", delay=15)

    # The history page: the slider reaches the new revisions, the sessions list names them, and the
    # live region says what happened, without a reload.
    history.wait_for_function("(n) => Number(document.getElementById('revision-slider').max) > n", arg=start)
    history.wait_for_function(
        "() => /new revisions? by/.test(document.getElementById('live-status').textContent)", timeout=WAIT_MS
    )
    assert "Alder" in history.locator("#live-status").inner_text()
    wait_until_idle(alder, start + 1)
    newest = live_server.letter()["revision"]
    history.wait_for_function(
        "(n) => Array.from(document.querySelectorAll('[data-live-region=sessions] a'))"
        ".some((a) => a.href.endsWith('to=' + n))",
        arg=newest,
    )
    # The overview: the newest revision and the diff since creation include the typing.
    overview.wait_for_function(
        "() => document.getElementById('default-diff').textContent.includes('Live from the drafting room.')"
    )
    assert re.search(rf"Newest revision: {newest}\b", overview.locator(".meta-line").inner_text())
    for page in (history, overview):
        assert page.evaluate("() => window.notReloaded === true"), f"{page.url} was reloaded"
    for page in (history, overview, alder):
        assert page.errors == [], f"uncaught script errors on {page.url}: {page.errors}"


def test_a_long_title_wraps_on_every_review_page(live_server: LiveServer, signed_in_page):
    title = "Resolution" + "-and-" * 30 + "Sanctuary"  # no space to break at
    made = requests.post(
        f"{live_server.url}/api/v1/letters",
        json={"title": title, "text": "Dear Mayor,\n\nA short letter.\n"},
        headers={"Authorization": f"Bearer {live_server.token(ALDER)}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    letter_id = made.json()["id"]
    page = signed_in_page(REVIEWER, viewport={"width": 360, "height": 740})
    for path in ("/dashboard", *(f"/drafts/{letter_id}/review{p}" for p in ("", "/history", "/diff", "/authorship"))):
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
