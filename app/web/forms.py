"""The form every page shares: a bare confirmation (CSRF token only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SubmitField,
)


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button (revoke, sign out...)."""

    submit = SubmitField(_l("Confirm"))
