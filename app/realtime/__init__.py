"""Socket.IO adapters: the /draft namespace for real-time drafting."""

from __future__ import annotations

from flask import Flask


def register_realtime(app: Flask) -> None:
    from app.realtime import drafting  # noqa: F401  (registers the /draft handlers)
