"""What every template may use: the signed-in official, the policy, the language."""

from __future__ import annotations

from flask import Flask, has_request_context
from flask_babel import get_locale

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.accounts.labels import role_label
from app.web.forms import ConfirmForm


def register_template_helpers(app: Flask) -> None:
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

