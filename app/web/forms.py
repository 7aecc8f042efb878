"""WTForms for the browser pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
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
                message=_l("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
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


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button (revoke, sign out...)."""

    submit = SubmitField(_l("Confirm"))


class LetterForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired()], render_kw={"rows": 16})
    submit = SubmitField(_l("Create letter"))


class SignForm(FlaskForm):
    """The public co-signing form; works without JavaScript."""

    name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=200)], description=_l("As you want it counted.")
    )
    email = EmailField(
        _l("Your email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)],
        description=_l("We send you one link to confirm. Your address is never shown and is not kept afterwards."),
    )
    ward = SelectField(_l("Your ward (optional)"), choices=[])
    public = BooleanField(_l("Show my name publicly on this page"), default=False)
    updates = BooleanField(_l("Email me updates about this letter (keeps my address until the letter is closed)"))
    # A field people never see or fill in: only automated submissions do.
    website = StringField(_l("Leave this field empty"))
    started = HiddenField()
    submit = SubmitField(_l("Sign the letter"))


class EndorseForm(FlaskForm):
    title = StringField(
        _l("Your title (optional)"),
        validators=[Length(max=200)],
        description=_l('For example "Alder, Ward 26".'),
    )
    submit = SubmitField(_l("Endorse this letter"))


class PaperImportForm(FlaskForm):
    csv_file = FileField(_l("CSV file with the columns name, ward, date"), validators=[DataRequired()])
    submit = SubmitField(_l("Import paper signatures"))
