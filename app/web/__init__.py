"""The web shell shared by every feature: error answers, the input guard, security headers, URL
converters, the template helpers, the site pages (language, health) and the /api/v1 blueprint the
features fill."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from app.web import site
    from app.web.converters import DatabaseIdConverter
    from app.web.errors import register_error_handlers
    from app.web.input_guard import register_input_guard
    from app.web.security_headers import register_security_headers
    from app.web.session_cookies import register_session_cookies
    from app.web.templating import register_template_helpers

    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_blueprint(site.bp)
    register_error_handlers(app)
    register_input_guard(app)
    register_security_headers(app)
    register_session_cookies(app)
    register_template_helpers(app)
