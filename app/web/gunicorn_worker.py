"""gunicorn's worker for Undersigned (gunicorn.conf.py): gevent-websocket's worker, whose handler
answers unreadable requests in the contract's format on /api (see app/web/server.py)."""

from __future__ import annotations

from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from gunicorn.workers.ggevent import PyWSGIServer

from app.web.server import AddressFreeEnviron, ContractHandler


class Server(PyWSGIServer):
    secure_environ_class = AddressFreeEnviron  # no client address printed with a server error


class Worker(GeventWebSocketWorker):
    server_class = Server
    wsgi_handler = ContractHandler
