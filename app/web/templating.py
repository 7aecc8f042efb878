"""What every template may use: the signed-in official, the policy, the language, dates
(`when`, `when_range`, `day`) and lists of names (`names_list`)."""

from __future__ import annotations

from babel import Locale
from flask import Flask, has_request_context
from flask_babel import get_locale

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.accounts.labels import role_label
from app.web.dates import day, names_list, when, when_range
from app.web.forms import ConfirmForm


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(when)
    app.add_template_filter(day)
    app.add_template_filter(when_range)
    app.add_template_filter(names_list)

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
            "language_name": language_name,
        }


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Spanish", "español")."""
    name = Locale.parse(code).get_display_name(get_locale()) or code
    return name[:1].upper() + name[1:]
