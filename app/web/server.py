"""The HTTP server's own answers: a request the server cannot even read (a header line over 64 KiB,
more than 100 header lines, a request line over 8 KiB, a malformed request line) never reaches
the app, so gevent answers it itself, with an empty body. This handler answers those in the
contract's format on /api (`{"error": {"code", "message"}}`) and with a short text elsewhere, and
logs them without the client's address.

No client address is written anywhere: gevent would also print the request's REMOTE_ADDR with an
unexpected server error; `Server` (and gunicorn's worker) print none of its keys. Neither server
writes an access log (`log=None` here; gevent-websocket's handler never writes gunicorn's).

Used by `python wsgi.py` (`serve`) and by gunicorn (app/web/gunicorn_worker.py). The language
is English: the request's headers, Accept-Language among them, could not be read."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket

from flask import Flask
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler

from app.web import websocket_speedups

log = logging.getLogger(__name__)
websocket_speedups.install()

# status: (reason, code, message)
ANSWERS = {
    400: ("Bad Request", "bad_request", "The request could not be read."),
    414: ("URI Too Long", "too_large", "The request line is too long: at most 8 KiB."),
    431: (
        "Request Header Fields Too Large",
        "too_large",
        "The request's headers are too large: at most 100 header lines of at most 64 KiB each.",
    ),
}


def raw_answer(status: int, path: str | None) -> bytes:
    """A complete HTTP response for `status`: JSON in the contract's format for /api paths."""
    reason, code, message = ANSWERS[status]
    if (path or "").startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        content_type = "application/json"
    else:
        body = f"{status} {reason}: {message}\n".encode()
        content_type = "text/plain; charset=utf-8"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def no_delay(sock: socket.socket) -> None:
    """Send small writes at once (TCP_NODELAY); a Unix socket has nothing to set."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _path_of(requestline: str | None) -> str | None:
    words = (requestline or "").split()
    return words[1] if len(words) >= 2 else None


class ContractHandler(WebSocketHandler):
    """gevent-websocket's handler, answering unreadable requests as described above, with
    Nagle's algorithm off: a small write (an acknowledgement, a revision, an HTTP answer) leaves
    at once instead of waiting for the peer's delayed ACK (up to 40 ms)."""

    def handle(self):  # type: ignore[no-untyped-def]
        no_delay(self.socket)
        return super().handle()

    def handle_one_request(self):  # type: ignore[no-untyped-def]
        self.path = None  # not a previous request's, on a kept-alive connection
        answer = super().handle_one_request()
        if isinstance(answer, tuple) and answer[0] == "414":
            log.info("refused a request line over %s bytes", pywsgi.MAX_REQUEST_LINE)
            return "414", raw_answer(414, _path_of(self.requestline))
        return answer

    def _handle_client_error(self, ex: Exception) -> tuple[str, bytes]:
        too_large = isinstance(ex, http.client.HTTPException) or "Line too long" in str(ex)
        status = 431 if too_large else 400
        log.info("refused an unreadable request (%s): %s", status, type(ex).__name__)
        return str(status), raw_answer(status, self.path or _path_of(self.requestline))


class AddressFreeEnviron(pywsgi.WSGISecureEnviron):
    """The request's environment as printed with an unexpected server error: no key shown
    (gevent's default shows REMOTE_ADDR)."""

    default_whitelist_keys = ()


class Server(pywsgi.WSGIServer):
    secure_environ_class = AddressFreeEnviron


def serve(app: Flask, host: str, port: int) -> None:
    """Serve `app` (websockets included) on host:port until stopped."""
    server = Server((host, port), app, handler_class=ContractHandler, log=None)
    server.serve_forever()
