"""The mail sender in a process of its own (app.mail.sender_process, `flask mail serve`): under
gunicorn the master starts it, it delivers what is queued to a real SMTP server, it is started
again if it exits, and it stops with the server (or by itself when the server is gone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.mail.models import OutgoingMail
from app.mail.sender_process import SenderProcess
from tests.support.mailbox import free_port
from tests.support.servers import start_server

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


@pytest.fixture
def server_env(tmp_path, smtp_server) -> dict[str, str]:
    """A migrated SQLite database and the environment of a server process using it."""
    env = {
        **os.environ,
        "UNDERSIGNED_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mail.sqlite3'}",
        "SECRET_KEY": "mail-sender-process-test",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
    }
    for name in ("SOCKETIO_MESSAGE_QUEUE", "RATELIMIT_STORAGE_URI", "MAIL_SENDER"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    return env


def queue(env: dict[str, str], recipient: str) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "INSTANCE_PATH": env["UNDERSIGNED_INSTANCE_PATH"],
            "SECRET_KEY": env["SECRET_KEY"],
            "MAIL_SENDER_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )
    with app.app_context():
        db.session.add(OutgoingMail(recipient=recipient, subject="Queued", text_body="Hello.", html_body=""))
        db.session.commit()
        db.engine.dispose()


def wait_until(condition, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_gunicorn_starts_a_mail_sender_of_its_own_and_stops_it(server_env, mailbox, tmp_path):
    port = free_port()
    server = start_server(
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], server_env, port, tmp_path / "gunicorn.log"
    )
    try:
        senders = [pid for pid in children_of(server.pid) if "mail serve" in command_line(pid)]
        assert len(senders) == 1, [command_line(pid) for pid in children_of(server.pid)]
        workers = [pid for pid in children_of(server.pid) if pid not in senders]
        assert workers, "a worker beside the sender"

        queue(server_env, "resident@example.org")
        (message,) = mailbox.wait_for("resident@example.org", timeout=30)
        assert message["Subject"] == "Queued"
    finally:
        server.send_signal(signal.SIGTERM)  # the master alone: it stops the sender itself
        server.wait(timeout=30)
    wait_until(lambda: "mail serve" not in command_line(senders[0]), 15, "the sender to stop")


def test_the_sender_stops_after_its_round_on_sigterm(server_env, mailbox):
    sender = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "serve"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        queue(server_env, "first@example.org")
        mailbox.wait_for("first@example.org", timeout=30)
    finally:
        sender.send_signal(signal.SIGTERM)
        output, _ = sender.communicate(timeout=30)
    assert sender.returncode == 0, output
    assert "Mail sender stopped." in output


def test_a_sender_whose_server_is_gone_stops_by_itself(server_env):
    """`--parent` names the server that started it; a sender whose parent is another process (its
    server died and it was handed to another) ends on its own."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "serve", "--parent", "1"],
        cwd=ROOT,
        env=server_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Mail sender stopped." in result.stdout


def test_a_sender_that_exits_is_started_again_until_stopped(tmp_path):
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    supervisor = SenderProcess(command=(sys.executable, "-c", script))
    supervisor.start()
    try:
        wait_until(lambda: starts.exists() and len(starts.read_text()) >= 2, 30, "a second start")
    finally:
        supervisor.stop()
    count = len(starts.read_text())
    time.sleep(2.5)  # longer than the pause before the next start
    assert len(starts.read_text()) == count, "no start after stop()"
