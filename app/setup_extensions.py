"""Bind the extensions of app/extensions.py to an app."""

from __future__ import annotations

from flask import Flask

from app import models  # noqa: F401  (registers the tables for Alembic)
from app.config import BASE_DIR
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.services.officials import load_session_official
from app.web.i18n import select_locale


def register_extensions(app: Flask) -> None:
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
    _register_template_helpers(app)


def _register_template_helpers(app: Flask) -> None:
    from flask import has_request_context
    from flask_babel import get_locale

    from app.services.authorization import Action, can
    from app.services.rendering import render_markdown
    from app.web.current import current_official
    from app.web.forms import ConfirmForm
    from app.web.labels import role_label

    @app.context_processor
    def template_globals() -> dict:
        return {
            "current_official": current_official(),
            "can": can,
            "Action": Action,
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "plain_form": ConfirmForm() if has_request_context() else None,
            "role_label": role_label,
        }

    app.jinja_env.filters["markdown"] = render_markdown


def tune_sqlite(engine) -> None:
    """SQLite, the embedded default: write-ahead logging (readers never wait for the writer, one
    fsync per checkpoint rather than per commit) and a busy timeout instead of instant errors."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
