"""Undersigned: write an open letter together, then gather the names behind it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.config import BASE_DIR, load_config
from app.version import __version__

__all__ = ["__version__", "create_app"]


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
    from app.features import register_features
    from app.web import register_web
    from app.web.rate_limit_hooks import check_limits_only_where_declared

    register_extensions(app)
    register_web(app)
    register_features(app)
    register_cli(app)
    check_limits_only_where_declared(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app (Socket.IO is bound by the drafting feature)."""
    from app import tables  # noqa: F401  (registers every table for Alembic)
    from app.accounts.officials import load_session_official
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.shared.sqlite import tune_sqlite
    from app.web.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_official)
