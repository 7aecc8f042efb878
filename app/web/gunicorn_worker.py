"""gunicorn's worker for Undersigned (gunicorn.conf.py): gevent-websocket's worker, whose handler
answers unreadable requests in the contract's format on /api (see app/web/server.py)."""

from __future__ import annotations

from geventwebsocket.gunicorn.workers import GeventWebSocketWorker

from app.web.server import ContractHandler


class Worker(GeventWebSocketWorker):
    wsgi_handler = ContractHandler
