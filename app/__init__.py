"""Undersigned: write an open letter together, then gather the names behind it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.config import BASE_DIR, load_config

__version__ = "0.3.0"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The app factory: configure, bind the extensions, then register each feature."""
    config = load_config(overrides)
    app = Flask(
        __name__,
        instance_path=config["INSTANCE_PATH"],
        static_folder=str(BASE_DIR / "static"),
        template_folder=str(BASE_DIR / "templates"),
    )
    app.config.update(config)

    from app.cli import register_cli
    from app.extensions import register_extensions
    from app.features import register_features
    from app.web import register_web

    register_extensions(app)
    register_web(app)
    register_features(app)
    register_cli(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    return app
