"""The signed-in official for the current request, if any."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from app.accounts.models import Official


def current_official() -> Official | None:
    """The official from the API token (set by the API adapter) or the browser session."""
    official = g.get("api_official")
    if official is not None:
        return official
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
