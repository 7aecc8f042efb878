"""No IP address is written anywhere (issue 11, item 3): `python wsgi.py` and gunicorn, sent bad
requests from a client address of their own, write it nowhere in their output; an unexpected
server error is printed without the request's address."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.mailbox import free_port
from tests.support.servers import start_server

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CLIENT = "127.0.0.5"  # a loopback address only this test's requests come from
BAD_REQUESTS = [
    b"GARBAGE\r\n\r\n",  # not HTTP
    b"GET / HTTP/1.1\r\nHost: x\r\nAuthorization: " + b"a" * 100_000 + b"\r\n\r\n",  # a header line too long
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",  # a malformed header
    b"GET /no-such-page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",  # the app's own 404
]


def send_from_client(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(CLIENT, 0)) as connection:
        connection.sendall(raw)
        try:
            return connection.recv(200)
        except OSError:
            return b""


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("server-logs")
    env = {
        **os.environ,
        "UNDERSIGNED_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'logs.sqlite3'}",
        "SECRET_KEY": "server-logs-test",
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    return env


SERVERS = {
    "wsgi.py": [str(VENV_BIN / "python"), "wsgi.py"],
    "gunicorn": [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
}


@pytest.mark.parametrize("server", SERVERS)
def test_bad_requests_are_logged_without_the_client_address(database, tmp_path, server):
    port = free_port()
    log_path = tmp_path / "server.log"
    process = start_server(SERVERS[server], database, port, log_path)
    try:
        answers = [send_from_client(port, raw) for raw in BAD_REQUESTS]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    assert [answer.split(b"\r\n", 1)[0].split(b" ")[1] for answer in answers] == [b"400", b"431", b"400", b"404"]
    output = log_path.read_text(errors="replace")
    assert "Undersigned is serving" in output or "Booting worker" in output, output
    assert CLIENT not in output, output


def test_an_unexpected_server_error_is_printed_without_the_client_address(capfd):
    from gevent import socket as gsocket

    from app.web.server import ContractHandler, Server

    def failing_app(environ, start_response):
        raise RuntimeError("a fault outside the app's error handlers")

    server = Server(("127.0.0.1", 0), failing_app, handler_class=ContractHandler, log=None)
    server.start()
    try:
        connection = gsocket.create_connection(server.address, timeout=10)
        connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        assert connection.recv(100).startswith(b"HTTP/1.1 500")
        connection.close()
    finally:
        server.stop(timeout=1)

    printed = capfd.readouterr().err
    assert "a fault outside the app's error handlers" in printed  # the error itself is printed
    assert "127.0.0.1" not in printed and "REMOTE_ADDR" not in printed, printed
