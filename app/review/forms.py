"""WTForms of the review pages (CSRF-protected by Flask-WTF). Numbers arrive as text and are checked
by the services, which answer with the field that is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.review.locking import MAX_REASON_LENGTH


class SuggestionForm(FlaskForm):
    base_revision = HiddenField()
    start = HiddenField()
    end = HiddenField()
    quote = TextAreaField(
        _l("Text to replace"),
        validators=[Optional(), Length(max=20_000)],
        description=_l(
            "Select it in the text above, or type or paste it exactly as it appears (a few words are enough). "
            "To insert without replacing, select nothing and put the cursor where the new text goes."
        ),
        render_kw={"rows": 3},
    )
    replacement = TextAreaField(
        _l("Replace it with"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Leave empty to suggest deleting the selected text."),
        render_kw={"rows": 4},
    )
    note = TextAreaField(
        _l("Note for the drafters"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Why this change? (optional)"),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Suggest this change"))


class CommentForm(FlaskForm):
    revision = HiddenField()
    start = HiddenField()
    end = HiddenField()
    quote = TextAreaField(
        _l("Passage"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Select it in the text above, or type or paste it exactly as it appears."),
        render_kw={"rows": 2},
    )
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 4})
    submit = SubmitField(_l("Add comment"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Reply"))


class CheckpointForm(FlaskForm):
    revision = HiddenField()
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: Draft sent to the mayor's office"),
    )
    submit = SubmitField(_l("Name this revision"))


class ReviewRequestForm(FlaskForm):
    checkpoint_id = SelectField(_l("Checkpoint to review"), coerce=str, validate_choice=False)
    message = TextAreaField(
        _l("Message to the mayor's office"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Optional. Every reviewer is emailed a link to the changes."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Ask for review"))


class RevisionActionForm(FlaskForm):
    """Approve or restore a revision: the revision and, for restoring, a one-time edit id."""

    revision = HiddenField()
    edit_id = HiddenField()
    submit = SubmitField(_l("Confirm"))


class LockForm(FlaskForm):
    """The clerk locks the revision the page showed; without a reviewer's approval of its text,
    with a written reason."""

    revision = HiddenField(
        validators=[DataRequired(message=_l("This page is out of date: reload it and check the text before locking."))]
    )
    reason = TextAreaField(
        _l("Reason for locking without approval"),
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
        description=_l(
            "Required when no reviewer has approved this text. It is recorded in the audit log and printed in "
            "the delivery packet; the public page says the text was locked without a reviewer's approval."
        ),
        render_kw={"rows": 3},
    )
    leave_out_translations = BooleanField(
        _l("Lock without the translations no reviewer has approved"),
        description=_l(
            "They are left out of the lock, recorded as left out and not published. Once a reviewer approves "
            "one, you can publish it from its page, with its own SHA-256."
        ),
    )


class TranslationForm(FlaskForm):
    """A drafter saves a version of a translation, based on the version the page showed."""

    base_revision = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("Translated text"),
        validators=[DataRequired()],
        description=_l("Markdown, like the original."),
        render_kw={"rows": 16},
    )
    save = SubmitField(_l("Save this version"))


class TranslationApproveForm(FlaskForm):
    """A reviewer approves the version of the translation the page showed."""

    revision = HiddenField()
    approve = SubmitField(_l("Approve this version"))


class TranslationPublishForm(FlaskForm):
    """The clerk publishes, after the lock, the approved version of the translation the page showed."""

    revision = HiddenField()
    publish = SubmitField(_l("Publish this translation"))
