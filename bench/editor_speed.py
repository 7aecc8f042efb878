"""The drafting room's editor under load: a letter of 199,000 characters (the limit is 200,000; the typing
needs room) in Chromium, receiving 20 remote
edits a second from another drafter while the person types.

Starts `python wsgi.py` on a free loopback port with a fresh SQLite database and the demo data, creates a
letter of 199,000 UTF-16 units through the API, opens its drafting page in Debian's Chromium
(Playwright, headless) as one alder, and connects a second alder with python-socketio that sends
`--rate` edits a second (a word inserted at a random place, each made on the newest revision it has).
Meanwhile the page types `--seconds` of text at `--key-delay` ms per key. In the page:

* frame time: the gaps between consecutive `requestAnimationFrame` callbacks (16.7 ms is 60 frames a
  second; a long gap is a stall);
* keystroke to screen: from a key's `keydown` event to the first animation frame after the editor
  shows that key's character (the frame that paints it).

It prints and writes (bench/results/editor_speed.json) the median, 95th percentile and maximum of both,
how many remote edits the page applied, and whether every text ended equal to the server's.

    .venv/bin/python bench/editor_speed.py
    .venv/bin/python bench/editor_speed.py --seconds 20 --rate 20 --key-delay 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.sync import apply_patch_exact, make_patch  # noqa: E402
from tests.support.mailbox import free_port  # noqa: E402
from tests.support.services import CHROMIUM  # noqa: E402

ALDER = "alder.okafor@demo.undersigned.example"
ALDER_2 = "alder.lindqvist@demo.undersigned.example"
PASSWORD = "undersigned-demo"  # noqa: S105  (the demo data's published password)
UNITS = 199_000  # the letter's size: 200,000 is the limit, and the person needs room to type
LINE = "We, the residents of Ward 7, ask the council to act on the plan \u2014 se\u00f1al, \u5e02\u6c11 \U0001f3e0.\n"

MEASURE_JS = """() => {
  const m = { frames: [], keys: [], queued: [], pending: [] };
  let last = performance.now();
  const loop = (now) => { m.frames.push(now - last); last = now; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  const editor = window.undersignedEditor;
  document.addEventListener('keydown', (event) => {
    if (event.key.length !== 1) return;
    m.queued.push(performance.now() - event.timeStamp);
    m.pending.push({ t0: event.timeStamp, length: editor.view.state.doc.length });
    const check = (now) => {
      while (m.pending.length && editor.view.state.doc.length !== m.pending[0].length) {
        m.keys.push(now - m.pending.shift().t0);
      }
      if (m.pending.length) requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, true);
  window.__editorBench = m;
}"""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def big_letter() -> str:
    text = LINE * (UNITS // utf16_len(LINE))
    return text + "." * (UNITS - utf16_len(text))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * (len(ordered) - 1) + 0.5))] if ordered else float("nan")


def summary(values: list[float]) -> dict:
    return {
        "count": len(values),
        "median_ms": round(percentile(values, 0.5), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2) if values else None,
    }


class Server:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "UNDERSIGNED_INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "SECRET_KEY": "editor-bench",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "RATE_LIMIT_ALLOWLIST": "127.0.0.1",
        }
        for key in ("SOCKETIO_MESSAGE_QUEUE", "RATELIMIT_STORAGE_URI", "SMTP_HOST"):
            self.env.pop(key, None)
        for command in (("db", "upgrade"), ("seed-demo",)):
            self.flask(*command)
        self.log = (tmp / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "wsgi.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not start")

    def flask(self, *args: str) -> str:
        return subprocess.run(
            [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def token(self, email: str) -> str:
        return self.flask("users", "token", email).strip().splitlines()[-1].strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


class RemoteDrafter(threading.Thread):
    """A second alder sending `rate` edits a second, each on the newest revision it has."""

    def __init__(self, url: str, token: str, letter_id: int, rate: float, seed: int = 1) -> None:
        super().__init__(daemon=True)
        import socketio

        self.sio = socketio.Client()
        self.url, self.token, self.letter_id, self.rate = url, token, letter_id, rate
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.refused = 0
        self.text = ""
        self.revision = 0
        self.buffer: dict[int, dict] = {}
        self.sio.on("revision", self.on_revision, namespace="/draft")

    def on_revision(self, event: dict) -> None:
        with self.lock:
            self.buffer[event["revision"]] = event
            while self.revision + 1 in self.buffer:
                applied = self.buffer.pop(self.revision + 1)
                self.text = apply_patch_exact(self.text, applied["patch"], max_units=None)
                self.revision += 1

    def connect(self) -> None:
        self.sio.connect(self.url, namespaces=["/draft"], auth={"token": self.token}, transports=["websocket"])
        joined = self.sio.call("join", {"letter_id": self.letter_id}, namespace="/draft")
        with self.lock:
            self.text, self.revision = joined["text"], joined["revision"]

    def run(self) -> None:
        interval = 1 / self.rate
        next_at = time.monotonic()
        n = 0
        while not self.stop_event.is_set():
            with self.lock:
                base, revision = self.text, self.revision
            at = self.random.randrange(0, len(base))
            while at and base[at - 1] != " ":
                at -= 1
            word = f"remote{n} "
            n += 1
            wanted = base[:at] + word + base[at + len(word) :]  # replace, so the letter stays at its size
            # Sent without waiting for the answer: the offered load stays at `rate` however slow the server.
            self.sio.emit(
                "edit",
                {
                    "letter_id": self.letter_id,
                    "edit_id": f"bench-{n}-{time.monotonic_ns()}",
                    "base_revision": revision,
                    "patch": make_patch(base, wanted),
                },
                namespace="/draft",
                callback=self.answered,
            )
            self.sent += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def answered(self, answer: dict) -> None:
        if not answer.get("ok"):
            self.refused += 1
            self.last_refusal = answer.get("error")

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=5)
        self.sio.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the person types")
    parser.add_argument("--rate", type=float, default=20.0, help="remote edits a second")
    parser.add_argument("--key-delay", type=int, default=60, help="ms between keys (60 ms is 200 keys a minute)")
    parser.add_argument("--no-preview", action="store_true", help="remove the preview first (to see what it costs)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "editor_speed.json")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder))
        try:
            token = server.token(ALDER)
            created = requests.post(
                f"{server.url}/api/v1/letters",
                json={"title": "A 199,000-character letter", "text": big_letter()},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            created.raise_for_status()
            letter_id = created.json()["id"]
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}).new_page()
                page.goto("/auth/sign-in")
                form = page.locator("main form:has(input[name=password])")
                form.locator("input[name=email]").fill(ALDER)
                form.locator("input[name=password]").fill(PASSWORD)
                with page.expect_navigation():
                    form.locator("[type=submit]").click()
                page.goto(f"/drafts/{letter_id}")
                page.wait_for_function(
                    "() => window.undersignedDraft && window.undersignedDraft.ready && "
                    "document.getElementById('draft-text').getAttribute('aria-readonly') === 'false'",
                    timeout=30_000,
                )
                if args.no_preview:
                    page.evaluate("() => document.getElementById('preview').closest('section').remove()")
                page.evaluate(MEASURE_JS)
                page.locator("#draft-text").click()
                page.keyboard.press("Control+Home")

                remote = RemoteDrafter(server.url, server.token(ALDER_2), letter_id, args.rate)
                remote.connect()
                start_revision = page.evaluate("() => window.undersignedDraft.revision")
                remote.start()
                started = time.monotonic()
                words = ["we", "ask", "the", "council", "to", "fund", "the", "crossings", "near", "every", "school"]
                typed = 0
                typed_chars = 0
                typed_words = ""
                while time.monotonic() - started < args.seconds:
                    word = words[typed % len(words)] + " "
                    page.keyboard.type(word, delay=args.key_delay)
                    typed += 1
                    typed_chars += len(word)
                    typed_words += word
                elapsed = time.monotonic() - started
                remote.stop()
                page.wait_for_function(
                    "() => window.undersignedDraft.idle"
                    " && window.undersignedEditor.text() === window.undersignedDraft.text",
                    timeout=60_000,
                )
                time.sleep(1)
                page.wait_for_function("() => window.undersignedDraft.idle", timeout=60_000)
                measured = page.evaluate(
                    "() => ({frames: window.__editorBench.frames, keys: window.__editorBench.keys,"
                    " queued: window.__editorBench.queued})"
                )
                final = page.evaluate(
                    "() => ({revision: window.undersignedDraft.revision, text: window.undersignedEditor.text()})"
                )
                browser.close()
            letter = requests.get(
                f"{server.url}/api/v1/letters/{letter_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30
            ).json()
        finally:
            server.stop()

    frames = measured["frames"][5:]  # the first frames include the page settling
    result = {
        "letter_units": UNITS,
        "seconds": round(elapsed, 1),
        "remote_edits_sent": remote.sent,
        "remote_edits_refused": remote.refused,
        "remote_edits_per_second": round(remote.sent / elapsed, 1),
        "revisions_applied_by_page": final["revision"] - start_revision,
        "typed_text_in_the_letter": typed_words in letter["text"],
        "keys_typed": typed_chars,
        "keys_seen_on_screen": len(measured["keys"]),
        "frame_time": summary(frames),
        "frames_over_50_ms": sum(1 for f in frames if f > 50),
        "keystroke_to_screen": summary(measured["keys"]),
        "keydown_waiting_before_the_page_saw_it": summary(measured["queued"]),
        "page_text_equals_server": final["text"] == letter["text"],
        "preview": not args.no_preview,
        "chromium": CHROMIUM,
        "cpus": os.cpu_count(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
