"""What the HTTP server (gevent, as `python wsgi.py` and gunicorn's worker run it) answers to a
request it cannot read: on /api the contract's JSON error with a clear code, never a bare 400
(issue 11, item 11: a 100 KB Authorization header).

The server runs in this process on gevent's loop, and the test talks to it through gevent's
sockets, so both take turns without monkey-patching."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from gevent import pywsgi
from gevent import socket as gsocket

from app.web.server import ContractHandler


@pytest.fixture
def server(app) -> Iterator[pywsgi.WSGIServer]:
    server = pywsgi.WSGIServer(("127.0.0.1", 0), app, handler_class=ContractHandler, log=None)
    server.start()
    yield server
    server.stop(timeout=1)


def exchange(server: pywsgi.WSGIServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one raw request; return the status, headers and body of the answer."""
    connection = gsocket.create_connection(server.address, timeout=10)
    try:
        connection.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            assert chunk, f"the connection closed before an answer: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = connection.recv(65536)
            assert chunk
            body += chunk
        return int(lines[0].split()[1]), headers, body
    finally:
        connection.close()


def request(path: str, *headers: bytes, line_end: bytes = b" HTTP/1.1") -> bytes:
    return b"GET " + path.encode() + line_end + b"\r\nHost: test\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n"


def json_error(headers: dict[str, str], body: bytes) -> dict:
    assert headers["content-type"] == "application/json", (headers, body)
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"} and error["message"]
    return error


def test_a_100_kb_authorization_header_is_a_431_json_error_on_the_api(server):
    status, headers, body = exchange(server, request("/api/v1/letters/1", b"Authorization: Bearer " + b"a" * 100_000))
    assert status == 431
    assert json_error(headers, body)["code"] == "too_large"


def test_too_many_header_lines_is_a_431_json_error_on_the_api(server):
    lines = [b"X-Filler-%d: 1" % n for n in range(150)]
    status, headers, body = exchange(server, request("/api/v1/letters/1", *lines))
    assert status == 431
    assert json_error(headers, body)["code"] == "too_large"


def test_a_request_line_over_8_kib_is_a_414_json_error_on_the_api(server):
    status, headers, body = exchange(server, request("/api/v1/letters/1?q=" + "a" * 9000))
    assert status == 414
    assert json_error(headers, body)["code"] == "too_large"


def test_a_malformed_request_line_is_a_400_json_error_on_the_api(server):
    status, headers, body = exchange(server, request("/api/v1/letters/1", line_end=b" HTTP/7.1"))
    assert status == 400
    assert json_error(headers, body)["code"] == "bad_request"


def test_pages_get_a_short_text_answer(server):
    status, headers, body = exchange(server, request("/letters/1", b"Cookie: " + b"a" * 100_000))
    assert status == 431
    assert headers["content-type"].startswith("text/plain") and b"too large" in body


def test_a_long_token_the_server_can_read_reaches_the_app_and_is_a_401(server):
    status, headers, body = exchange(server, request("/api/v1/letters/1", b"Authorization: Bearer " + b"a" * 60_000))
    assert status == 401
    assert json_error(headers, body)["code"] == "unauthorized"
