"""Socket.IO adapters: the /draft namespace for real-time drafting."""

from __future__ import annotations

from flask import Flask


def register_realtime(app: Flask) -> None:
    """Bind Socket.IO to the app. Handlers are imported first: Flask-SocketIO copies the
    handlers it knows into each new server it creates."""
    from app.extensions import socketio
    from app.realtime import drafting  # noqa: F401  (registers the /draft handlers)

    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config.get("SOCKETIO_CHANNEL", "undersigned"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        manage_session=False,
    )
