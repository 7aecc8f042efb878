"""Review in real browsers: the mayor's office opens the diff between two checkpoints and suggests a change
by selecting text; an alder, in another browser, accepts it; both then see the new text credited to the
reviewer, and the reviewer's open drafting page receives it live. axe-core on every review page; the
screenshots for docs/review.md. The demo letter's text is put back afterwards (as a restore)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from app.sync import make_patch
from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    CLERK,
    DEMO_LETTER_ID,
    REPO_ROOT,
    REVIEWER,
    WAIT_MS,
    LiveServer,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
REVIEW = f"/drafts/{DEMO_LETTER_ID}/review"
REVIEWER_NAME = "Priya Raman (Mayor's Office)"
OLD_PHRASE = "see a doctor without fear"
NEW_PHRASE = "see a doctor or a lawyer without fear"


def api(live_server: LiveServer, method: str, path: str, email: str, body: dict | None = None) -> requests.Response:
    return requests.request(
        method,
        f"{live_server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {live_server.token(email)}"},
        timeout=10,
    )


@pytest.fixture
def checkpoints(live_server: LiveServer) -> Iterator[dict]:
    """Two checkpoints on the demo letter: its text as it is ("First draft"), and the text after an alder's
    change ("Draft sent to the mayor's office"). Afterwards its text is put back with a restore."""
    letter = live_server.letter()
    original_revision, original_text = letter["revision"], letter["text"]
    assert OLD_PHRASE in original_text
    made = api(
        live_server,
        "POST",
        f"/letters/{DEMO_LETTER_ID}/checkpoints",
        ALDER,
        {"revision": original_revision, "name": "First draft"},
    )
    assert made.status_code == 201, made.text
    # A second alder proposes a wording change and the first accepts it: the next revision.
    changed = original_text.replace("We, the undersigned residents", "We, the undersigned residents, alders")
    suggestion = api(
        live_server,
        "POST",
        f"/letters/{DEMO_LETTER_ID}/suggestions",
        ALDER_2,
        {"base_revision": original_revision, "patch": make_patch(original_text, changed), "note": "Name us too."},
    )
    assert suggestion.status_code == 201, suggestion.text
    accepted = api(live_server, "POST", f"/suggestions/{suggestion.json()['id']}/accept", ALDER)
    assert accepted.status_code == 200, accepted.text
    sent = api(
        live_server,
        "POST",
        f"/letters/{DEMO_LETTER_ID}/checkpoints",
        ALDER,
        {"revision": accepted.json()["revision"], "name": "Draft sent to the mayor's office"},
    )
    assert sent.status_code == 201, sent.text
    yield {"first": original_revision, "sent": accepted.json()["revision"], "text": changed}
    if live_server.letter()["text"] != original_text:
        restored = api(
            live_server, "POST", f"/letters/{DEMO_LETTER_ID}/restore", ALDER, {"revision": original_revision}
        )
        assert restored.status_code == 201, restored.text
    assert live_server.letter()["text"] == original_text


def select_in_textarea(page, phrase: str) -> None:
    """Select `phrase` in the read-only letter text, as a person would with the mouse."""
    page.locator("#source-text").evaluate(
        """(el, phrase) => {
            const start = el.value.indexOf(phrase);
            el.focus();
            el.setSelectionRange(start, start + phrase.length);
            el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        phrase,
    )


def test_reviewer_suggests_on_the_diff_between_checkpoints_and_an_alder_accepts_it(
    live_server, signed_in_page, axe_check, checkpoints
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    reviewer = signed_in_page(REVIEWER, bypass_csp=True, viewport={"width": 1280, "height": 900})
    reviewer_draft = reviewer.context.new_page()
    reviewer_draft.goto(f"/drafts/{DEMO_LETTER_ID}")
    reviewer_draft.wait_for_function(
        """() => {
            const status = document.getElementById('connection-status');
            return Boolean(window.undersignedDraft && window.undersignedDraft.ready
                && status.textContent.trim() === status.dataset.labelReadonly.trim());
        }""",
        timeout=WAIT_MS,
    )

    # The default review view: the diff between the last two checkpoints.
    reviewer.goto(REVIEW)
    changes = reviewer.locator("#changes-heading")
    assert changes.inner_text() == "Changes between the last two checkpoints"
    diff = reviewer.locator("#default-diff")
    assert diff.locator("ins", has_text="alders").count() == 1
    assert "{+" in diff.inner_text() and "+}" in diff.inner_text()  # readable without colour
    axe_check(reviewer)
    reviewer.screenshot(path=str(SCREENSHOTS / "review-overview.png"), full_page=True)

    # Side by side, then the suggestion: select the words, type the replacement and a note.
    reviewer.goto(f"{REVIEW}/diff?from={checkpoints['first']}&to={checkpoints['sent']}&view=side")
    assert reviewer.locator("table.side-by-side ins", has_text="alders").count() == 1
    axe_check(reviewer)
    reviewer.screenshot(path=str(SCREENSHOTS / "review-diff.png"), full_page=True)

    reviewer.goto(f"{REVIEW}/propose")
    select_in_textarea(reviewer, OLD_PHRASE)
    quote = reviewer.locator("#s-quote")
    reviewer.wait_for_function("(p) => document.getElementById('s-quote').value === p", arg=OLD_PHRASE, timeout=WAIT_MS)
    assert reviewer.locator("#selection-status").inner_text().startswith("Selected characters")
    assert quote.input_value() == OLD_PHRASE
    reviewer.locator("#s-replacement").fill(NEW_PHRASE)
    reviewer.locator("#s-note").fill("Legal help matters as much as a doctor.")
    axe_check(reviewer)
    reviewer.screenshot(path=str(SCREENSHOTS / "review-suggest.png"), full_page=True)
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="Suggest this change").click()
    assert "Your suggestion is waiting for a drafter." in reviewer.locator(".flashes").inner_text()
    card = reviewer.locator(".suggestion", has_text="Legal help matters")
    assert card.count() == 1
    assert card.get_by_role("button", name="Accept").count() == 0  # reviewers do not accept

    # The alder, in another browser, sees it inline and accepts it.
    alder = signed_in_page(ALDER, bypass_csp=True, viewport={"width": 1280, "height": 900})
    alder.goto(REVIEW)
    card = alder.locator(".suggestion", has_text="Legal help matters")
    assert card.locator("ins", has_text="or a lawyer").count() == 1
    axe_check(alder)
    card.scroll_into_view_if_needed()
    alder.screenshot(path=str(SCREENSHOTS / "review-accept.png"), full_page=True)
    with alder.expect_navigation():
        card.get_by_role("button", name="Accept").click()
    assert "Suggestion accepted" in alder.locator(".flashes").inner_text()
    letter = live_server.letter()
    assert NEW_PHRASE in letter["text"]

    # The reviewer's drafting page received the new revision live.
    reviewer_draft.wait_for_function(
        "(p) => window.undersignedEditor.text().includes(p)", arg=NEW_PHRASE, timeout=WAIT_MS
    )

    # Both see the new text credited to the reviewer.
    for page in (alder, reviewer):
        page.goto(f"{REVIEW}/authorship")
        run = page.locator("#blame-text .blame-run", has_text="or a lawyer")
        assert run.count() == 1
        title = run.get_attribute("title")
        assert title.startswith(f"{REVIEWER_NAME} · revision {letter['revision']}"), title
        assert "accepted suggestion" in title
        # Keyboard: focus the text and move through the passages to hear who wrote each.
        page.locator("#blame-text").focus()
        page.keyboard.press("Home")
        first = page.locator("#blame-status").inner_text()
        assert first == page.locator("#blame-text .blame-run").first.get_attribute("title"), first
        page.keyboard.press("End")
        assert page.locator("#blame-status").inner_text() != ""
        run.hover()
        assert page.locator("#blame-status").inner_text() == title
    axe_check(reviewer)
    reviewer.screenshot(path=str(SCREENSHOTS / "review-authorship.png"), full_page=True)
    runs = api(live_server, "GET", f"/letters/{DEMO_LETTER_ID}/blame", REVIEWER).json()
    assert "".join(r["text"] for r in runs) == letter["text"]
    assert any("or a lawyer" in r["text"] and r["author"]["name"] == REVIEWER_NAME for r in runs)
    for page in (alder, reviewer, reviewer_draft):
        assert page.errors == [], f"uncaught script errors on {page.url}: {page.errors}"


def test_history_timeslider_approval_and_restore(live_server, signed_in_page, axe_check, checkpoints):
    reviewer = signed_in_page(REVIEWER, bypass_csp=True)
    reviewer.goto(f"{REVIEW}/history")
    slider = reviewer.locator("#revision-slider")
    newest = live_server.letter()["revision"]
    assert slider.get_attribute("max") == str(newest)
    # Keyboard on the range input: one step back shows that revision without reloading the page.
    slider.focus()
    reviewer.keyboard.press("ArrowLeft")
    reviewer.wait_for_function(
        "(n) => document.querySelector('#revision-meta strong').textContent.includes(String(n))",
        arg=newest - 1,
        timeout=WAIT_MS,
    )
    assert f"revision={newest - 1}" in reviewer.url
    # The forms act on the revision shown.
    assert reviewer.get_by_role("button", name=f"Approve revision {newest - 1}").count() == 1
    assert reviewer.locator("#revision-actions input[name=revision]").first.input_value() == str(newest - 1)
    first_text = api(live_server, "GET", f"/letters/{DEMO_LETTER_ID}/revisions/{newest - 1}", REVIEWER).json()["text"]
    reviewer.wait_for_function(
        "(t) => document.getElementById('revision-text').textContent === t", arg=first_text, timeout=WAIT_MS
    )
    axe_check(reviewer)
    reviewer.screenshot(path=str(SCREENSHOTS / "review-history.png"), full_page=True)

    # The reviewer approves the checkpoint sent to the mayor's office; the page says the newest text
    # is that text, with no difference.
    reviewer.goto(f"{REVIEW}/history?revision={checkpoints['sent']}")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name=f"Approve revision {checkpoints['sent']}").click()
    reviewer.goto(REVIEW)
    status = reviewer.locator(".approval-status").first.inner_text()
    assert f"Revision {checkpoints['sent']} is approved" in status
    assert "The newest text is the approved text." in status

    # An alder restores the first draft: a new revision, broadcast; the approval now differs, with a link.
    alder = signed_in_page(ALDER)
    alder.on("dialog", lambda dialog: dialog.accept())
    alder.goto(f"{REVIEW}/history?revision={checkpoints['first']}")
    with alder.expect_navigation():
        alder.get_by_role("button", name=f"Restore revision {checkpoints['first']} as the newest text").click()
    assert "is restored as revision" in alder.locator(".flashes").inner_text()
    alder.goto(f"/drafts/{DEMO_LETTER_ID}")
    status = alder.locator(".approval-status").first
    assert "differs from the approved text" in status.inner_text()
    link = status.get_by_role("link", name="See what changed since the approval")
    with alder.expect_navigation():
        link.click()
    assert f"from={checkpoints['sent']}" in alder.url
    assert alder.locator("#diff del", has_text="alders").count() >= 1
    for page in (reviewer, alder):
        assert page.errors == [], f"uncaught script errors on {page.url}: {page.errors}"


REVIEW_PAGES = [
    *((REVIEWER, REVIEW + path) for path in ("", "/history", "/diff", "/diff?view=side", "/authorship", "/propose")),
    (REVIEWER, REVIEW + "/translations/es"),
    (ALDER, REVIEW),  # a drafter's overview has the forms to decide suggestions and name checkpoints
    (ALDER, REVIEW + "/history"),
    (CLERK, f"/drafts/{DEMO_LETTER_ID}/lock"),
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize(("email", "path"), REVIEW_PAGES, ids=[f"{e.split('@')[0]}:{p}" for e, p in REVIEW_PAGES])
def test_review_pages_fit_a_phone_and_have_no_axe_violations(signed_in_page, axe_check, email, path, lang):
    language = {"locale": "es-ES", "extra_http_headers": {"Accept-Language": "es"}} if lang == "es" else {}
    page = signed_in_page(email, bypass_csp=True, viewport={"width": 360, "height": 740}, **language)
    response = page.goto(path)
    assert response.status == 200
    assert page.evaluate("() => document.documentElement.lang") == lang
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
    ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), (el) => el.id)")
    assert len(ids) == len(set(ids)), f"ids used twice on {path}: {sorted({i for i in ids if ids.count(i) > 1})}"
    axe_check(page)


def test_the_clerk_locks_only_the_text_they_saw(live_server, signed_in_page, axe_check):
    """The reviewer approves a new letter with the approve form; the clerk opens the lock page; an alder
    changes the text; the clerk's Lock locks nothing and shows the change; the newest text, which no
    reviewer approved, is locked only with a reason, and its public page says so."""
    text = "Plant trees on every street.\n"
    created = api(live_server, "POST", "/letters", ALDER, {"title": "Trees (lock test)", "text": text})
    assert created.status_code == 201, created.text
    letter_id = created.json()["id"]

    reviewer = signed_in_page(REVIEWER)
    reviewer.goto(f"/drafts/{letter_id}/review")
    form = reviewer.locator("#approve-form")
    assert "from the letter as created (revision 0) to revision 0" in form.inner_text()
    with reviewer.expect_navigation():
        form.get_by_role("button", name="Approve revision 0").click()
    assert "You approved revision 0." in reviewer.locator(".flashes").inner_text()

    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    clerk = signed_in_page(CLERK, bypass_csp=True)
    clerk.goto(f"/drafts/{letter_id}/lock")
    assert "The newest text is the approved text." in clerk.locator("main").inner_text()
    assert clerk.locator("textarea[name=reason]").count() == 0

    # An alder's change lands while the clerk reads.
    changed = text.replace("every street", "every street, and water them")
    suggestion = api(
        live_server,
        "POST",
        f"/letters/{letter_id}/suggestions",
        ALDER_2,
        {"base_revision": 0, "patch": make_patch(text, changed), "note": ""},
    )
    assert suggestion.status_code == 201, suggestion.text
    assert api(live_server, "POST", f"/suggestions/{suggestion.json()['id']}/accept", ALDER).status_code == 200

    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Lock revision 0 for good").click()
    stale = clerk.locator(".stale")
    assert "Nothing was locked: the letter has changed" in stale.inner_text()
    assert clerk.locator("#changes-since-seen ins", has_text="water them").count() == 1
    assert api(live_server, "GET", f"/letters/{letter_id}", ALDER).json()["status"] == "drafting"
    axe_check(clerk)

    # Revision 1 is not approved: the page asks for a reason and locks nothing without one.
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Lock revision 1 for good").click()
    assert "give the reason for locking it anyway" in clerk.locator("main").inner_text()
    clerk.get_by_label("Reason for locking without approval").fill("The board votes tonight; approved by phone.")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Lock revision 1 for good").click()
    assert f"/letters/{letter_id}" in clerk.url
    assert "locked without a reviewer's approval" in clerk.locator("#unapproved-notice").inner_text()
    locked = api(live_server, "GET", f"/letters/{letter_id}", ALDER).json()
    assert locked["status"] == "locked" and locked["revision"] == 1 and "water them" in locked["text"]
    for page in (reviewer, clerk):
        assert page.errors == [], f"uncaught script errors on {page.url}: {page.errors}"
