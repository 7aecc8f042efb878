"""Random tokens and their digests (only digests are stored)."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 hex digest of a token as UTF-8. Any string has one: a lone surrogate a client
    sent (never part of a real token) is encoded as is, so it simply matches no token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
