"""Flask-SocketIO test clients whose every call runs in an app context of its own, as a server would."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIOTestClient

from app.extensions import socketio


class ContextSocketClient(SocketIOTestClient):
    def connect(self, *args, **kwargs):
        with self.app.app_context():
            return super().connect(*args, **kwargs)

    def disconnect(self, *args, **kwargs):
        with self.app.app_context():
            return super().disconnect(*args, **kwargs)

    def emit(self, *args, **kwargs):
        with self.app.app_context():
            return super().emit(*args, **kwargs)


def socket_client(app: Flask, **kwargs) -> ContextSocketClient:
    return ContextSocketClient(app, socketio, **kwargs)
