"""Receipts anyone can check, the answer published, and the ward chart, in a real browser: the receipt
check with Web Crypto in the page (the code never sent) and without JavaScript (the server answers); the
clerk's response pages and the unsubscribe link; the chart on a 360 px phone and where there is no room;
axe-core on every new page in English and Spanish."""

from __future__ import annotations

import re

import pytest
import requests

from tests.browser.conftest import CLERK, WAIT_MS, LiveServer
from tests.browser.test_signing import (
    LANGUAGES,
    PHONE,
    api_post,
    confirm_by_api,
    context_options,
    lang_of,
    new_address,
    spanish,
)
from tests.support.mailbox import links_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LETTER_TEXT = "# To the Transit Board\n\nRun the number 9 bus every ten minutes at rush hour.\n"
FOUND = "Found: this receipt is in the published log, and its signature is counted."
NOT_FOUND = "Not found: this code is not in the published log"


@pytest.fixture(scope="module")
def letter(live_server: LiveServer) -> dict:
    created = api_post(live_server, "/letters", {"title": "More buses on route 9", "text": LETTER_TEXT}, email=CLERK)
    assert created.status_code == 201, created.text
    letter_id = created.json()["id"]
    assert api_post(live_server, f"/letters/{letter_id}/lock", email=CLERK).status_code == 200
    return {"id": letter_id}


@pytest.fixture(scope="module")
def receipt(live_server: LiveServer, letter: dict) -> str:
    """A receipt code of a confirmed signature on the module's letter (with a ward, for the chart)."""
    address = new_address("receipt")
    response = api_post(
        live_server, f"/letters/{letter['id']}/signatures", {"name": "Rae Check", "email": address, "ward": "Ward 9"}
    )
    assert response.status_code == 202
    [message] = live_server.smtp.mailbox.wait_for(address, timeout=WAIT_MS / 1000)
    return confirm_by_api(live_server, links_in(message)[0])


def new_unsubscribe_link(live_server: LiveServer, letter_id: int, lang: str = "en") -> str:
    """A new subscriber (signed in `lang`, asking for updates) and the unsubscribe link from the email
    of a response the clerk then sends through the API."""
    address = new_address("updates")
    response = api_post(
        live_server,
        f"/letters/{letter_id}/signatures",
        {"name": "Una Updates", "email": address, "updates": True},
        **{"Accept-Language": lang},
    )
    assert response.status_code == 202
    [confirmation] = live_server.smtp.mailbox.wait_for(address, timeout=WAIT_MS / 1000)
    confirm_by_api(live_server, links_in(confirmation)[0])
    created = api_post(
        live_server, f"/letters/{letter_id}/responses", {"source": "Transit Board", "text": "Approved."}, email=CLERK
    )
    assert created.status_code == 201, created.text
    assert api_post(live_server, f"/responses/{created.json()['id']}/send", email=CLERK).status_code == 200
    messages = live_server.smtp.mailbox.wait_for(address, count=3, timeout=WAIT_MS / 1000)
    [mail] = [m for m in messages if any("/updates/unsubscribe/" in link for link in links_in(m))]
    subject = "Lo que resultó de la carta" if lang == "es" else "What came of the letter"
    assert subject in mail["Subject"], f"the response email is not in the signer's language: {mail['Subject']}"
    [link] = [link for link in links_in(mail) if "/updates/unsubscribe/" in link]
    return link


@pytest.fixture(scope="module")
def unsubscribe_link(live_server: LiveServer, letter: dict) -> str:
    return new_unsubscribe_link(live_server, letter["id"], "es")


def check_code(page, code: str) -> None:
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Check my receipt").click()


def test_the_browser_checks_a_receipt_itself_with_web_crypto(context_factory, live_server, letter, receipt):
    page = context_factory(locale="en-US").new_page()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    assert page.goto(f"/letters/{letter['id']}/receipt").status == 200
    page.wait_for_selector("#receipt-check[data-checks-in-browser=true]")

    check_code(page, receipt.lower().replace("-", " "))

    answer = page.locator("#receipt-answer[data-checked-by=browser]")
    answer.wait_for()
    assert answer.get_attribute("data-found") == "true"
    assert FOUND in answer.inner_text() and "chain of hashes is intact" in answer.inner_text()
    assert "Checked by your browser" in answer.inner_text()
    check_code(page, "AAAA-BBBB-CCCC")
    page.wait_for_function("() => document.getElementById('receipt-answer').dataset.found === 'false'")
    assert NOT_FOUND in page.locator("#receipt-answer").inner_text()
    assert posts == [], f"the receipt code left the page: {posts}"
    assert page.errors == []


def test_without_javascript_the_server_checks_the_receipt(context_factory, live_server, letter, receipt):
    page = context_factory(java_script_enabled=False, viewport=PHONE, locale="en-US").new_page()
    assert page.goto(f"/letters/{letter['id']}/receipt").status == 200

    with page.expect_navigation() as navigation:
        check_code(page, receipt)

    assert navigation.value.status == 200
    answer = page.locator("#receipt-answer")
    assert answer.get_attribute("data-checked-by") == "server" and answer.get_attribute("data-found") == "true"
    assert FOUND in answer.inner_text() and "Checked by the server" in answer.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_navigation():
        check_code(page, "not a receipt")
    assert NOT_FOUND in page.locator("#receipt-answer").inner_text()


def test_the_receipt_check_in_spanish_in_the_browser(context_factory, live_server, letter, receipt):
    page = context_factory(**context_options("es")).new_page()
    assert page.goto(f"/letters/{letter['id']}/receipt").status == 200
    page.wait_for_selector("#receipt-check[data-checks-in-browser=true]")
    page.get_by_label(spanish("Your receipt code")).fill(receipt)
    page.get_by_role("button", name=spanish("Check my receipt")).click()
    answer = page.locator("#receipt-answer[data-checked-by=browser]")
    answer.wait_for()
    assert lang_of(page) == "es"
    assert spanish("Found: this receipt is in the published log, and its signature is counted.") in answer.inner_text()


def test_the_ward_chart_reads_on_a_phone_and_is_a_plain_table_without_room(context_factory, letter, receipt):
    phone = context_factory(java_script_enabled=False, viewport=PHONE, locale="en-US").new_page()
    assert phone.goto(f"/letters/{letter['id']}").status in (200, 304)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    label = phone.locator("table.ward-chart th[scope=row]").first
    assert label.inner_text() == "Ward 9"
    assert float(label.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")) >= 14
    bar = phone.locator("table.ward-chart svg.bar").first
    assert bar.is_visible() and bar.bounding_box()["width"] > 50
    number = phone.locator("table.ward-chart .n").first
    assert number.is_visible() and re.fullmatch(r"\d+", number.inner_text())

    narrow = context_factory(java_script_enabled=False, viewport={"width": 280, "height": 600}).new_page()
    assert narrow.goto(f"/letters/{letter['id']}").status in (200, 304)
    assert narrow.locator("table.ward-chart").is_visible()
    assert not narrow.locator("table.ward-chart svg.bar").first.is_visible(), "bars shown where there is no room"
    assert narrow.locator("table.ward-chart .n").first.is_visible()


def test_unsubscribing_works_once_without_signing_in(context_factory, live_server, unsubscribe_link):
    page = context_factory(**context_options("es")).new_page()
    assert page.goto(unsubscribe_link).status == 200
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=spanish("Stop the updates and delete my address")).click()
    assert navigation.value.status == 200
    assert page.get_by_role("heading", name=spanish("No more updates")).is_visible()
    assert page.goto(unsubscribe_link).status == 404
    assert requests.get(unsubscribe_link, timeout=10).status_code == 404


def _receipt_page(page, letter, receipt):
    assert page.goto(f"/letters/{letter['id']}/receipt").status == 200


def _receipt_answer(page, letter, receipt):
    _receipt_page(page, letter, receipt)
    page.wait_for_selector("#receipt-check[data-checks-in-browser=true]")
    page.locator("#receipt-check input[name=code]").fill(receipt)
    page.locator("#receipt-check [type=submit]").click()
    page.locator("#receipt-answer[data-checked-by=browser]").wait_for()


def _letter_with_response(page, letter, receipt):
    assert page.goto(f"/letters/{letter['id']}").status in (200, 304)


PUBLIC_PAGES = [("receipt", _receipt_page), ("receipt-answer", _receipt_answer), ("letter", _letter_with_response)]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "go"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_new_public_pages_have_no_axe_violations(
    context_factory, axe_check, letter, receipt, unsubscribe_link, name, go, lang
):
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP blocks (see axe_check).
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()
    go(page, letter, receipt)
    assert lang_of(page) == lang
    if name == "letter":
        assert page.locator(".letter-response").count() >= 1, "the sent response is not on the page"
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_unsubscribe_page_has_no_axe_violations(context_factory, axe_check, live_server, letter, lang):
    link = new_unsubscribe_link(live_server, letter["id"], lang)
    page = context_factory(**context_options(lang, bypass_csp=True)).new_page()

    assert page.goto(link).status == 200

    assert lang_of(page) == lang
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["list", "draft", "sent"])
def test_the_clerks_response_pages_have_no_axe_violations(signed_in_page, axe_check, live_server, letter, name, lang):
    page = signed_in_page(CLERK, **context_options(lang, bypass_csp=True))
    path = f"/letters/{letter['id']}/responses"
    if name != "list":
        created = api_post(live_server, path, {"source": "Transit Board", "text": "Approved."}, email=CLERK)
        response_id = created.json()["id"]
        if name == "sent":
            assert api_post(live_server, f"/responses/{response_id}/send", email=CLERK).status_code == 200
        path = f"{path}/{response_id}"

    assert page.goto(path).status == 200

    assert lang_of(page) == lang
    axe_check(page)
