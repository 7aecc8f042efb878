"""Residents co-sign a locked letter in a real browser: the form (on a phone, without JavaScript, in
English and Spanish), the confirmation email, the confirm button, the receipt, the public names, the live
count, withdrawal; axe-core on every page of that path and on the clerk's pages; the docs' screenshots.

The module makes its own letter (the demo letter is a draft that other browser tests type into): an alder
creates it and the clerk locks it, through the API.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage

import pytest
import requests
from babel.support import Translations

from tests.browser.conftest import (
    ALDER,
    CLERK,
    REPO_ROOT,
    WAIT_MS,
    LiveServer,
    spanish_context_options,
)
from tests.support.mailbox import html_part, links_in, text_part

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGUAGES = ["en", "es"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

# The server refuses a signing form sent less than SIGNING_FORM_MIN_SECONDS (3 s) after it rendered the
# page, as automated. A person takes longer than that to fill it in; the tests wait this long before sending.
# The server keeps the time served in whole seconds and counts the age from the end of that second
# (app/signing/form_freshness.py), so a form can look up to a second younger than it is: wait 3 + 1 s.
FORM_MIN_SECONDS = 4.1
# The public count is read from the letter's exact counter at most about once a second (LiveCounter's
# ttl), so a page loaded right after a change may show the previous number for up to a second.
COUNT_CACHE_SECONDS = 1.0

LETTER_TITLE = "Keep the Eastside branch library open on Sundays"
LETTER_TEXT = (
    "# To the Mayor and the Library Board\n\n"
    "We, the undersigned residents, ask you to keep the **Eastside branch library** open on Sundays.\n\n"
    "- It is the only quiet place to study within walking distance for many students.\n"
    "- Families who work during the week use it on the weekend.\n\n"
    "Sunday hours cost little and serve many. Please keep them.\n"
)
DRAFT_TITLE = "Plant street trees on Harbor Avenue"
RECEIPT_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


# ------------------------------------------------------------------------------------------- helpers


def context_options(lang: str, **extra) -> dict:
    options = spanish_context_options() if lang == "es" else {"locale": "en-US"}
    return {**options, **extra}


def spanish(msgid: str) -> str:
    """What the Spanish catalogue says for `msgid` (the msgid itself while it has no translation)."""
    return Translations.load(str(REPO_ROOT / "app" / "translations"), ["es"]).gettext(msgid)


def new_address(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@city.example"


def api_post(live_server: LiveServer, path: str, payload: dict | None = None, *, email: str | None = None, **headers):
    """POST JSON to /api/v1 (as an official when `email` is given); returns the response."""
    if email is not None:
        headers["Authorization"] = f"Bearer {live_server.token(email)}"
    return requests.post(
        f"{live_server.url}/api/v1{path}",
        json=payload if payload is not None else {},
        headers={"Accept": "application/json", **headers},
        timeout=10,
    )


def exact_count(live_server: LiveServer, letter_id: int) -> int:
    """The letter's signature count as the API gives it (exact, never cached)."""
    return live_server.letter(letter_id)["signature_count"]


def shown_count(page) -> int:
    return int(page.locator("#live-count").inner_text().strip())


def open_letter(page, letter_id: int, expected_count: int | None = None) -> float:
    """Open the public letter page; with `expected_count`, until it shows that count (the public count may
    lag by up to COUNT_CACHE_SECONDS). Returns when the page was rendered (time.monotonic())."""
    deadline = time.monotonic() + COUNT_CACHE_SECONDS + 4
    while True:
        response = page.goto(f"/letters/{letter_id}")
        loaded_at = time.monotonic()
        assert response.status in (200, 304), f"GET /letters/{letter_id}: {response.status}"
        if expected_count is None or shown_count(page) == expected_count:
            return loaded_at
        if time.monotonic() > deadline:
            raise AssertionError(f"the letter page shows {shown_count(page)} signatures, expected {expected_count}")
        page.wait_for_timeout(200)


def sign_form(page):
    return page.locator("form[action*='/sign']")


def fill_sign_form(page, *, name: str, email: str, ward: str | None = None, public: bool = False) -> None:
    form = sign_form(page)
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    if ward is not None:
        form.locator("select[name=ward]").select_option(value=ward)  # the label is in the page's language
    checkbox = form.locator("input[name=public]")
    assert not checkbox.is_checked(), "'Show my name publicly' must start unchecked"
    if public:
        checkbox.check()


def send_sign_form(page, loaded_at: float, *, with_enter: bool = False):
    """Send the signing form once it is old enough to be accepted; returns the response to the POST."""
    remaining = FORM_MIN_SECONDS - (time.monotonic() - loaded_at)
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)
    form = sign_form(page)
    with page.expect_navigation() as navigation:
        if with_enter:
            form.locator("input[name=email]").press("Enter")
        else:
            form.locator("[type=submit]").click()
    return navigation.value


def refused(page, response) -> str:
    """Why the signing form was refused, as the page says it."""
    errors = page.locator("main .error").all_inner_texts()
    return f"the signing form was refused ({response.status}): {errors}"


def confirmation_link(live_server: LiveServer, address: str) -> tuple[str, EmailMessage]:
    """The one link in the confirmation email to `address`, and the message."""
    messages = live_server.smtp.mailbox.wait_for(address, timeout=WAIT_MS / 1000)
    assert len(messages) == 1, f"{len(messages)} messages to {address}, expected one confirmation"
    [message] = messages
    links = links_in(message)
    assert len(links) == 1, f"the confirmation email has {len(links)} links: {links}"
    [link] = links
    assert link.startswith(f"{live_server.url}/signatures/confirm/"), link
    hrefs = set(re.findall(r'href="([^"]+)"', html_part(message)))
    assert hrefs == {link}, f"the HTML part links to {hrefs}, the text part to {link}"
    return link, message


def sign_by_api(live_server: LiveServer, letter_id: int, *, name: str, email: str, public: bool = False) -> str:
    """A resident signs through the API; returns the link from the confirmation email."""
    response = api_post(
        live_server, f"/letters/{letter_id}/signatures", {"name": name, "email": email, "public": public}
    )
    assert response.status_code == 202, f"signing by API: {response.status_code} {response.text}"
    return confirmation_link(live_server, email)[0]


def confirm_by_api(live_server: LiveServer, link: str) -> str:
    response = api_post(live_server, "/signatures/confirm", {"token": link.rsplit("/", 1)[-1]})
    assert response.status_code == 200, f"confirming by API: {response.status_code} {response.text}"
    return response.json()["receipt_code"]


def confirm_in_browser(page, link: str):
    """Open the confirmation link and press the button; returns the receipt page's response."""
    assert page.goto(link).status == 200
    with page.expect_navigation() as navigation:
        page.locator("#confirm-signature button[type=submit]").click()
    return navigation.value


def lang_of(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def public_names(page) -> list[str]:
    return [name.strip() for name in page.locator("ul.public-names li").all_inner_texts()]


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def letter(live_server: LiveServer) -> dict:
    """A letter of this module's own: created by an alder and locked by the clerk, through the API."""
    created = api_post(live_server, "/letters", {"title": LETTER_TITLE, "text": LETTER_TEXT}, email=ALDER)
    assert created.status_code == 201, f"creating the letter: {created.status_code} {created.text}"
    letter_id = created.json()["id"]
    locked = api_post(live_server, f"/letters/{letter_id}/lock", email=CLERK)
    assert locked.status_code == 200, f"locking the letter: {locked.status_code} {locked.text}"
    content_hash = locked.json()["content_hash"]
    assert content_hash == hashlib.sha256(created.json()["text"].encode("utf-8")).hexdigest()
    return {"id": letter_id, "title": LETTER_TITLE, "content_hash": content_hash}


@pytest.fixture(scope="module")
def draft_letter(live_server: LiveServer) -> dict:
    """A letter still being drafted (for the clerk's lock confirmation page); nobody types into it."""
    created = api_post(live_server, "/letters", {"title": DRAFT_TITLE, "text": "Plant trees.\n"}, email=ALDER)
    assert created.status_code == 201, f"creating the draft: {created.status_code} {created.text}"
    return created.json()


# --------------------------------------------------------------------------------- the whole path


def test_a_resident_signs_on_a_360_px_phone_without_javascript(context_factory, live_server, letter):
    page = context_factory(java_script_enabled=False, viewport=PHONE, locale="en-US").new_page()
    name, email = "Rosalind Achterberg", "rosalind.achterberg@city.example"
    before = exact_count(live_server, letter["id"])

    loaded_at = open_letter(page, letter["id"], expected_count=before)

    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the letter page is {width} px wide on a 360 px screen: it scrolls sideways"
    fill_sign_form(page, name=name, email=email, ward="Ward 7")
    submit = sign_form(page).locator("[type=submit]")
    box = submit.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"the sign button is at {box}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The picture for the docs: the filled-in form at the top of the phone's screen, nothing focused.
    page.evaluate("() => { document.activeElement.blur(); document.getElementById('sign-heading').scrollIntoView(); }")
    page.screenshot(path=str(SCREENSHOTS / "sign-phone.png"))

    response = send_sign_form(page, loaded_at, with_enter=True)

    assert response.status == 202, refused(page, response)
    assert page.get_by_role("heading", name="Check your email").is_visible()
    link, message = confirmation_link(live_server, email)
    assert name in text_part(message)

    # Opening the link (as a mail scanner would) shows a button and confirms nothing.
    assert page.goto(link).status == 200
    assert page.get_by_role("button", name="Confirm my signature").is_visible()
    assert exact_count(live_server, letter["id"]) == before
    open_letter(page, letter["id"], expected_count=before)
    assert page.goto(link).status == 200
    assert page.get_by_role("button", name="Confirm my signature").is_visible(), "opening the link confirmed it"

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Confirm my signature").click()

    assert navigation.value.status == 200
    assert page.get_by_role("heading", name="Your signature is confirmed").is_visible()
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT_CODE.match(code), f"receipt code {code!r}"
    assert page.locator("dl.receipt code.hash").inner_text().strip() == letter["content_hash"]
    assert exact_count(live_server, letter["id"]) == before + 1
    open_letter(page, letter["id"], expected_count=before + 1)
    html = page.content()
    assert name not in html, "a signer who kept their name private is named on the public page"
    assert email not in html
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the letter page is {width} px wide after signing"


def test_a_resident_signs_in_spanish(context_factory, live_server, letter):
    page = context_factory(**context_options("es")).new_page()
    name, email = "Lucía Fernández", new_address("lucia")
    before = exact_count(live_server, letter["id"])

    loaded_at = open_letter(page, letter["id"], expected_count=before)

    assert lang_of(page) == "es"
    # The button says what the Spanish catalogue says (see the report if it still has no translation).
    assert sign_form(page).locator("[type=submit]").get_attribute("value") == spanish("Sign the letter")
    ward_option = sign_form(page).locator("select[name=ward] option[value='Ward 12']")
    assert ward_option.inner_text() == spanish("Ward %(number)s") % {"number": "12"}  # "Distrito 12"
    fill_sign_form(page, name=name, email=email, ward="Ward 12")
    response = send_sign_form(page, loaded_at)
    assert response.status == 202, refused(page, response)
    assert lang_of(page) == "es"
    assert page.get_by_role("heading", name=spanish("Check your email")).is_visible()

    link, message = confirmation_link(live_server, email)
    body = text_part(message)
    assert f"Hola, {name}," in body, f"the confirmation email is not in Spanish:\n{body}"
    assert "Hello" not in body

    assert page.goto(link).status == 200
    assert lang_of(page) == "es"
    with page.expect_navigation():
        page.get_by_role("button", name=spanish("Confirm my signature")).click()
    assert lang_of(page) == "es"
    assert RECEIPT_CODE.match(page.locator("#receipt-code").inner_text().strip())
    assert page.locator("dl.receipt code.hash").inner_text().strip() == letter["content_hash"]
    open_letter(page, letter["id"], expected_count=before + 1)
    assert name not in page.content()


def test_a_public_signer_is_listed_and_the_live_count_follows_new_signatures(context_factory, live_server, letter):
    page = context_factory(locale="en-US").new_page()
    name, email = "Ingrid Balogun", new_address("ingrid")
    before = exact_count(live_server, letter["id"])
    loaded_at = open_letter(page, letter["id"], expected_count=before)
    fill_sign_form(page, name=name, email=email, public=True)
    assert send_sign_form(page, loaded_at).status == 202
    link, _ = confirmation_link(live_server, email)

    assert confirm_in_browser(page, link).status == 200

    open_letter(page, letter["id"], expected_count=before + 1)
    assert name in public_names(page)
    assert email not in page.content()
    assert page.errors == []

    # Another resident signs and confirms elsewhere: the open page's count follows without a reload.
    other = new_address("other")
    confirm_by_api(live_server, sign_by_api(live_server, letter["id"], name="Kwame Mensah", email=other))
    page.wait_for_function(
        "(expected) => document.getElementById('live-count').textContent.trim() === String(expected)",
        arg=before + 2,
        timeout=10_000,
    )
    # The words after the number agree with it ("1 resident has signed", "2 residents have signed").
    label = page.locator("#live-count-label").inner_text().strip()
    assert label == ("resident has signed" if before + 2 == 1 else "residents have signed")
    assert page.errors == []


def test_a_signer_withdraws_from_the_receipt_page(context_factory, live_server, letter):
    page = context_factory(locale="en-US").new_page()
    name, email = "Tobias Quartermaine", new_address("tobias")
    before = exact_count(live_server, letter["id"])
    link = sign_by_api(live_server, letter["id"], name=name, email=email, public=True)
    assert confirm_in_browser(page, link).status == 200
    assert page.get_by_role("heading", name="Your signature is confirmed").is_visible()
    assert exact_count(live_server, letter["id"]) == before + 1

    page.get_by_role("link", name="Withdraw my signature").click()
    page.wait_for_url("**/signatures/withdraw/**")
    withdraw_url = page.url
    assert page.get_by_role("heading", name="Withdraw your signature").is_visible()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Withdraw my signature").click()

    assert navigation.value.status == 200
    assert page.get_by_role("heading", name="Signature withdrawn").is_visible()
    assert exact_count(live_server, letter["id"]) == before
    page.get_by_role("link", name="Back to the letter").click()
    page.wait_for_url(f"**/letters/{letter['id']}")
    open_letter(page, letter["id"], expected_count=before)
    assert name not in page.content()
    # The withdrawal link works once; the old confirmation link cannot bring the signature back.
    assert page.goto(withdraw_url).status == 404
    assert page.goto(link).status in (200, 404)
    button = page.locator("#confirm-signature button[type=submit]")
    if button.count():
        with page.expect_navigation():
            button.click()
    assert exact_count(live_server, letter["id"]) == before


def test_a_resident_checks_and_corrects_what_the_link_records_before_confirming(context_factory, live_server, letter):
    page = context_factory(locale="en-US").new_page()
    before = exact_count(live_server, letter["id"])
    link = sign_by_api(live_server, letter["id"], name="Wrong Name", email=new_address("corrects"), public=True)

    assert page.goto(link).status == 200
    recorded = page.locator("#to-be-recorded")
    assert "Wrong Name" in recorded.inner_text() and "Yes" in recorded.inner_text()
    page.get_by_text("Something is wrong? Correct it before you confirm").click()
    page.get_by_label("Your name").fill("Right Name")
    page.get_by_label("Show my name publicly on this page").uncheck()
    with page.expect_navigation() as saved:
        page.get_by_role("button", name="Save the corrections").click()

    assert saved.value.status == 200
    assert "Right Name" in recorded.inner_text() and "No: only counted" in recorded.inner_text()
    assert exact_count(live_server, letter["id"]) == before, "saving the corrections confirmed the signature"
    with page.expect_navigation() as confirmed:
        page.get_by_role("button", name="Confirm my signature").click()
    assert confirmed.value.status == 200
    assert page.get_by_role("heading", name="Your signature is confirmed").is_visible()
    open_letter(page, letter["id"], expected_count=before + 1)
    assert "Right Name" not in page.content() and "Wrong Name" not in page.content()


# --------------------------------------------------------------------------------------------- axe


def _letter_page(page, live_server, letter) -> None:
    open_letter(page, letter["id"])


def _check_email_page(page, live_server, letter) -> None:
    loaded_at = open_letter(page, letter["id"])
    fill_sign_form(page, name="Axe Checker", email=new_address("axe-check"), ward="Ward 3")
    assert send_sign_form(page, loaded_at).status == 202


def _confirm_page(page, live_server, letter) -> None:
    link = sign_by_api(live_server, letter["id"], name="Axe Confirmer", email=new_address("axe-confirm"))
    assert page.goto(link).status == 200


def _receipt_page(page, live_server, letter) -> None:
    link = sign_by_api(live_server, letter["id"], name="Axe Receipt", email=new_address("axe-receipt"))
    assert confirm_in_browser(page, link).status == 200
    assert page.locator("#receipt-code").count() == 1


def _withdraw_page(page, live_server, letter) -> None:
    _receipt_page(page, live_server, letter)
    page.locator("main a[href*='/signatures/withdraw/']").click()
    page.wait_for_url("**/signatures/withdraw/**")


def _withdrawn_page(page, live_server, letter) -> None:
    _withdraw_page(page, live_server, letter)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200


def _flyer_page(page, live_server, letter) -> None:
    assert page.goto(f"/letters/{letter['id']}/flyer").status == 200


PUBLIC_STEPS: list[tuple[str, Callable]] = [
    ("letter", _letter_page),
    ("check-email", _check_email_page),
    ("confirm", _confirm_page),
    ("receipt", _receipt_page),
    ("withdraw", _withdraw_page),
    ("withdrawn", _withdrawn_page),
    ("flyer", _flyer_page),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "go"), PUBLIC_STEPS, ids=[step[0] for step in PUBLIC_STEPS])
def test_signing_pages_have_no_axe_violations(context_factory, axe_check, live_server, letter, name, go, lang):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()

    go(page, live_server, letter)

    assert lang_of(page) == lang
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["lock", "tools"])
def test_clerks_pages_have_no_axe_violations(signed_in_page, axe_check, letter, draft_letter, name, lang):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = signed_in_page(CLERK, **context_options(lang, bypass_csp=True))
    path = f"/drafts/{draft_letter['id']}/lock" if name == "lock" else f"/letters/{letter['id']}/tools"

    response = page.goto(path)

    assert response.status == 200
    assert lang_of(page) == lang
    assert page.locator("main form button[type=submit]").count() >= 1
    axe_check(page)


# ------------------------------------------------------------------------------------- screenshots


def test_screenshot_of_the_public_letter(context_factory, live_server, letter):
    # Someone who chose to show their name, so that the picture has the list of names too.
    link = sign_by_api(live_server, letter["id"], name="Amara Nwosu", email=new_address("amara"), public=True)
    confirm_by_api(live_server, link)
    page = context_factory(locale="en-US", viewport=DESKTOP).new_page()
    open_letter(page, letter["id"], expected_count=exact_count(live_server, letter["id"]))
    assert "Amara Nwosu" in public_names(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.screenshot(path=str(SCREENSHOTS / "public-letter.png"), full_page=True)

    assert (SCREENSHOTS / "public-letter.png").stat().st_size > 0
