"""A server process of the app started for a test (`python wsgi.py` or gunicorn), on 127.0.0.1."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent


def start_server(command: list[str], env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    """Start `command` (in its own session, its output in `log_path`) and return once it answers
    /healthz on `port`; a server that exits or takes over a minute fails the test with its log."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log_path.read_text(errors="replace")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
