"""The HTTP JSON API, version 1 (see ../shared/CONTRACT.md and docs/api.md)."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Bind a fresh OpenAPI-generating Api to this app and register /api/v1 (the features have
    attached their routes to the blueprint by now)."""
    from app.extensions import csrf
    from app.web.api.blueprint import blp
    from app.web.api.openapi import make_api

    api = make_api(app)
    csrf.exempt(blp)
    api.register_blueprint(blp)
