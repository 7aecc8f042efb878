"""The pages in a real browser: signing in, accessibility (axe-core, keyboard, a narrow screen) and the
screenshots used by the docs."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    ALDER,
    ALDER_2,
    CLERK,
    DEMO_LETTER_ID,
    DEMO_LETTER_TITLE,
    DEMO_PASSWORD,
    REPO_ROOT,
    REVIEWER,
    WAIT_MS,
    sign_in,
    spanish_context_options,
    wait_for_connected,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGUAGES = ["en", "es"]


def context_options(lang: str, **extra) -> dict:
    options = spanish_context_options() if lang == "es" else {"locale": "en-US"}
    return {**options, **extra}


def assert_language(page, lang: str) -> None:
    assert page.evaluate("() => document.documentElement.lang") == lang


# ------------------------------------------------------------------------------------------ sign-in


def test_alder_signs_in_and_sees_the_demo_letter_being_drafted(signed_in_page):
    page = signed_in_page(ALDER)

    assert page.url.endswith("/dashboard")
    drafting = page.locator("section", has=page.get_by_role("heading", name="Being drafted"))
    link = drafting.get_by_role("link", name=DEMO_LETTER_TITLE, exact=True)
    assert link.count() == 1
    assert link.get_attribute("href") == f"/drafts/{DEMO_LETTER_ID}"


@pytest.mark.parametrize("email", [ALDER, "nobody@demo.undersigned.example"], ids=["known-email", "unknown-email"])
def test_a_wrong_password_shows_the_generic_message(context_factory, email):
    page = context_factory().new_page()

    response = sign_in(page, email, password="not-the-password")

    assert response.status == 401
    assert "/auth/sign-in" in page.url
    message = page.get_by_text("Email or password is not correct.")
    assert message.count() == 1
    assert message.is_visible()
    page.goto("/dashboard")
    assert "/auth/sign-in" in page.url, "a failed sign-in must not sign anyone in"


@pytest.mark.parametrize("next_value", ["/%09/evil.example/", "/%0a/x", "/%5Cevil.example/", "//evil.example/"])
def test_signing_in_never_leaves_the_site_whatever_next_says(context_factory, live_server, next_value):
    """Chromium drops tabs and newlines from a redirect's target and reads `\\` as `/`: the
    server must judge `next` as the browser will read it (issue 11, item 9)."""
    page = context_factory().new_page()
    page.goto(f"/auth/sign-in?next={next_value}")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=email]").fill(ALDER)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    assert navigation.value.status == 200
    assert page.url == f"{live_server.url}/dashboard"


def test_signing_out_ends_the_session_everywhere_and_closes_its_drafting_page(signed_in_page, context_factory):
    """Signing out in one browser ends the account's other sessions: the drafting page open in
    another browser goes offline, and a copy of its cookie no longer signs in (issue 11, item 10)."""
    drafting = signed_in_page(ALDER_2)
    drafting.goto(f"/drafts/{DEMO_LETTER_ID}")
    wait_for_connected(drafting)
    cookies = drafting.context.cookies()

    elsewhere = signed_in_page(ALDER_2)
    with elsewhere.expect_navigation():
        elsewhere.get_by_role("button", name="Sign out").click()
    assert elsewhere.get_by_text("You are signed out, on this device and every other.").is_visible()

    drafting.wait_for_function(
        """() => {
            const status = document.getElementById('connection-status');
            return Boolean(status && status.textContent.startsWith(status.dataset.labelOffline));
        }""",
        timeout=WAIT_MS,
    )
    replay = context_factory()
    replay.add_cookies(cookies)
    page = replay.new_page()
    page.goto("/dashboard")
    assert "/auth/sign-in" in page.url


# --------------------------------------------------------------------------------------------- axe

PUBLIC_PAGES = [
    ("home", "/", 200),
    ("sign-in", "/auth/sign-in", 200),
    ("reset", "/auth/reset", 200),
    ("error", "/no-such-page", 404),
]

# Every page an official sees, signed in, as the officials who use it. Elsewhere, in both languages too:
# the drafting room with comments in its margin (test_comments.py), with a co-author's caret and a
# notice (test_editor.py); the clerk's lock page and tools (test_signing.py), response pages
# (test_signing_features.py), translation pages (test_translations.py).
REVIEW = f"/drafts/{DEMO_LETTER_ID}/review"
OFFICIAL_PAGES = [
    ("dashboard", ALDER, "/dashboard", 200),
    ("dashboard-clerk", CLERK, "/dashboard", 200),
    ("dashboard-reviewer", REVIEWER, "/dashboard", 200),
    ("new-letter", ALDER, "/drafts/new", 200),
    ("api-tokens", ALDER, "/account/tokens", 200),
    ("api-tokens-reviewer", REVIEWER, "/account/tokens", 200),
    ("officials", CLERK, "/officials/", 200),
    ("drafting", ALDER, f"/drafts/{DEMO_LETTER_ID}", 200),
    ("drafting-reviewer", REVIEWER, f"/drafts/{DEMO_LETTER_ID}", 200),
    ("drafting-clerk", CLERK, f"/drafts/{DEMO_LETTER_ID}", 200),
    ("review", REVIEWER, REVIEW, 200),
    ("review-history", REVIEWER, f"{REVIEW}/history", 200),
    ("review-diff", REVIEWER, f"{REVIEW}/diff", 200),
    ("review-diff-side", REVIEWER, f"{REVIEW}/diff?view=side", 200),
    ("review-authorship", REVIEWER, f"{REVIEW}/authorship", 200),
    ("review-propose", REVIEWER, f"{REVIEW}/propose", 200),
    ("review-alder", ALDER, REVIEW, 200),
    ("error", ALDER, "/drafts/9999", 404),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "path", "status"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_pages_have_no_axe_violations(context_factory, axe_check, name, path, status, lang):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()

    response = page.goto(path)

    assert response.status == status
    assert_language(page, lang)
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "email", "path", "status"), OFFICIAL_PAGES, ids=[p[0] for p in OFFICIAL_PAGES])
def test_officials_pages_have_no_axe_violations(signed_in_page, axe_check, name, email, path, status, lang):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = signed_in_page(email, **context_options(lang, bypass_csp=True))

    response = page.goto(path)

    assert response.status == status
    assert_language(page, lang)
    if name == "drafting":
        wait_for_connected(page)
    if name.startswith("drafting"):
        page.wait_for_function("() => window.undersignedDraft && window.undersignedDraft.ready")
    axe_check(page)


@pytest.fixture(scope="module")
def locked_letter(live_server) -> int:
    """A letter of this module's own, created by an alder and locked by the clerk through the API."""
    created = live_server.post("/letters", ALDER, {"title": "Light the Riverside path", "text": "Light it.\n"})
    assert created.status_code == 201, created.text
    letter_id = created.json()["id"]
    locked = live_server.post(f"/letters/{letter_id}/lock", CLERK)
    assert locked.status_code == 200, locked.text
    return letter_id


LOCKED_PAGES = [
    ("drafting-locked", ALDER, "/drafts/{id}"),
    ("public-letter-alder", ALDER, "/letters/{id}"),
    ("public-letter-reviewer", REVIEWER, "/letters/{id}"),
    ("review-locked", REVIEWER, "/drafts/{id}/review"),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "email", "path"), LOCKED_PAGES, ids=[p[0] for p in LOCKED_PAGES])
def test_officials_pages_of_a_locked_letter_have_no_axe_violations(
    signed_in_page, axe_check, locked_letter, name, email, path, lang
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = signed_in_page(email, **context_options(lang, bypass_csp=True))

    response = page.goto(path.format(id=locked_letter))

    assert response.status == 200
    assert_language(page, lang)
    if name == "drafting-locked":
        page.locator("#locked-banner").wait_for()
        page.wait_for_function("() => window.undersignedDraft && window.undersignedDraft.locked")
    axe_check(page)


# ---------------------------------------------------------------------------------------- keyboard

FOCUSED_JS = """() => {
    const el = document.activeElement;
    return {tag: el.tagName.toLowerCase(), id: el.id || '', name: el.getAttribute('name') || '',
            type: el.getAttribute('type') || '', cls: el.className || '', href: el.getAttribute('href') || ''};
}"""


def test_keyboard_reaches_the_sign_in_form_in_order_after_the_skip_link(context_factory):
    page = context_factory().new_page()
    page.goto("/auth/sign-in")

    focused = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(FOCUSED_JS))
        if focused[-1]["type"] == "submit" and focused[-1]["name"] == "submit":
            break

    first = focused[0]
    assert first["tag"] == "a" and "skip-link" in first["cls"], f"the first Tab stop is {first}"
    assert first["href"] == "#content"
    assert page.locator("#content").count() == 1
    names = [f["name"] for f in focused]
    assert "email" in names, f"Tab never reached the email field: {focused}"
    at = names.index("email")
    assert [(f["tag"], f["name"]) for f in focused[at : at + 3]] == [
        ("input", "email"),
        ("input", "password"),
        ("input", "submit"),
    ], f"Tab order after the email field: {focused[at:]}"
    assert focused[at + 2]["type"] == "submit"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sign_in_page_fits_a_360_px_screen(context_factory, lang):
    page = context_factory(**context_options(lang, viewport={"width": 360, "height": 740})).new_page()
    page.goto("/auth/sign-in")

    width = page.evaluate("() => document.documentElement.scrollWidth")

    assert width <= 360, f"the sign-in page is {width} px wide on a 360 px screen: it scrolls sideways"


# ------------------------------------------------------------------------------------- screenshots

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def test_screenshot_of_the_dashboard(signed_in_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in_page(ALDER, viewport={"width": 1280, "height": 800})
    page.goto("/dashboard")
    page.get_by_role("link", name=DEMO_LETTER_TITLE).wait_for()

    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 0


def test_screenshot_of_the_drafting_page(signed_in_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    other = signed_in_page(ALDER_2, viewport={"width": 1280, "height": 800})
    other.goto(f"/drafts/{DEMO_LETTER_ID}")
    wait_for_connected(other)
    page = signed_in_page(ALDER, viewport={"width": 1280, "height": 800})
    page.goto(f"/drafts/{DEMO_LETTER_ID}")
    wait_for_connected(page)
    # Both alders are here: the presence list shows them (a picture of co-drafting, not one person alone).
    page.wait_for_function("() => document.querySelectorAll('#presence-list li').length >= 2", timeout=WAIT_MS)

    page.screenshot(path=str(SCREENSHOTS / "drafting.png"), full_page=True)

    assert (SCREENSHOTS / "drafting.png").stat().st_size > 0
