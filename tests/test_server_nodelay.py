"""Both servers (python wsgi.py and gunicorn's worker) send small writes at once (TCP_NODELAY)."""

from __future__ import annotations

import socket

from app.web import server
from app.web.gunicorn_worker import Worker


def test_every_connection_the_handler_serves_has_nagle_off(monkeypatch):
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, address = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        monkeypatch.setattr(server.WebSocketHandler, "handle", lambda self: "served")
        handler = server.ContractHandler(accepted, address, server=None, rfile=None)
        assert handler.handle() == "served"
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for sock in (client, accepted, listener):
            sock.close()


def test_both_servers_use_that_handler():
    assert Worker.wsgi_handler is server.ContractHandler
    assert "ContractHandler" in server.serve.__code__.co_names
