"""Flask's signed-cookie sessions, with the signing serializer built once per set of keys.

Flask builds a new `URLSafeTimedSerializer` on every request, twice (to read the cookie and to
write it); that is a measurable share of a page answered from memory. The serializer holds only
its keys and settings, so one is kept per (secret key, fallback keys) and rebuilt when either
changes."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._serializer
        if kept is None or kept[0] != keys:
            kept = self._serializer = (keys, super().get_signing_serializer(app))
        return kept[1]


def register_session_cookies(app: Flask) -> None:
    app.session_interface = CachedSerializerSessionInterface()
