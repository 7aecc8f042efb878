"""The HTTP server around the app (gevent, websockets), writing no client address to any log.

gevent's handler names the client in the lines it writes about bad requests ("Invalid request
(from ('203.0.113.9', 51234)) ..."), in its access log lines, and in the request environment it
prints with an unexpected error. Residents' addresses must not be written anywhere, so these
classes say the same without them. `python wsgi.py` serves with `serve`; gunicorn uses `Worker`
(`worker_class` in gunicorn.conf.py).
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from gevent.pywsgi import WSGISecureEnviron, WSGIServer
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler
from gunicorn.workers.ggevent import PyWSGIServer


class AddressFreeEnviron(WSGISecureEnviron):
    """The request environment as printed with an unexpected server error: no key shown."""

    default_whitelist_keys = ()


class AddressFreeHandler(WebSocketHandler):
    """gevent-websocket's handler (websockets and plain HTTP), logging without the client."""

    def log_error(self, msg: str, *args: object) -> None:
        args = tuple("-" if arg == self.client_address else arg for arg in args)
        try:
            message = msg % args if args else msg
        except (TypeError, ValueError):
            message = f"{msg!r} {args!r}"
        self.server.error_log.write(message + "\n")

    def format_request(self) -> str:
        length = self.response_length or "-"
        delta = f"{self.time_finish - self.time_start:.6f}" if self.time_finish else "-"
        status = (getattr(self, "_orig_status", None) or self.status or "000").split()[0]
        now = datetime.now().replace(microsecond=0)
        return f'- - - [{now}] "{self.requestline or ""}" {status} {length} {delta}'


class Server(WSGIServer):
    """gevent's WSGI server with the address-free handler and environment."""

    secure_environ_class = AddressFreeEnviron


class GunicornServer(PyWSGIServer):
    secure_environ_class = AddressFreeEnviron


class Worker(GeventWebSocketWorker):
    """gunicorn's gevent-websocket worker, with the address-free handler and environment."""

    server_class = GunicornServer
    wsgi_handler = AddressFreeHandler


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the app (websockets included) until the process ends, without an access log."""
    Server((host, port), app, handler_class=AddressFreeHandler, log=None).serve_forever()
