"""HTTP adapters: browser pages and the JSON API."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Register every blueprint, the API, error handlers and security headers."""
    from app.web import account, auth, clerk, letters, main, officials, public, review
    from app.web.api import register_api
    from app.web.converters import DatabaseIdConverter
    from app.web.errors import register_error_handlers
    from app.web.security_headers import register_security_headers

    app.url_map.converters["int"] = DatabaseIdConverter
    for module in (main, auth, letters, account, officials, public, clerk, review):
        app.register_blueprint(module.bp)
    register_api(app)
    register_error_handlers(app)
    register_security_headers(app)
