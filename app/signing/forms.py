"""Forms of the signing pages: co-sign, correct before confirming, endorse, import paper signatures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length


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
    submit = SubmitField(_l("Sign the letter"))


class ConfirmSignatureForm(FlaskForm):
    """The confirmation page's button; `shown` is the fingerprint of what the page showed."""

    shown = HiddenField()


class CorrectSignatureForm(FlaskForm):
    """On the confirmation page: the owner of the mailbox corrects what their link will record."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    ward = SelectField(_l("Your ward (optional)"), choices=[])
    public = BooleanField(_l("Show my name publicly on this page"))
    updates = BooleanField(_l("Email me updates about this letter (keeps my address until the letter is closed)"))
    submit = SubmitField(_l("Save the corrections"))


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
