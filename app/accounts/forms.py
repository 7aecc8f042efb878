"""Forms of the accounts pages: sign-in, passwords, invitations, API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=lazy_ngettext(
                    "Choose a password of at least %(num)d character.",
                    "Choose a password of at least %(num)d characters.",
                    MIN_PASSWORD_LENGTH,
                ),
            ),
        ],
        description=lazy_ngettext("At least %(num)d character.", "At least %(num)d characters.", MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Save password and sign in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)])
    submit = SubmitField(_l("Email me a reset link"))


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)])
    role = SelectField(
        _l("Role"),
        choices=[
            ("drafter", _l("Drafter (alder)")),
            ("reviewer", _l("Reviewer (mayor's office)")),
            ("clerk", _l("Clerk")),
        ],
    )
    locale = SelectField(_l("Language for the invitation"), choices=[("en", "English"), ("es", "Español")])
    submit = SubmitField(_l("Send invitation"))


class TokenForm(FlaskForm):
    label = StringField(_l("What is this token for?"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))
