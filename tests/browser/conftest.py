"""Fixtures for the browser tests: a real server process (``python wsgi.py``) on a free port with its own
SQLite database, instance folder and SMTP server; Debian's Chromium driven by Playwright's sync API;
signed-in pages; and an axe-core check.

Nothing here downloads a browser: Playwright launches /usr/bin/chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.mailbox import SMTPServer, free_port
from tests.support.services import CHROMIUM, chromium_available, require_part

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

DEMO_PASSWORD = "undersigned-demo"
CLERK = "clerk@demo.undersigned.example"
ALDER = "alder.okafor@demo.undersigned.example"
ALDER_2 = "alder.lindqvist@demo.undersigned.example"
REVIEWER = "mayors.office@demo.undersigned.example"
DEMO_LETTER_ID = 1
DEMO_LETTER_TITLE = "Affirm our city's sanctuary status"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 30.0
WAIT_MS = 20_000  # generous timeout for every explicit wait in the browser


# ----------------------------------------------------------------------------------------- bundle


def _bundle_is_stale() -> bool:
    """True when a bundle is missing or older than a source file it is built from."""
    sources = [*(REPO_ROOT / "static" / "js").rglob("*.js"), REPO_ROOT / "package.json"]
    newest_source = max((path.stat().st_mtime for path in sources if path.exists()), default=0.0)
    for name in ("drafting.js", "site.js", "review.js"):
        bundle = REPO_ROOT / "static" / "dist" / name
        if not bundle.exists() or bundle.stat().st_mtime < newest_source:
            return True
    return False


def ensure_bundle() -> None:
    """Build static/dist with esbuild (`npm run build`) when it is missing or stale."""
    if not _bundle_is_stale():
        return
    if not (REPO_ROOT / "node_modules" / ".bin" / "esbuild").exists():
        pytest.fail("static/dist is missing or stale and node_modules has no esbuild: run `npm ci`")
    result = subprocess.run(["npm", "run", "--silent", "build"], cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"`npm run build` failed:\n{result.stdout}\n{result.stderr}")


# ------------------------------------------------------------------------------------ live server


@dataclass
class LiveServer:
    """The running app: its base URL, its SMTP server, and the environment it was started with."""

    url: str
    smtp: SMTPServer
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` against the same database and instance folder."""
        return subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )

    def token(self, email: str) -> str:
        """An API token for an official (issued once per test session with `flask users token`)."""
        if email not in self._tokens:
            lines = self.flask("users", "token", email).stdout.strip().splitlines()
            assert lines, f"`flask users token {email}` printed nothing"
            self._tokens[email] = lines[-1].strip()
        return self._tokens[email]

    def api(self, path: str, email: str) -> dict:
        """GET a JSON API path (under /api/v1) as an official."""
        response = requests.get(
            f"{self.url}/api/v1{path}",
            headers={"Authorization": f"Bearer {self.token(email)}", "Accept": "application/json"},
            timeout=10,
        )
        assert response.status_code == 200, f"GET /api/v1{path}: {response.status_code} {response.text}"
        return response.json()

    def post(self, path: str, email: str, payload: dict | None = None) -> requests.Response:
        """POST JSON to a path under /api/v1 as an official; the response, whatever its status."""
        return requests.post(
            f"{self.url}/api/v1{path}",
            json=payload if payload is not None else {},
            headers={"Authorization": f"Bearer {self.token(email)}", "Accept": "application/json"},
            timeout=10,
        )

    def letter(self, letter_id: int = DEMO_LETTER_ID, email: str = ALDER) -> dict:
        return self.api(f"/letters/{letter_id}", email)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def assert_running(self) -> None:
        """Fail clearly, with its output, if the server process has exited."""
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(
                f"the server process exited with code {self.process.returncode}:\n{self.output()[-5000:]}",
                pytrace=False,
            )


# The running server, for the failure report below (one per test session and xdist worker).
_running: list[LiveServer] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Add the end of the server's output to every failed browser test's report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _running:
        lines = _running[0].output().splitlines()[-60:]
        report.sections.append(("server output (last 60 lines)", "\n".join(lines)))


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def browser_smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, browser_smtp: SMTPServer) -> Iterator[LiveServer]:
    """`python wsgi.py` on a free loopback port, on a fresh migrated SQLite database with the demo data."""
    ensure_bundle()
    tmp = tmp_path_factory.mktemp("browser-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "UNDERSIGNED_INSTANCE_PATH": str(tmp / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp / 'browser.sqlite3'}",
        "SECRET_KEY": "browser-test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(browser_smtp.port),
        # Every browser context signs in from 127.0.0.1, many times a minute: exempt loopback from the
        # per-address rate limits (the documented knob for one busy address) so that sign-ins are not refused.
        "RATE_LIMIT_ALLOWLIST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    server = LiveServer(url=url, smtp=browser_smtp, env=env, log_path=tmp / "server.log")
    for command in (("db", "upgrade"), ("seed-demo",)):
        try:
            server.flask(*command)
        except subprocess.CalledProcessError as error:
            pytest.fail(f"`flask --app wsgi {' '.join(command)}` failed:\n{error.stdout}\n{error.stderr}")

    log = server.log_path.open("wb")
    server.process = subprocess.Popen(
        [str(VENV_BIN / "python"), "wsgi.py"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _healthy(url):
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.process.kill()
            server.process.wait()
            log.close()
            print(f"--- output of `python wsgi.py` ---\n{server.output()}", file=sys.stderr)
            pytest.fail(f"the server did not answer GET {url}/healthz with 200 within {STARTUP_TIMEOUT:.0f} s")
        time.sleep(0.2)
    _running.append(server)
    try:
        yield server
    finally:
        _running.remove(server)
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        log.close()


# ---------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright_driver():
    require_part(chromium_available(), "Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    require_part(chromium_available(), "Debian's Chromium")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context_factory(browser, live_server: LiveServer) -> Iterator[Callable]:
    """Make new browser contexts (own cookies, own storage) on the live server; all closed after the test.

    Keyword arguments go to `browser.new_context` (locale, viewport, bypass_csp, ...). Every page made in
    such a context records its uncaught script errors in `page.errors` (a list of strings).
    """
    contexts = []

    def make(**kwargs):
        live_server.assert_running()
        if not browser.is_connected():
            pytest.fail("Chromium is gone (it crashed or was killed); later browser tests cannot run", pytrace=False)
        kwargs.setdefault("base_url", live_server.url)
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**kwargs)
        context.set_default_timeout(WAIT_MS)

        def watch(page):
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))

        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        try:
            context.close()
        except Exception as error:  # a crashed context must not hide the test's own result
            print(f"closing a browser context failed: {error}", file=sys.stderr)


def spanish_context_options() -> dict:
    """A context that asks for Spanish, as a Spanish-speaking resident's browser would."""
    return {"locale": "es-ES", "extra_http_headers": {"Accept-Language": "es"}}


def sign_in(page, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the form at /auth/sign-in; returns the response to the form's POST."""
    page.goto("/auth/sign-in")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    return navigation.value


@pytest.fixture
def signed_in_page(context_factory) -> Callable:
    """`signed_in_page(email, **context_options)`: a page in a new context, signed in as that official."""

    def open_page(email: str, **context_options):
        context = context_factory(**context_options)
        page = context.new_page()
        sign_in(page, email)
        assert "/auth/sign-in" not in page.url, f"signing in as {email} failed: still on {page.url}"
        return page

    return open_page


# ---------------------------------------------------------------------------------------- drafting


def wait_for_connected(page) -> None:
    """Wait until the drafting page says it is connected (the `connected` label) and has the text."""
    page.wait_for_function(
        """() => {
            const status = document.getElementById('connection-status');
            const draft = window.undersignedDraft;
            return Boolean(status && draft && draft.ready
                && status.textContent.trim() === (status.dataset.labelConnected || '').trim());
        }""",
        timeout=WAIT_MS,
    )


IDLE_JS = """(minRevision) => {
    const draft = window.undersignedDraft;
    const editor = window.undersignedEditor;
    return Boolean(draft && editor && draft.ready && draft.connected && draft.inRoom && draft.idle
        && draft.pendingCount === 0 && draft.revision >= minRevision && editor.text() === draft.text);
}"""


def wait_until_idle(page, min_revision: int = 0) -> None:
    """Wait until the page's drafting session is connected, idle and at least at `min_revision`."""
    page.wait_for_function(IDLE_JS, arg=min_revision, timeout=WAIT_MS)


def settle(live_server: LiveServer, *pages) -> dict:
    """Wait until every page has sent all it has and applied every revision; return the server's letter.

    First every page becomes idle (its edits are stored); then every page catches up with the server's
    revision; the server's letter must not have moved meanwhile.
    """
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        for page in pages:
            wait_until_idle(page)
        letter = live_server.letter()
        for page in pages:
            wait_until_idle(page, letter["revision"])
        again = live_server.letter()
        if again["revision"] == letter["revision"] and all(
            page.evaluate("() => window.undersignedDraft.revision") == letter["revision"] for page in pages
        ):
            return again
        if time.monotonic() > deadline:
            raise AssertionError(f"the pages did not settle on one revision (server at {again['revision']})")


def textarea_value(page) -> str:
    """The text the drafting page's editor (CodeMirror) shows."""
    return page.evaluate("() => window.undersignedEditor.text()")


def editor_is_editable(page) -> bool:
    return page.evaluate("() => document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'")


# ------------------------------------------------------------------------------------------- axe


@pytest.fixture
def axe_check() -> Callable:
    """`axe_check(page)`: run axe-core on the page and fail listing every violation.

    The page's context must be made with `bypass_csp=True`: `page.add_script_tag(path=...)` inserts the
    script's text inline, which the app's Content-Security-Policy (`script-src 'self'`, no inline script)
    rightly blocks. Bypassing the CSP in the test's browser is the only change; the app's CSP stays as it is.
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` (axe-core is a dev dependency in package.json)")

    def check(page) -> list[dict]:
        page.add_script_tag(path=str(AXE_SCRIPT))
        if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
            pytest.fail("axe-core did not load: was the context made with bypass_csp=True?")
        violations = page.evaluate(
            """async () => {
                const results = await window.axe.run(document, {resultTypes: ['violations']});
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
                }));
            }"""
        )
        if violations:
            lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
            for violation in violations:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
                for node in violation["nodes"]:
                    lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
                    if node["summary"]:
                        lines.extend(f"      {line}" for line in node["summary"].splitlines())
            report = "\n".join(lines)
            print(report)
            pytest.fail(report, pytrace=False)
        return violations

    return check
