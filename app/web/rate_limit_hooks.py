"""Rate limits are checked only where they are declared.

Every limit here is declared on its view (`@limiter.limit`, `limiter.shared_limit`), and a
decorated view checks its own limits when it runs. Flask-Limiter also checks every request in a
`before_request` hook, for app-wide, default and blueprint limits; with none of those declared,
that hook finds nothing to count on any request, yet costs about a tenth of a bare request. It is
removed then, and kept as soon as any such limit exists (in the code or in the configuration).
"""

from __future__ import annotations

from flask import Flask

from app.extensions import limiter


def has_request_wide_limits() -> bool:
    """Whether any limit applies beyond the views that declare it (unknown counts as yes)."""
    manager = limiter.limit_manager
    blueprint_limits = getattr(manager, "_blueprint_limits", None)
    if blueprint_limits is None:
        return True
    return bool(manager.application_limits or manager.default_limits or any(blueprint_limits.values()))


def check_limits_only_where_declared(app: Flask) -> None:
    """Drop the limiter's per-request check when no request-wide limit exists (call after every
    blueprint is registered)."""
    if has_request_wide_limits():
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [hook for hook in hooks if hook != limiter._check_request_limit]
