"""Bearer-token authentication for /api/v1."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from app.accounts import api_tokens
from app.accounts.models import Official
from app.shared.errors import Unauthorized


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def load_api_official() -> None:
    """Before each API request: identify the official if a token is given (a bad token is a 401)."""
    g.api_official = None
    if "Authorization" not in request.headers:
        return
    token = bearer_token()
    if token is None:
        raise Unauthorized(_("Use 'Authorization: Bearer TOKEN'."))
    g.api_official = api_tokens.authenticate_token(token)


def api_official() -> Official | None:
    """The official behind the bearer token, or None for an anonymous caller."""
    return g.get("api_official")
