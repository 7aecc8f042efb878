"""The mail sender in a process of its own, started and kept running by gunicorn's master.

Under gunicorn the requests get the worker to themselves: rendering and sending mail (a
confirmation link for every signature, a receipt for every confirmation) runs in a separate
`flask --app wsgi mail serve` process, at a lower CPU priority, that the master starts when it is
ready, starts again if it ever exits (after a pause that grows while it keeps failing, up to a
minute), and stops when gunicorn stops. Several server processes may each run one: mail rows are
claimed with SKIP LOCKED, so no message is sent twice. Only the standard library is used here:
the master loads no part of the app.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
COMMAND = (sys.executable, "-m", "flask", "--app", "wsgi", "mail", "serve")
NICE = 10
MAX_PAUSE_SECONDS = 60.0
STEADY_SECONDS = 60.0  # a sender that ran this long before exiting is restarted at once


class SenderProcess:
    def __init__(self, command: tuple[str, ...] | None = None, cwd: Path = ROOT) -> None:
        # The sender stops by itself if this process dies without stopping it (SIGKILL).
        # At a lower CPU priority: when the machine is busy, requests come first and mail takes
        # what is left (a burst of signatures is answered, and mailed as fast as the rest allows).
        self.command = command or (*COMMAND, "--parent", str(os.getpid()), "--nice", str(NICE))
        self.cwd = cwd
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        """Start the sender and a thread that starts it again whenever it exits."""
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="mail-sender-watch", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=os.environ.copy())  # noqa: S603
        log.info("mail sender started (pid %s)", self.process.pid)

    def _watch(self) -> None:
        pause = 1.0
        while not self._stopping.is_set():
            process = self.process
            started = time.monotonic()
            code = process.wait() if process else 0
            if self._stopping.is_set():
                return
            pause = 1.0 if time.monotonic() - started > STEADY_SECONDS else min(MAX_PAUSE_SECONDS, pause * 2)
            log.error("mail sender exited with %s; starting it again in %.0f s", code, pause)
            if self._stopping.wait(pause):
                return
            self._spawn()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the sender (SIGTERM, then SIGKILL after `timeout`) and its watcher."""
        self._stopping.set()
        process = self.process
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
